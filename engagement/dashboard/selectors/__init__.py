"""The executive dashboard's figures: is customer engagement governed, and where is it not?

``dashboard_summary`` composes the lower apps' selectors and rules (charter coverage, board
health's definitions, KPI status, touchpoint health, summit completion) and costs a fixed
number of queries whatever the number of touchpoints, boards, decisions or items: every
figure is an aggregate or a grouped count, and the lists are capped. Sections with nothing to
show may skip a query, and with several filters combined there is no trend to read.

Live and summarised figures. Everything is counted live from the records except what is
counted per touchpoint: charter coverage, the KPI status and the ranking of the touchpoints
most at risk come from the summary table ``TouchpointSummary``, which a job keeps current
every few minutes (``services.touchpoint_summaries_refresh``), because counting rights and
KPIs, and scoring every touchpoint, over 50,000 touchpoints costs more than the page may take
(see ``benchmarks/dashboard.py``); and with the stage filter, which stages the overdue
decisions and items belong to comes from ``DecisionStage`` and ``ActionItemStage`` (whether
they are overdue stays live), because matching every overdue item's touchpoints against the
stage goes through every decision's links. ``DashboardSummary.as_of`` says when the tables
were last refreshed, for the page to print; the ten touchpoints shown are scored again live,
so their scores and reasons are current.

Every figure carries a ``Link``: the list page and query parameters that show the rows behind
it, and the dashboard filters that page cannot apply (so the page can say so).

Filters (``engagement.dashboard.filters.DashboardFilters``):

* **stage** and **board** narrow the touchpoints counted (at the stage; in the board's scope,
  directly or by stage), and what hangs off them;
* **function** narrows each figure to the function's part: the touchpoints where it holds a
  right (as the rights matrix's function filter does), the conflicts it is a party to, the
  decisions and action items it owns, the escalations about those;
* **period** is the window for board cadence, decision latency and the summits shown.

The modules: ``coverage`` (charter coverage, open conflicts), ``overdue`` (decisions and
action items), ``cadence`` (board cadence, escalations waiting for the CEO), ``touchpoints``
(KPI status, the touchpoints most at risk, the summary table's freshness), ``summits`` and
``trend`` (the weekly snapshots).
"""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone

from engagement.dashboard.figures import DashboardSummary
from engagement.dashboard.filters import DashboardFilters
from engagement.dashboard.scope import boards_in_scope
from engagement.dashboard.selectors.cadence import (
    ESCALATIONS_SHOWN,
    cadence_figure,
    ceo_escalation_figure,
)
from engagement.dashboard.selectors.coverage import conflict_figure, coverage_figure
from engagement.dashboard.selectors.overdue import overdue_actions_figure, overdue_decisions_figure
from engagement.dashboard.selectors.summits import SUMMITS_SHOWN, summit_figure
from engagement.dashboard.selectors.touchpoints import (
    AT_RISK_COUNT,
    at_risk_list,
    kpi_status_figure,
    summaries_as_of,
    summary_by_stage,
)
from engagement.dashboard.selectors.trend import TREND_WEEKS, trend_points

__all__ = [
    "AT_RISK_COUNT",
    "ESCALATIONS_SHOWN",
    "SUMMITS_SHOWN",
    "TREND_WEEKS",
    "dashboard_summary",
]


def dashboard_summary(
    *, user, filters: DashboardFilters | None = None, now: datetime | None = None
) -> DashboardSummary:
    """Every figure of the executive dashboard, for ``user`` and ``filters``.

    A fixed number of queries (pinned in tests) whatever the size of the data.
    """
    filters = filters or DashboardFilters()
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = filters.since(today)
    since_at = timezone.make_aware(datetime.combine(since, time.min))
    # The boards in scope, read once (by name, as the cadence lists them). The queries that
    # count per board take them as a subquery when that is cheap (every active board, or the
    # one filtered on), as their ids when a stage makes it dear to work out again.
    in_scope = boards_in_scope(user, filters)
    # Only what the figures show of a board (its name, and its id for links): at 500 boards,
    # whole rows cost more to read into objects than the counting queries take.
    boards = list(in_scope.order_by("name").only("pk", "name"))
    board_ids = [b.pk for b in boards] if filters.stage is not None else in_scope.values("pk")
    by_stage = summary_by_stage(user, filters)
    return DashboardSummary(
        filters=filters,
        today=today,
        since=since,
        coverage=coverage_figure(filters, by_stage),
        conflicts=conflict_figure(user, filters, board_ids, now),
        overdue_decisions=overdue_decisions_figure(user, filters, today),
        overdue_actions=overdue_actions_figure(user, filters, today),
        cadence=cadence_figure(boards, board_ids, since, since_at, now),
        ceo_escalations=ceo_escalation_figure(user, filters),
        kpi_status=kpi_status_figure(user, filters, by_stage),
        at_risk=at_risk_list(user, filters),
        summits=summit_figure(user, filters, since, today),
        trend=trend_points(user, filters),
        as_of=summaries_as_of(user),
    )
