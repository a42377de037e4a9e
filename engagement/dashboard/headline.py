"""The headline figures for every scope at once: the whole organisation, each active function,
journey stage and board. The weekly snapshot (``services.snapshot_take``) stores them.

Each scope's figures are the ones ``dashboard_summary`` shows for that one filter, as an
executive sees them (the tests hold the two to the same answers), but they are not made by one
``dashboard_summary`` per scope: at 500 boards that would be thousands of queries. They come
from a fixed number of grouped queries (by stage, by board, by function) whatever the number
of scopes, folded together in Python:

* a board's touchpoints are those at the stages it governs plus those it governs directly at
  other stages, so its coverage is the sum of its stages' figures and of its direct extras;
* a function's touchpoints are those where it holds a right: counted from the assignments,
  grouped by the holding function;
* overdue decisions and items are grouped by (board, owner function) and by the stages of
  their touchpoints; the escalations waiting for the CEO are few, and read row by row.

``moment`` reconstructs the figures as they stood at a past moment from the record's own
timestamps (assignments in force, conflicts opened and not yet decided, decisions not yet
carried out, items not yet done, escalations not yet closed). Only the demo uses it, to show a
trend on its first day (the weekly job never fills in a week it missed); what the record does
not date (a touchpoint archived, a decision superseded, an item cancelled) is taken as it is
now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from boards.models import Board, Decision, Escalation
from charter.models import Conflict, RightAssignment
from charter.selectors import Coverage, held_count_filter
from engagement.org.models import Function
from summits.models import ActionItem
from touchpoints.models import JourneyStage, Touchpoint

ALL, FUNCTION, STAGE, BOARD = "all", "function", "stage", "board"

BoardTouchpoint = Board.scope_touchpoints.through
BoardStage = Board.scope_stages.through


@dataclass(frozen=True)
class ScopeKey:
    """One scope: the whole organisation (``ALL``, no id) or one function, stage or board."""

    kind: str
    pk: int | None = None


@dataclass
class Headline:
    """The headline figures of one scope (those of ``figures.TrendPoint`` but the week)."""

    touchpoints: int = 0
    held: int = 0
    contested: int = 0
    open_conflicts: int = 0
    overdue_decisions: int = 0
    overdue_actions: int = 0
    ceo_escalations: int = 0

    @property
    def coverage(self) -> Coverage:
        return Coverage(
            touchpoints=self.touchpoints,
            held=self.held,
            contested=self.contested,
            pending_claims=0,
            by_right=[],
            functions=[],
        )

    @property
    def coverage_percent(self) -> int | None:
        return self.coverage.percent

    @property
    def vacant(self) -> int:
        return self.coverage.vacant

    def add_coverage(self, other: Headline) -> None:
        self.touchpoints += other.touchpoints
        self.held += other.held
        self.contested += other.contested
        self.open_conflicts += other.open_conflicts


class Record:
    """The sets the headline figures count, now or as they stood at ``moment``. The charter's
    sets (touchpoints, rights, conflicts) at ``charter_moment``, which is ``moment`` unless
    given: None takes the charter as it stands now."""

    def __init__(self, *, now: datetime, moment: datetime | None = None, charter_moment=...):
        self.moment = moment
        self.charter_moment = moment if charter_moment is ... else charter_moment
        self.today = timezone.localdate(moment or now)

    def touchpoints(self):
        """Open for claims (not archived, not retired): what the charter's coverage counts."""
        qs = Touchpoint.objects.open_for_claims()
        moment = self.charter_moment
        return qs if moment is None else qs.filter(created_at__lte=moment)

    def assignments(self):
        qs = RightAssignment.objects.all()
        return qs.active() if self.charter_moment is None else qs.as_of(self.charter_moment)

    def held(self, prefix: str) -> Q:
        """Over a touchpoint's assignments (through ``prefix``): those in force."""
        return held_count_filter(self.charter_moment, prefix=prefix)

    def open_conflicts(self):
        return Conflict.objects.filter(self.conflict_open(""))

    def conflict_open(self, prefix: str) -> Q:
        moment = self.charter_moment
        if moment is None:
            return Q(**{f"{prefix}status": Conflict.Status.OPEN})
        return Q(**{f"{prefix}opened_at__lte": moment}) & (
            Q(**{f"{prefix}decided_at__isnull": True}) | Q(**{f"{prefix}decided_at__gt": moment})
        )

    def overdue_decisions(self):
        if self.moment is None:
            return Decision.objects.overdue(self.today)
        return Decision.objects.filter(
            Q(status__in=Decision.PENDING_STATUSES)
            | Q(status=Decision.Status.IMPLEMENTED, implemented_at__gt=self.moment),
            logged_at__lte=self.moment,
            due_on__lt=self.today,
        )

    def overdue_actions(self):
        if self.moment is None:
            return ActionItem.objects.overdue(self.today)
        return ActionItem.objects.filter(
            Q(status__in=ActionItem.OPEN_STATUSES)
            | Q(status=ActionItem.Status.DONE, completed_on__gte=self.today),
            created_at__lte=self.moment,
            due_on__lt=self.today,
        )

    def ceo_escalations(self):
        """Open escalations to the top of a ladder (a body that escalates to nobody)."""
        qs = Escalation.objects.filter(to_board__escalates_to__isnull=True)
        if self.moment is None:
            return qs.open()
        return qs.filter(raised_at__lte=self.moment).filter(
            Q(status__in=Escalation.OPEN_STATUSES) | Q(closed_at__gt=self.moment)
        )


