"""Reusable filters for summits and action items. Like boards, they are open to everyone
signed in: commitments are meant to be seen. Who may act is in ``summits.permissions``."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from engagement.core.querysets import OpenToSignedInQuerySet

OPEN_STATUSES = ("open", "in_progress")
CLOSED_STATUSES = ("done", "cancelled")


class SummitQuerySet(OpenToSignedInQuerySet):
    def before(self, summit):
        """Summits that started before ``summit`` (the latest first)."""
        return self.filter(
            Q(starts_on__lt=summit.starts_on) | Q(starts_on=summit.starts_on, pk__lt=summit.pk)
        ).order_by("-starts_on", "-pk")


class ActionItemQuerySet(OpenToSignedInQuerySet):
    def open(self):
        """Still to be carried out: open or in progress."""
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)

    def overdue(self, today: date | None = None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def due_soon(self, days: int = 14, today: date | None = None):
        """Open and due from today to ``days`` ahead (not yet overdue)."""
        today = today or timezone.localdate()
        return self.open().filter(due_on__gte=today, due_on__lte=today + timedelta(days=days))

    def mine(self, user, function_ids=()):
        """Assigned to ``user`` or to a function they act for, or created by them."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(
            Q(owner=user.pk) | Q(owner_function__in=list(function_ids)) | Q(created_by=user.pk)
        )
