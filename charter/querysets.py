"""Reusable filters for the charter. The charter is open to everyone signed in: knowing who
decides what is its whole point. Who may change it is in ``charter.permissions``."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from engagement.core.querysets import OpenToSignedInQuerySet


class AssignmentQuerySet(OpenToSignedInQuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)

    def as_of(self, moment: datetime):
        """The assignments in force at ``moment``: started by then and not yet ended."""
        return self.filter(started_at__lte=moment).filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=moment)
        )


class ClaimQuerySet(OpenToSignedInQuerySet):
    def open(self):
        return self.filter(status__in=["pending", "contested"])

    def pending(self):
        return self.filter(status="pending")


class ConflictQuerySet(OpenToSignedInQuerySet):
    def open(self):
        return self.filter(status="open")
