"""The trend: the headline figures of the last weeks, from the weekly snapshots (one query;
none with several filters combined, which no snapshot covers)."""

from __future__ import annotations

from engagement.dashboard.figures import TrendPoint
from engagement.dashboard.filters import DashboardFilters
from engagement.dashboard.models import DashboardSnapshot

TREND_WEEKS = 12
FIELDS = (
    "week", "coverage_percent", "vacant", "contested", "open_conflicts", "overdue_decisions",
    "overdue_actions", "ceo_escalations",
)  # fmt: skip


def trend_points(user, filters: DashboardFilters) -> list[TrendPoint]:
    """The snapshots of the scope the filters give (the whole organisation, or one function,
    stage or board), the last ``TREND_WEEKS`` weeks that have one, oldest first. The period is
    not a scope: it does not change the trend. Several filters at once: no trend."""
    given = [f for f in (filters.function, filters.stage, filters.board) if f is not None]
    if len(given) > 1:
        return []
    rows = (
        DashboardSnapshot.objects.visible_to(user)
        .of_scope(function=filters.function, stage=filters.stage, board=filters.board)
        .order_by("-week")
        .values_list(*FIELDS)[:TREND_WEEKS]
    )
    return [TrendPoint(*row) for row in reversed(rows)]
