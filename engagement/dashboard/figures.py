"""What the dashboard shows: each figure as plain data, with a ``Link`` to the rows behind it.

``engagement.dashboard.selectors.dashboard_summary`` fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from django.urls import reverse

from boards.models import Board, Escalation
from boards.selectors import BoardHealth
from charter.selectors import Coverage
from engagement.dashboard.filters import DashboardFilters
from summits.models import Summit
from summits.selectors import Completion
from touchpoints.models import JourneyStage, Touchpoint

AGE_BUCKETS = (("under_7", "< 7 days"), ("7_to_30", "7 to 30 days"), ("over_30", "> 30 days"))
KPI_STATUSES = ("on_target", "at_risk", "off_target", "stale")

# --- Links -------------------------------------------------------------------------------------


@dataclass
class Link:
    """A list page (URL name, and ``pk`` for a detail page) with the query parameters that show
    the rows behind a figure. ``unapplied`` names the dashboard filters the page cannot
    express, so the figure may count fewer rows than the page lists."""

    name: str
    params: dict[str, str] = field(default_factory=dict)
    pk: int | None = None
    unapplied: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        path = reverse(self.name, kwargs={"pk": self.pk} if self.pk is not None else None)
        return f"{path}?{urlencode(self.params)}" if self.params else path


def list_params(
    filters: DashboardFilters, *, function: str = "", stage: str = "", board: str = ""
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The query parameters that narrow a list as ``filters`` narrow a figure, and the filters
    the list cannot apply. Each keyword is the list's parameter for that dashboard filter
    (function and stage by slug, board by id); left out, the list has none."""
    params: dict[str, str] = {}
    unapplied: list[str] = []
    for name, param in (("function", function), ("stage", stage), ("board", board)):
        value = getattr(filters, name)
        if value is None:
            continue
        if not param:
            unapplied.append(name)
        else:
            params[param] = str(value.pk) if name == "board" else value.slug
    return params, tuple(unapplied)


# --- Figures -----------------------------------------------------------------------------------


@dataclass
class CoverageFigure:
    """Charter coverage over the touchpoints open for claims in scope (charter's ``Coverage``:
    ``share``, ``percent``, ``held``, ``vacant``, ``contested`` open conflicts, pending claims,
    per right)."""

    summary: Coverage
    link: Link
    vacant_link: Link
    contested_link: Link


@dataclass
class Breakdown:
    """One row of a "by board" or "by function" table."""

    key: int | None  # the board's or function's id; None for "no function"
    label: str
    count: int
    link: Link
    extra: dict = field(default_factory=dict)


@dataclass
class ConflictFigure:
    total: int
    by_age: dict[str, int]  # AGE_BUCKETS keys
    ungoverned: int  # on touchpoints no active board governs
    oldest_opened_at: datetime | None
    by_board: list[Breakdown]  # a conflict counts under every board that governs it
    link: Link


@dataclass
class OverdueFigure:
    total: int
    by_board: list[Breakdown]
    by_function: list[Breakdown]
    link: Link


@dataclass
class BoardCadence:
    board: Board
    health: BoardHealth  # planned, held, cancelled, latency_days, decided_conflicts
    link: Link


@dataclass
class CadenceFigure:
    since: date
    planned: int
    held: int
    cancelled: int
    latency_days: float | None  # median days from a conflict opening to its decision
    decided_conflicts: int
    boards: list[BoardCadence]

    @property
    def held_share(self) -> int | None:
        return round(100 * self.held / self.planned) if self.planned else None


@dataclass
class EscalationFigure:
    total: int
    oldest_raised_at: datetime | None
    by_body: list[Breakdown]  # per top body (a board that escalates to nobody)
    oldest: list[Escalation]  # the longest waiting, oldest first
    link: Link


@dataclass
class StageKpiStatus:
    stage: JourneyStage
    counts: dict[str, int]  # KPI_STATUSES keys
    link: Link

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class KpiStatusFigure:
    totals: dict[str, int]
    stages: list[StageKpiStatus]


@dataclass
class AtRiskTouchpoint:
    touchpoint: Touchpoint
    score: int
    band: str
    reasons: list[str]
    link: Link


@dataclass
class SummitCompletion:
    summit: Summit
    completion: Completion  # all the summit's items, as the summit page shows them
    link: Link


@dataclass
class SummitFigure:
    since: date
    total: Completion  # the shown summits' items, narrowed by the filters
    summits: list[SummitCompletion]
    link: Link


@dataclass
class TrendPoint:
    """The headline figures as the weekly snapshot took them (``week`` is its Monday)."""

    week: date
    coverage_percent: int | None
    vacant: int
    contested: int
    open_conflicts: int
    overdue_decisions: int
    overdue_actions: int
    ceo_escalations: int


@dataclass
class DashboardSummary:
    filters: DashboardFilters
    today: date
    since: date
    coverage: CoverageFigure
    conflicts: ConflictFigure
    overdue_decisions: OverdueFigure
    overdue_actions: OverdueFigure
    cadence: CadenceFigure
    ceo_escalations: EscalationFigure
    kpi_status: KpiStatusFigure
    at_risk: list[AtRiskTouchpoint]
    summits: SummitFigure
    # Oldest first, up to the last 12 weeks, for the scope the filters give; empty when no
    # snapshot covers that scope yet.
    trend: list[TrendPoint] = field(default_factory=list)
    # When the summary tables were last refreshed (every few minutes by a job): the charter
    # coverage, the KPI status and the ranking of the touchpoints most at risk come from them
    # (and, with the stage filter, which stages overdue decisions and items belong to). None
    # before the first refresh, when those figures are empty. Everything else is live.
    as_of: datetime | None = None
