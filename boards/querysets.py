"""Reusable filters for boards. Boards, meetings, decisions and escalations are open to
everyone signed in: governance is meant to be seen. Who may act is in ``boards.permissions``."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from engagement.core.querysets import OpenActiveQuerySet, OpenToSignedInQuerySet


def current_on(day: date | None = None, prefix: str = "") -> Q:
    """Memberships in force on ``day`` (today by default)."""
    day = day or timezone.localdate()
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": day})
    )


class BoardQuerySet(OpenActiveQuerySet):
    def governing(self, touchpoint):
        """Boards whose scope includes ``touchpoint`` (directly or by its journey stage)."""
        return self.filter(
            Q(scope_touchpoints=touchpoint.pk) | Q(scope_stages=touchpoint.stage_id)
        ).distinct()

    def led_by(self, user, day: date | None = None):
        """Boards ``user`` chairs or is a current delegate of."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        delegate = Q(memberships__person=user.pk, memberships__is_delegate=True) & current_on(
            day, "memberships__"
        )
        return self.filter(Q(chair=user.pk) | delegate).distinct()


class MembershipQuerySet(OpenToSignedInQuerySet):
    def current(self, day: date | None = None):
        return self.filter(current_on(day))


class MeetingQuerySet(OpenToSignedInQuerySet):
    def upcoming(self, now=None):
        return self.filter(status="scheduled", ends_at__gte=now or timezone.now()).order_by(
            "starts_at", "id"
        )


class DecisionQuerySet(OpenToSignedInQuerySet):
    def pending(self):
        """Decisions still to be carried out."""
        return self.filter(status__in=["open", "overdue"])

    def overdue(self, today: date | None = None):
        return self.pending().filter(due_on__lt=today or timezone.localdate())


class EscalationQuerySet(OpenToSignedInQuerySet):
    def open(self):
        return self.filter(status__in=["open", "acknowledged"])
