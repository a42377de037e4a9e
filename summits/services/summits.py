"""Summits and their participants: called by executives, set up by their chair."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict as ConflictError
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.validation import apply_changes, clean, save_or_conflict
from summits import permissions
from summits.models import Participant, Summit
from summits.services.common import (
    PARTICIPANT_FIELDS,
    SUMMIT_FIELDS,
    SUMMIT_FIELDS_FOR_CHAIR,
    require_in_organisation,
    require_open_summit,
    require_text,
    require_works_for,
)


def _lock(summit: Summit) -> Summit:
    return Summit.objects.select_for_update().get(pk=summit.pk)


def _validate(summit: Summit) -> None:
    summit.title = require_text(summit.title, "title", "Give the summit a title.")
    if summit.starts_on is None:
        raise Invalid("Say when the summit starts.", field="starts_on")
    if summit.ends_on is None:
        summit.ends_on = summit.starts_on
    clean(summit, exclude=["created_by"])
    require_in_organisation(summit.chair, "chair")


@transaction.atomic
def summit_create(*, actor, title: str, starts_on, chair, ends_on=None, purpose: str = "",
                  location: str = "") -> Summit:  # fmt: skip
    """Call a summit (executives and administrators). It starts in planning."""
    if not permissions.can_create_summit(actor):
        raise NotAllowed("Only executives and administrators can call a summit.")
    summit = Summit(
        title=title, purpose=(purpose or "").strip(), starts_on=starts_on, ends_on=ends_on,
        location=(location or "").strip(), chair=chair, created_by=actor,
    )  # fmt: skip
    _validate(summit)
    summit.save()
    record_event(
        actor=actor, verb="summit.created", obj=summit, after=snapshot(summit, SUMMIT_FIELDS)
    )
    return summit


@transaction.atomic
def summit_update(*, actor, summit: Summit, **changes) -> Summit:
    """Change the summit's title, dates, place or (executives, administrators) its chair.
    Dates cannot move past action items already due before the new start."""
    summit = _lock(summit)
    if not permissions.can_manage_summit(actor, summit):
        raise NotAllowed(f"Only the chair of {summit} or an executive can change it.")
    require_open_summit(summit)
    allowed = SUMMIT_FIELDS_FOR_CHAIR
    if permissions.can_change_chair(actor):
        allowed = (*SUMMIT_FIELDS_FOR_CHAIR, "chair")
    if "chair" in changes and "chair" not in allowed and changes["chair"] != summit.chair:
        raise NotAllowed("Only an executive or an administrator can change who chairs it.")
    changes = {k: v for k, v in changes.items() if not (k == "chair" and v == summit.chair)}
    before = snapshot(summit, SUMMIT_FIELDS)
    apply_changes(summit, changes, allowed)
    _validate(summit)
    if summit.status != Summit.Status.PLANNING and summit.starts_on > timezone.localdate():
        raise Invalid(
            "This summit has been held; it cannot start in the future.", field="starts_on"
        )
    if "starts_on" in changes:
        # Done and cancelled items keep the dates they had; only open ones bind the start.
        early = summit.action_items.open().filter(due_on__lt=summit.starts_on).first()
        if early is not None:
            raise Invalid(
                f"“{early}” is due on {early.due_on:%d %b %Y}, before the new start; re-plan "
                "it first.",
                field="starts_on",
            )
    summit.save()
    after = snapshot(summit, SUMMIT_FIELDS)
    if after != before:
        record_event(actor=actor, verb="summit.updated", obj=summit, before=before, after=after)
    return summit


@transaction.atomic
def summit_hold(*, actor, summit: Summit) -> Summit:
    """The summit took place (its chair, from its first day). The review and the plan stay
    open for finishing touches until it is closed."""
    summit = _lock(summit)
    if not permissions.can_record_actions(actor, summit):
        raise NotAllowed(f"Only the chair of {summit} can mark it held.")
    if summit.status != Summit.Status.PLANNING:
        raise ConflictError(f"This summit is already {summit.get_status_display()}.")
    if summit.starts_on > timezone.localdate():
        raise ConflictError(
            f"The summit starts on {summit.starts_on:%d %b %Y}; it cannot be held before then."
        )
    before = snapshot(summit, SUMMIT_FIELDS)
    summit.status = Summit.Status.HELD
    summit.held_at = timezone.now()
    summit.save(update_fields=["status", "held_at", "updated_at"])
    record_event(
        actor=actor, verb="summit.held", obj=summit, before=before,
        after=snapshot(summit, SUMMIT_FIELDS),
    )  # fmt: skip
    return summit


@transaction.atomic
def summit_close(*, actor, summit: Summit) -> Summit:
    """Freeze the summit's record: participants, review and plan. Its action items go on
    with the boards that follow them up."""
    summit = _lock(summit)
    if not permissions.can_record_actions(actor, summit):
        raise NotAllowed(f"Only the chair of {summit} can close it.")
    if summit.status != Summit.Status.HELD:
        if summit.status == Summit.Status.CLOSED:
            raise ConflictError("This summit is already closed.")
        raise ConflictError("A summit is held before it is closed; mark it held first.")
    before = snapshot(summit, SUMMIT_FIELDS)
    summit.status = Summit.Status.CLOSED
    summit.closed_at = timezone.now()
    summit.save(update_fields=["status", "closed_at", "updated_at"])
    record_event(
        actor=actor, verb="summit.closed", obj=summit, before=before,
        after=snapshot(summit, SUMMIT_FIELDS),
    )  # fmt: skip
    return summit


@transaction.atomic
def participant_add(*, actor, summit: Summit, person, function, note: str = "") -> Participant:
    """Invite ``person`` to represent ``function``, which they must work in or act for."""
    summit = _lock(summit)
    if not permissions.can_manage_summit(actor, summit):
        raise NotAllowed(f"Only the chair of {summit} or an executive can invite participants.")
    require_open_summit(summit)
    require_works_for(person, function, field="person")
    participant = Participant(summit=summit, person=person, function=function,
                              note=(note or "").strip())  # fmt: skip
    clean(participant)
    save_or_conflict(participant, f"{person} already takes part in this summit.")
    permissions.forget(person)
    record_event(
        actor=actor, verb="participant.added", obj=participant,
        after=snapshot(participant, PARTICIPANT_FIELDS),
    )  # fmt: skip
    return participant


@transaction.atomic
def participant_remove(*, actor, participant: Participant) -> None:
    # The caller's person object is the one that may carry the cached participations.
    person = participant.person
    summit = _lock(participant.summit)
    if not permissions.can_manage_summit(actor, summit):
        raise NotAllowed(f"Only the chair of {summit} or an executive can change participants.")
    require_open_summit(summit)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    before = snapshot(participant, PARTICIPANT_FIELDS)
    record_event(actor=actor, verb="participant.removed", obj=participant, before=before)
    participant.delete()
    permissions.forget(person)