def scopes() -> list[ScopeKey]:
    """The scopes a snapshot covers: the organisation, each active function, stage, board."""
    keys = [ScopeKey(ALL)]
    for kind, model in ((FUNCTION, Function), (STAGE, JourneyStage), (BOARD, Board)):
        ids = model.objects.active().order_by("pk").values_list("pk", flat=True)
        keys += [ScopeKey(kind, pk) for pk in ids]
    return keys


def headline_figures(
    *, now: datetime | None = None, moment: datetime | None = None, charter_moment=...
) -> dict[ScopeKey, Headline]:
    """The headline figures of every scope (``scopes()``), by scope key; at ``moment`` (and
    ``charter_moment``, see ``Record``) if given."""
    now = now or timezone.now()
    record = Record(now=now, moment=moment, charter_moment=charter_moment)
    keys = scopes()
    figures: dict[ScopeKey, Headline] = {key: Headline() for key in keys}

    def at(kind: str, pk) -> Headline | None:
        return figures.get(ScopeKey(kind, pk))

    by_stage = _coverage_by_stage(record)
    whole = figures[ScopeKey(ALL)]
    for stage_id, headline in by_stage.items():
        whole.add_coverage(headline)
        if (row := at(STAGE, stage_id)) is not None:
            row.add_coverage(headline)
    for board_id, headline in _coverage_by_board(record, by_stage).items():
        if (row := at(BOARD, board_id)) is not None:
            row.add_coverage(headline)
    for function_id, headline in _coverage_by_function(record).items():
        if (row := at(FUNCTION, function_id)) is not None:
            row.add_coverage(headline)

    for field, items in (
        ("overdue_decisions", record.overdue_decisions()),
        ("overdue_actions", record.overdue_actions()),
    ):
        for kind, pk, n in _overdue_counts(items):
            if kind == ALL:
                setattr(whole, field, getattr(whole, field) + n)
            elif (row := at(kind, pk)) is not None:
                setattr(row, field, getattr(row, field) + n)

    for kind, pk in _escalation_scopes(record):
        if (row := at(kind, pk)) is not None:
            row.ceo_escalations += 1
    return figures


# --- Coverage and conflicts ------------------------------------------------------------------


def _coverage_by_stage(record: Record) -> dict[int, Headline]:
    """Touchpoints open for claims, rights held and open conflicts on them, per stage (every
    stage, retired ones too: the whole organisation is their sum)."""
    touchpoints = record.touchpoints()
    found: dict[int, Headline] = defaultdict(Headline)
    for stage_id, n in touchpoints.order_by().values_list("stage").annotate(n=Count("pk")):
        found[stage_id].touchpoints = n
    held = record.assignments().filter(touchpoint__in=touchpoints)
    for stage_id, n in held.order_by().values_list("touchpoint__stage").annotate(n=Count("pk")):
        found[stage_id].held = n
    conflicts = record.open_conflicts().filter(touchpoint__in=touchpoints).order_by()
    for stage_id, n in conflicts.values_list("touchpoint__stage").annotate(n=Count("pk")):
        found[stage_id].contested = found[stage_id].open_conflicts = n
    return found


