"""Write use cases of calendar feeds: create (or rotate) and revoke a secret feed address.

A feed is read without signing in, by whoever has its address, so the address is the
secret. Invariants:

* A board or a person has at most one feed (one-to-one fields); its token is 256 random bits
  (``secrets.token_urlsafe(32)``).
* Creating a feed that exists rotates its token: the old address stops working at once.
  Revoking deletes the feed: the address stops working and nothing is left to guess.
* The token never goes into the audit log (the log is readable more widely than the feed).
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from boards import permissions
from boards.models import CalendarFeed
from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound

# No "token": see the module's invariants.
FEED_FIELDS = ("board", "person", "created_by", "created_at")


def _owner(*, board, person) -> dict:
    if (board is None) == (person is None):
        raise Invalid("A calendar feed belongs to a board or to a person: name one of them.")
    return {"board": board} if board is not None else {"person": person}


def _check_allowed(actor, *, board, person, revoking: bool = False) -> None:
    if permissions.can_manage_feed(actor, board=board, person=person, revoking=revoking):
        return
    if board is not None:
        raise NotAllowed(
            f"Only the chair of {board}, a delegate of the chair or an administrator can "
            "manage the board's calendar address."
        )
    raise NotAllowed("You can only manage your own calendar address.")


def _signed_in(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def calendar_feed_create(*, actor, board=None, person=None) -> CalendarFeed:
    """Give ``board`` (or ``person``) a calendar feed with a new secret address.

    If the feed exists, its token is replaced (rotated) and the old address stops working.
    Who may: for a board, its chair, a delegate or an administrator; for a person, only that
    person (403 otherwise). Records ``calendar_feed.created`` or ``calendar_feed.rotated``.
    """
    owner = _owner(board=board, person=person)
    _check_allowed(actor, board=board, person=person)
    feed = CalendarFeed.objects.select_for_update().filter(**owner).first()
    token = secrets.token_urlsafe(32)
    if feed is None:
        feed = CalendarFeed(token=token, created_by=_signed_in(actor), **owner)
        try:
            with transaction.atomic():
                feed.save()
        except IntegrityError:
            raise Conflict(
                "A calendar address was created at the same moment; reload the page to see it."
            ) from None
        record_event(
            actor=actor, verb="calendar_feed.created", obj=feed,
            after=snapshot(feed, FEED_FIELDS),
        )  # fmt: skip
        return feed

    before = snapshot(feed, FEED_FIELDS)
    feed.token = token
    feed.created_by = _signed_in(actor)
    # The address is new, so is its date.
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_by", "created_at"])
    record_event(
        actor=actor, verb="calendar_feed.rotated", obj=feed, before=before,
        after=snapshot(feed, FEED_FIELDS),
    )  # fmt: skip
    return feed


@transaction.atomic
def calendar_feed_revoke(*, actor, board=None, person=None) -> None:
    """Delete ``board``'s (or ``person``'s) calendar feed: its address stops working and
    subscribed calendars stop updating. Same permission as creating, and administrators may
    revoke a person's (a leaked address); 404 if there is no feed. Records
    ``calendar_feed.revoked``."""
    owner = _owner(board=board, person=person)
    _check_allowed(actor, board=board, person=person, revoking=True)
    feed = CalendarFeed.objects.select_for_update().filter(**owner).first()
    if feed is None:
        whose = "This board has" if board is not None else "You have"
        raise NotFound(f"{whose} no calendar address to revoke.")
    # The event goes first: it needs the feed's id, which delete() clears.
    record_event(
        actor=actor, verb="calendar_feed.revoked", obj=feed, before=snapshot(feed, FEED_FIELDS)
    )
    feed.delete()
