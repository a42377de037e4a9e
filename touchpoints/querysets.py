"""Reusable filters for touchpoints and their facts.

The fact base is shared: everyone who can sign in reads every touchpoint, KPI and measurement
(the product's "one fact base"). Writes are restricted in ``touchpoints.permissions``.
"""

from __future__ import annotations

from engagement.core.querysets import OpenActiveQuerySet, OpenToSignedInQuerySet


class VocabularyQuerySet(OpenActiveQuerySet):
    """Journey stages and channels, retired with is_active."""


class TouchpointQuerySet(OpenToSignedInQuerySet):
    def current(self):
        """Not archived (retired touchpoints stay visible; archived ones leave the lists)."""
        return self.filter(is_archived=False)

    def open_for_claims(self):
        return self.current().exclude(status="retired")


class KpiQuerySet(OpenActiveQuerySet):
    pass


class MeasurementQuerySet(OpenToSignedInQuerySet):
    pass
