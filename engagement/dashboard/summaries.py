"""What the summary table (``models.TouchpointSummary``) holds for a batch of touchpoints,
computed by the rules the rest of the product uses: the charter's assignments, conflicts and
claims, ``touchpoints.health`` for the score, and for each active KPI
``touchpoints.health.is_stale`` then ``Kpi.status_of`` its latest value (as the KPI status
figure always counted them).

A fixed number of queries per batch, whatever its size: the refresh job runs it over every
touchpoint open for claims, a batch at a time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from django.db.models import Count

from charter.models import Claim, Conflict, RightAssignment
from charter.selectors import RIGHTS
from engagement.dashboard.models import TouchpointSummary
from touchpoints.health import health_for, is_stale, kpi_rows
from touchpoints.models import Touchpoint

# The fields of a summary row that the refresh compares (all but the key and ``changed_at``).
FIGURES = (
    "stage_id", *(f"held_{right.value}" for right in RIGHTS), "contested", "pending_claims",
    "kpis_on_target", "kpis_at_risk", "kpis_off_target", "kpis_stale", "score", "findings",
    "priority_rank",
)  # fmt: skip


def kpi_status(kpi, today: date) -> str:
    """'stale' (never measured included), else the status of the latest value."""
    if is_stale(kpi.latest_period, kpi.period, kpi.stale_after_periods, today):
        return "stale"
    return kpi.status_of(kpi.latest_value)


def summarise(touchpoints: list[Touchpoint], *, now: datetime, today: date):
    """Unsaved ``TouchpointSummary`` rows for ``touchpoints`` (with ``stage_id`` and
    ``priority`` loaded), keyed by touchpoint id. Seven queries for any number."""
    ids = [tp.pk for tp in touchpoints]
    held = defaultdict(set)
    assignments = RightAssignment.objects.active().filter(touchpoint_id__in=ids)
    for touchpoint_id, right in assignments.values_list("touchpoint_id", "right"):
        held[touchpoint_id].add(right)
    contested = _counts(Conflict.objects.open().filter(touchpoint_id__in=ids))
    pending = _counts(Claim.objects.pending().filter(touchpoint_id__in=ids))
    kpis: dict[int, Counter] = defaultdict(Counter)
    for kpi in kpi_rows(ids):
        kpis[kpi.touchpoint_id][kpi_status(kpi, today)] += 1
    health = health_for(touchpoints)
    rows = {}
    for tp in touchpoints:
        tp_health, statuses = health[tp.pk], kpis[tp.pk]
        rows[tp.pk] = TouchpointSummary(
            touchpoint_id=tp.pk,
            stage_id=tp.stage_id,
            **{f"held_{right.value}": right.value in held[tp.pk] for right in RIGHTS},
            contested=contested.get(tp.pk, 0),
            pending_claims=pending.get(tp.pk, 0),
            kpis_on_target=statuses["on_target"],
            kpis_at_risk=statuses["at_risk"],
            kpis_off_target=statuses["off_target"],
            kpis_stale=statuses["stale"],
            score=tp_health.score,
            findings=len(tp_health.penalties),
            priority_rank=Touchpoint.PRIORITY_RANK.get(tp.priority, len(Touchpoint.PRIORITY_RANK)),
            changed_at=now,
        )
    return rows


def _counts(queryset) -> dict[int, int]:
    return dict(queryset.order_by().values_list("touchpoint_id").annotate(n=Count("pk")))


def differs(stored: list | None, new: TouchpointSummary) -> bool:
    """Whether ``new`` changes the stored figures (``FIGURES``, in order; None: no row)."""
    return stored is None or list(stored) != [getattr(new, name) for name in FIGURES]
