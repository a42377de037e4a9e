"""Reading a person's inbox and preferences. Every read starts from the person's own rows:
another person's notification, or a chat channel's, is simply not there (404)."""

from __future__ import annotations

from engagement.notify.models import Notification, Preference
from engagement.notify.services import CHOOSABLE_KINDS


def inbox(*, user, unread: bool | None = None):
    """The notifications addressed to ``user``, newest first; ``unread`` True keeps the unread
    ones, False the read ones, None all. Rows carry everything the list shows (no relation
    is read), so a page costs one query whatever its length."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    queryset = Notification.objects.inbox_of(user).order_by("-created_at", "-id")
    if unread is True:
        queryset = queryset.unread()
    elif unread is False:
        queryset = queryset.filter(read_at__isnull=False)
    return queryset


def unread_count(*, user) -> int:
    """How many of ``user``'s notifications are unread: one query (a partial index)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.inbox_of(user).unread().count()


def preference_for(*, user) -> Preference:
    """``user``'s preference, or an unsaved default (everything by e-mail, no digest) when
    they never chose one."""
    preference = Preference.objects.filter(person=user).first()
    return preference if preference is not None else Preference(person=user)


def deliveries_of(preference: Preference) -> dict[str, str]:
    """The way each choosable kind reaches the person, kinds they never chose included."""
    return {
        kind: preference.deliveries.get(kind, Preference.Delivery.EMAIL) for kind in CHOOSABLE_KINDS
    }
