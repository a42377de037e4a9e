"""What the dashboard reads per touchpoint, from the summary table ``TouchpointSummary``: its
figures per journey stage (one query, for the charter coverage and the KPI status, with one
more for the stages shown), the touchpoints most at risk (one query to rank them, then one per
health provider to score the ten shown live), and the table's freshness (one query)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, Sum

from charter.selectors import RIGHTS, touchpoints_held_by
from engagement.dashboard.figures import (
    KPI_STATUSES,
    AtRiskTouchpoint,
    KpiStatusFigure,
    Link,
    StageKpiStatus,
    list_params,
)
from engagement.dashboard.filters import DashboardFilters
from engagement.dashboard.models import SummaryRefresh, TouchpointSummary
from engagement.dashboard.scope import governed_by
from touchpoints.health import health_for
from touchpoints.models import JourneyStage, Touchpoint

AT_RISK_COUNT = 10
# Ranked from the table, then scored live: a touchpoint put right since the last refresh drops
# out, so a few more are read than shown.
AT_RISK_CANDIDATES = AT_RISK_COUNT + 3


def summaries_in_scope(user, filters: DashboardFilters):
    """Summary rows of the touchpoints in scope (``scope.touchpoint_in_scope`` with the
    function): the table holds the touchpoints open for claims; at the stage; in the board's
    scope; where the function holds a right."""
    qs = TouchpointSummary.objects.visible_to(user)
    if filters.stage is not None:
        qs = qs.filter(stage=filters.stage)
    if filters.board is not None:
        qs = qs.filter(governed_by(filters.board, touchpoint="touchpoint", stage="stage"))
    if filters.function is not None:
        qs = qs.filter(touchpoint__in=touchpoints_held_by(filters.function))
    return qs


def summary_by_stage(user, filters: DashboardFilters) -> dict[int, dict[str, int]]:
    """The summary table's figures over the touchpoints in scope, summed per journey stage:
    ``touchpoints``, ``held_<right>``, ``contested``, ``pending_claims`` and ``kpis_<status>``.
    One query, one pass over the table, for both the charter coverage and the KPI status."""
    sums = {
        "touchpoints": Count("pk"),
        **{
            f"held_{right.value}": Count("pk", filter=Q(**{f"held_{right.value}": True}))
            for right in RIGHTS
        },
        "contested": Sum("contested"),
        "pending_claims": Sum("pending_claims"),
        **{f"kpis_{status}": Sum(f"kpis_{status}") for status in KPI_STATUSES},
    }
    rows = summaries_in_scope(user, filters).order_by().values("stage").annotate(**sums)
    return {row.pop("stage"): row for row in rows}


def summaries_as_of(user) -> datetime | None:
    """When the summary table was last refreshed; None before its first refresh."""
    return (
        SummaryRefresh.objects.visible_to(user)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )


# --- KPI status by journey stage ---------------------------------------------------------------


def kpi_status_figure(user, filters: DashboardFilters, by_stage: dict) -> KpiStatusFigure:
    """Each active KPI of the touchpoints in scope by its latest value, with the touchpoint
    health rules: stale (``touchpoints.health.is_stale``, never measured included) first, then
    ``Kpi.status_of`` the latest value (``summaries.kpi_status``, counted by the refresh).
    ``by_stage``: ``summary_by_stage``."""
    stages = JourneyStage.objects.visible_to(user).order_by("position", "name")
    # The stage filtered on even if retired; otherwise the journey as it stands.
    stages = stages.active() if filters.stage is None else stages.filter(pk=filters.stage.pk)
    stage_list = list(stages)
    counts = {s.pk: dict.fromkeys(KPI_STATUSES, 0) for s in stage_list}
    for stage_id, sums in by_stage.items():
        if stage_id in counts:  # a retired stage is not shown
            counts[stage_id] = {status: sums[f"kpis_{status}"] for status in KPI_STATUSES}
    # Each row links to its own stage's touchpoints (so the stage filter is applied).
    narrowed, unapplied = list_params(filters, function="function", stage="stage")
    return KpiStatusFigure(
        totals={s: sum(c[s] for c in counts.values()) for s in KPI_STATUSES},
        stages=[
            StageKpiStatus(
                stage=stage,
                counts=counts[stage.pk],
                link=Link(
                    "touchpoints:touchpoint_list",
                    {**narrowed, "stage": stage.slug},
                    unapplied=unapplied,
                ),
            )
            for stage in stage_list
        ],
    )


# --- The touchpoints most at risk ----------------------------------------------------------------


def at_risk_list(user, filters: DashboardFilters) -> list[AtRiskTouchpoint]:
    """The ten lowest health scores (``touchpoints.health``), most urgent priority first among
    equals; touchpoints with nothing wrong are left out.

    Ranked by the scores in the summary table, then the candidates are scored again live
    (``health_for``: a fixed number of queries for them), so the scores and reasons shown are
    current and in the reader's language."""
    candidates = [
        row.touchpoint
        for row in summaries_in_scope(user, filters)
        .filter(findings__gt=0, touchpoint__is_archived=False)
        .exclude(touchpoint__status=Touchpoint.Status.RETIRED)
        .select_related("touchpoint__stage", "touchpoint__channel")
        .order_by("score", "priority_rank", "touchpoint__name", "touchpoint_id")[
            :AT_RISK_CANDIDATES
        ]
    ]
    health = health_for(candidates)
    wrong = [tp for tp in candidates if health[tp.pk].penalties]
    wrong.sort(
        key=lambda tp: (
            health[tp.pk].score,
            Touchpoint.PRIORITY_RANK.get(tp.priority, len(Touchpoint.PRIORITY_RANK)),
            tp.name,
            tp.pk,
        )
    )
    return [
        AtRiskTouchpoint(
            touchpoint=tp,
            score=health[tp.pk].score,
            band=health[tp.pk].band,
            reasons=[p.reason for p in health[tp.pk].penalties],
            link=Link("touchpoints:touchpoint_detail", pk=tp.pk),
        )
        for tp in wrong[:AT_RISK_COUNT]
    ]