def _coverage_by_board(record: Record, by_stage: dict[int, Headline]) -> dict[int, Headline]:
    """A board governs the touchpoints at its stages and those it names at other stages: two
    disjoint sets, so its figures are its stages' sums plus those of its direct extras."""
    touchpoints = record.touchpoints()
    found: dict[int, Headline] = defaultdict(Headline)
    for board_id, stage_id in BoardStage.objects.values_list("board_id", "journeystage_id"):
        if stage_id in by_stage:
            found[board_id].add_coverage(by_stage[stage_id])
    at_own_stage = BoardStage.objects.filter(
        board_id=OuterRef("board_id"), journeystage_id=OuterRef("touchpoint__stage_id")
    )
    extras = BoardTouchpoint.objects.filter(touchpoint__in=touchpoints).filter(
        ~Exists(at_own_stage)
    )
    held = record.held("touchpoint__right_assignments__")
    for board_id, n, held_n in (
        extras.order_by()
        .values_list("board_id")
        .annotate(
            n=Count("touchpoint_id", distinct=True),
            held=Count("touchpoint__right_assignments", filter=held),
        )
    ):
        found[board_id].touchpoints += n
        found[board_id].held += held_n
    open_q = record.conflict_open("touchpoint__conflicts__")
    for board_id, n in (
        extras.filter(open_q)
        .order_by()
        .values_list("board_id")
        .annotate(n=Count("touchpoint__conflicts"))
    ):
        found[board_id].contested += n
        found[board_id].open_conflicts += n
    return found


def _coverage_by_function(record: Record) -> dict[int, Headline]:
    """A function's touchpoints are those where it holds a right; its conflicts, those it is a
    party to (as holder or claimant)."""
    touchpoints = record.touchpoints()
    found: dict[int, Headline] = defaultdict(Headline)
    mine = record.assignments().filter(touchpoint__in=touchpoints).order_by()
    held = record.held("touchpoint__right_assignments__")
    for function_id, n, held_n in mine.values_list("function").annotate(
        n=Count("touchpoint", distinct=True),
        held=Count("touchpoint__right_assignments", distinct=True, filter=held),
    ):
        found[function_id].touchpoints = n
        found[function_id].held = held_n
    contested = record.conflict_open("touchpoint__conflicts__")
    for function_id, n in (
        mine.filter(contested)
        .values_list("function")
        .annotate(n=Count("touchpoint__conflicts", distinct=True))
    ):
        found[function_id].contested = n
    conflicts = record.open_conflicts().filter(touchpoint__in=touchpoints).order_by()
    for holder, claimant, n in conflicts.values_list(
        "holder_function", "claimant_function"
    ).annotate(n=Count("pk")):
        found[holder].open_conflicts += n
        if claimant != holder:
            found[claimant].open_conflicts += n
    return found


# --- Overdue decisions and items, escalations ------------------------------------------------


def _overdue_counts(items):
    """(kind, id, count) of overdue decisions or items: for the whole, per board, per owner
    function, and per stage of their touchpoints (an item counts once per stage)."""
    for board_id, function_id, n in (
        items.order_by().values_list("board", "owner_function").annotate(n=Count("pk"))
    ):
        yield ALL, None, n
        yield BOARD, board_id, n
        if function_id is not None:
            yield FUNCTION, function_id, n
    for stage_id, n in (
        items.filter(touchpoints__isnull=False)
        .order_by()
        .values_list("touchpoints__stage")
        .annotate(n=Count("pk", distinct=True))
    ):
        yield STAGE, stage_id, n


def _escalation_scopes(record: Record):
    """(kind, id) once for each scope each escalation waiting for the CEO counts in: the
    boards it goes from and to; the functions owning its decision or party to its conflict;
    the stages of its conflict's touchpoint and of its decision's touchpoints."""
    waiting = record.ceo_escalations().order_by()
    reached: dict[int, set] = defaultdict(set)
    for pk, *related in waiting.values_list(
        "pk",
        "from_board",
        "to_board",
        "decision__owner_function",
        "conflict__holder_function",
        "conflict__claimant_function",
        "conflict__touchpoint__stage",
    ):
        from_board, to_board, owner, holder, claimant, stage = related
        reached[pk] |= {(ALL, None), (BOARD, from_board), (BOARD, to_board), (STAGE, stage)}
        reached[pk] |= {(FUNCTION, f) for f in (owner, holder, claimant)}
    for pk, stage in waiting.filter(decision__touchpoints__isnull=False).values_list(
        "pk", "decision__touchpoints__stage"
    ):
        reached[pk].add((STAGE, stage))
    for scopes_reached in reached.values():
        for kind, pk in scopes_reached:
            if kind == ALL or pk is not None:
                yield kind, pk
