"""The executive dashboard's figures on a small scene, its filters, and its query budget."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from boards.models import Decision, Escalation, Meeting
from boards.tests.factories import BoardFactory, MeetingFactory
from charter.models import Claim, Conflict, Right
from charter.tests.factories import ClaimFactory, RightAssignmentFactory
from engagement.dashboard.filters import DashboardFilters, InvalidFilters
from engagement.dashboard.selectors import dashboard_summary
from engagement.dashboard.services import touchpoint_summaries_refresh
from engagement.org.tests.factories import FunctionFactory
from summits.models import ActionItem
from summits.tests.factories import ActionItemFactory, SummitFactory
from touchpoints.health import period_start
from touchpoints.tests.factories import (
    JourneyStageFactory,
    KpiFactory,
    MeasurementFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db

# The dashboard's whole cost, whatever the number of rows (see test_query_count_is_fixed):
# unfiltered or with one filter. With several filters combined there is no trend to read
# (no snapshot covers such a view), so one query fewer.
DASHBOARD_QUERIES = 20
COMBINED_FILTERS_QUERIES = DASHBOARD_QUERIES - 1


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def open_conflict(touchpoint, right, holder, claimant, *, opened_days_ago: int) -> Conflict:
    """An open conflict over ``right``, ``holder`` holding it and ``claimant`` claiming it."""
    claim = ClaimFactory(
        touchpoint=touchpoint, right=right, function=claimant, status=Claim.Status.CONTESTED
    )
    conflict = Conflict.objects.create(
        claim=claim, touchpoint=touchpoint, right=right, holder_function=holder,
        claimant_function=claimant,
    )  # fmt: skip
    Conflict.objects.filter(pk=conflict.pk).update(opened_at=days_ago(opened_days_ago))
    conflict.refresh_from_db()
    return conflict


def decision(board, logged_by, *, due_in_days=None, function=None, conflict=None, **kwargs):
    today = timezone.localdate()
    return Decision.objects.create(
        board=board, title="Decide", rationale="Facts.", logged_by=logged_by,
        owner_function=function, conflict=conflict,
        due_on=today + timedelta(days=due_in_days) if due_in_days is not None else None,
        **kwargs,
    )  # fmt: skip


def measured_kpi(touchpoint, value, *, months_ago: int = 0, **kwargs):
    kpi = KpiFactory(touchpoint=touchpoint, **kwargs)
    day = timezone.localdate()
    for _ in range(months_ago):
        day = period_start(day, "monthly") - timedelta(days=1)
    MeasurementFactory(kpi=kpi, period=period_start(day, "monthly"), value=Decimal(value))
    return kpi


@pytest.fixture
def scene(function, other_function, executive):
    return build_scene(function, other_function, executive)


def build_scene(marketing, operations, executive) -> dict:
    """Three touchpoints (two at "Buy", one at "Consider"), a customer board governing "Buy"
    under an executive committee, and their conflicts, decisions, meetings, escalations, KPIs
    and a summit's items; then the summary table is refreshed, as its job does every few
    minutes. ``marketing`` and ``operations`` are the ``function`` and ``other_function``
    fixtures."""
    buy = JourneyStageFactory(name="Buy", position=3)
    consider = JourneyStageFactory(name="Consider", position=1)
    signup = TouchpointFactory(name="Sign-up page", stage=buy)
    script = TouchpointFactory(name="Call-centre script", stage=buy)
    letter = TouchpointFactory(name="Billing letter", stage=consider)
    TouchpointFactory(name="Old leaflet", stage=buy, is_archived=True)

    # Charter: sign-up fully held, the script's design held, the letter's rights all vacant.
    for right, holder in (
        (Right.DESIGN, marketing), (Right.UPDATE, marketing),
        (Right.BUILD, operations), (Right.OPERATE, operations),
    ):  # fmt: skip
        RightAssignmentFactory(touchpoint=signup, right=right, function=holder)
    RightAssignmentFactory(touchpoint=script, right=Right.DESIGN, function=marketing)
    ClaimFactory(touchpoint=letter, right=Right.DESIGN, function=marketing)

    top = BoardFactory(name="Executive committee", chair=executive)
    board = BoardFactory(name="Customer board", escalates_to=top)
    board.scope_stages.add(buy)
    sub = BoardFactory(name="Web working group", escalates_to=board)
    sub.scope_touchpoints.add(signup)

    # Conflicts: 3 days old on sign-up, 40 on the script (both governed), 10 on the letter.
    open_conflict(signup, Right.BUILD, operations, marketing, opened_days_ago=3)
    open_conflict(script, Right.DESIGN, marketing, operations, opened_days_ago=40)
    open_conflict(letter, Right.OPERATE, operations, FunctionFactory(), opened_days_ago=10)
    decided = open_conflict(signup, Right.OPERATE, operations, marketing, opened_days_ago=10)
    Conflict.objects.filter(pk=decided.pk).update(
        status=Conflict.Status.RESOLVED, decided_at=days_ago(4)
    )

    # Decisions: two overdue (one owned by marketing), one not yet due, one that decided the
    # conflict six days after it opened.
    late = decision(board, board.chair, due_in_days=-5, function=marketing)
    late.touchpoints.add(script)
    decision(top, executive, due_in_days=-1)
    decision(board, board.chair, due_in_days=10, function=marketing)
    decision(
        board, board.chair, conflict=decided, status=Decision.Status.IMPLEMENTED,
        logged_at=days_ago(4),
    )  # fmt: skip

    # Cadence: in the last 90 days the board held two meetings, missed one, cancelled one.
    for days, status in ((60, "held"), (30, "held"), (3, "scheduled"), (20, "cancelled")):
        MeetingFactory(board=board, starts_at=days_ago(days), status=status)
    MeetingFactory(board=board, starts_at=days_ago(200), status=Meeting.Status.HELD)

    # Escalations: one waiting at the top, one already decided, one waiting at the board.
    Escalation.objects.create(
        from_board=board, to_board=top, title="Budget for the script", reason="Beyond us.",
        raised_by=board.chair, decision=late,
    )  # fmt: skip
    Escalation.objects.create(
        from_board=board, to_board=top, title="Done", reason="-", raised_by=board.chair,
        status=Escalation.Status.RESOLVED,
    )  # fmt: skip
    Escalation.objects.create(
        from_board=sub, to_board=board, title="Web copy", reason="-", raised_by=sub.chair
    )

    # KPIs: sign-up on target and one stale; the script at risk; the letter off target.
    measured_kpi(signup, "85", name="Completion")
    measured_kpi(signup, "90", name="Satisfaction", months_ago=4)
    measured_kpi(script, "75", name="First-call resolution")
    measured_kpi(letter, "50", name="Understood")

    # A summit yesterday: one item overdue (marketing), one done on time, one not yet due.
    summit = SummitFactory(title="Summit 2026")
    today = timezone.localdate()
    overdue = ActionItemFactory(
        summit=summit, board=board, owner_function=marketing, due_on=today - timedelta(days=2)
    )
    overdue.touchpoints.add(script)
    ActionItemFactory(
        summit=summit, board=board, owner_function=operations, status=ActionItem.Status.DONE,
        due_on=today, completed_on=today - timedelta(days=1),
    )  # fmt: skip
    ActionItemFactory(summit=summit, board=board, owner_function=operations)
    touchpoint_summaries_refresh()
    return {
        "buy": buy, "consider": consider, "signup": signup, "script": script, "letter": letter,
        "top": top, "board": board, "sub": sub, "summit": summit,
    }  # fmt: skip


def test_charter_coverage_counts_rights_held_vacant_and_contested(scene, executive):
    summary = dashboard_summary(user=executive, filters=DashboardFilters())

    coverage = summary.coverage.summary
    assert (coverage.touchpoints, coverage.held, coverage.vacant) == (3, 5, 7)
    assert coverage.percent == 42
    assert coverage.contested == 3
    assert coverage.pending_claims == 1
    assert {c.right: c.vacant for c in coverage.by_right} == {
        Right.DESIGN: 1, Right.BUILD: 2, Right.OPERATE: 2, Right.UPDATE: 2,
    }  # fmt: skip
    assert summary.coverage.vacant_link.url == "/charter/?state=vacant"


def test_open_conflicts_by_age_and_by_governing_board(scene, executive):
    conflicts = dashboard_summary(user=executive, filters=DashboardFilters()).conflicts

    assert conflicts.total == 3
    assert conflicts.by_age == {"under_7": 1, "7_to_30": 1, "over_30": 1}
    assert conflicts.ungoverned == 1  # the billing letter: no board governs "Consider"
    assert [(b.label, b.count, b.extra["over_30"]) for b in conflicts.by_board] == [
        ("Customer board", 2, 1),
        ("Web working group", 1, 0),
    ]
    assert conflicts.link.url == "/charter/conflicts/?status=open"


def test_overdue_decisions_and_actions_by_function_and_board(scene, executive, function):
    summary = dashboard_summary(user=executive, filters=DashboardFilters())

    decisions = summary.overdue_decisions
    assert decisions.total == 2
    assert {(b.label, b.count) for b in decisions.by_board} == {
        ("Customer board", 1), ("Executive committee", 1),
    }  # fmt: skip
    assert {(b.label, b.count) for b in decisions.by_function} == {("Marketing", 1), ("", 1)}
    marketing_row = next(b for b in decisions.by_function if b.key == function.pk)
    assert marketing_row.link.params == {"status": "overdue", "owner_function": "marketing"}

    actions = summary.overdue_actions
    assert actions.total == 1
    assert [(b.label, b.count) for b in actions.by_function] == [("Marketing", 1)]
    assert actions.by_board[0].link.url == (
        f"/summits/actions/?overdue=true&board={scene['board'].pk}"
    )


def test_board_cadence_and_decision_latency_over_the_period(scene, executive):
    cadence = dashboard_summary(user=executive, filters=DashboardFilters()).cadence

    assert (cadence.planned, cadence.held, cadence.cancelled) == (3, 2, 1)
    assert cadence.held_share == 67
    assert cadence.latency_days == 6.0
    board = next(row for row in cadence.boards if row.board == scene["board"])
    assert (board.health.planned, board.health.held) == (3, 2)

    longer = dashboard_summary(user=executive, filters=DashboardFilters(period="365d")).cadence
    assert (longer.planned, longer.held) == (4, 3)


def test_escalations_waiting_for_the_ceo_are_those_open_at_the_top(scene, executive):
    escalations = dashboard_summary(user=executive, filters=DashboardFilters()).ceo_escalations

    assert escalations.total == 1
    assert [e.title for e in escalations.oldest] == ["Budget for the script"]
    assert escalations.by_body[0].label == "Executive committee"
    assert escalations.link.params == {"open": "true", "to_board": str(scene["top"].pk)}


def test_kpi_status_by_journey_stage(scene, executive):
    kpis = dashboard_summary(user=executive, filters=DashboardFilters()).kpi_status

    by_stage = {row.stage.name: row.counts for row in kpis.stages}
    assert by_stage["Buy"] == {"on_target": 1, "at_risk": 1, "off_target": 0, "stale": 1}
    assert by_stage["Consider"] == {"on_target": 0, "at_risk": 0, "off_target": 1, "stale": 0}
    assert kpis.totals == {"on_target": 1, "at_risk": 1, "off_target": 1, "stale": 1}
    assert [row.stage.name for row in kpis.stages][:2] == ["Consider", "Buy"]


def test_touchpoints_most_at_risk_lowest_health_first_with_reasons(scene, executive):
    at_risk = dashboard_summary(user=executive, filters=DashboardFilters()).at_risk

    assert [row.touchpoint.name for row in at_risk] == [
        "Billing letter", "Call-centre script", "Sign-up page",
    ]  # fmt: skip
    letter = at_risk[0]
    assert letter.score == 100 - 4 * 10 - 15 - 8
    assert letter.band == "at_risk"
    assert "Understood is off target: 50 % against 80 %" in letter.reasons
    assert letter.link.url == f"/touchpoints/{scene['letter'].pk}/"


def test_summit_action_completion(scene, executive):
    summits = dashboard_summary(user=executive, filters=DashboardFilters()).summits

    assert [s.summit.title for s in summits.summits] == ["Summit 2026"]
    completion = summits.summits[0].completion
    assert (completion.on_time, completion.open, completion.overdue) == (1, 1, 1)
    assert completion.rate == 33
    assert summits.total.rate == 33


def test_function_filter_narrows_every_figure_to_the_functions_part(scene, executive, function):
    summary = dashboard_summary(user=executive, filters=DashboardFilters(function=function))

    # The touchpoints where marketing holds a right: sign-up and the script.
    assert (summary.coverage.summary.touchpoints, summary.coverage.summary.held) == (2, 5)
    assert summary.coverage.link.params == {"function": "marketing"}
    # The conflicts marketing is a party to.
    assert summary.conflicts.total == 2
    assert summary.overdue_decisions.total == 1
    assert summary.overdue_actions.total == 1
    assert summary.ceo_escalations.total == 1  # about marketing's overdue decision
    assert [row.touchpoint.name for row in summary.at_risk] == [
        "Call-centre script", "Sign-up page",
    ]  # fmt: skip
    assert summary.summits.total.committed == 1
    assert summary.kpi_status.totals["off_target"] == 0


def test_stage_and_board_filters_narrow_to_the_touchpoints_in_scope(scene, executive):
    by_stage = dashboard_summary(user=executive, filters=DashboardFilters(stage=scene["buy"]))
    assert by_stage.coverage.summary.touchpoints == 2
    assert by_stage.conflicts.total == 2
    assert by_stage.overdue_decisions.total == 1  # the one linked to the script
    assert [row.stage.name for row in by_stage.kpi_status.stages] == ["Buy"]
    assert by_stage.coverage.link.params == {"stage": "buy"}

    by_board = dashboard_summary(user=executive, filters=DashboardFilters(board=scene["sub"]))
    assert by_board.coverage.summary.touchpoints == 1
    assert by_board.conflicts.total == 1
    assert [row.board for row in by_board.cadence.boards] == [scene["sub"]]
    assert by_board.overdue_decisions.total == 0
    # The lists learnt the board filter, so the links carry it and nothing is left unapplied.
    assert by_board.coverage.link.params == {"board": str(scene["sub"].pk)}
    assert by_board.coverage.link.unapplied == ()
    assert by_board.conflicts.link.params == {"status": "open", "board": str(scene["sub"].pk)}
    assert by_stage.overdue_decisions.link.params == {"status": "overdue", "stage": "buy"}
    assert by_stage.overdue_decisions.link.unapplied == ()
    # The touchpoint list has no board filter: the KPI rows say so.
    assert by_board.kpi_status.stages[0].link.unapplied == ("board",)


def test_someone_signed_out_sees_nothing(scene):
    from django.contrib.auth.models import AnonymousUser

    summary = dashboard_summary(user=AnonymousUser(), filters=DashboardFilters())

    assert summary.coverage.summary.touchpoints == 0
    assert summary.conflicts.total == 0
    assert summary.overdue_decisions.total == 0
    assert summary.ceo_escalations.total == 0
    assert summary.at_risk == []


# --- Filters -----------------------------------------------------------------------------------


def test_filters_from_params_resolve_slugs_and_ids(scene, executive, function):
    filters = DashboardFilters.from_params(
        {"function": "marketing", "stage": "buy", "board": str(scene["board"].pk),
         "period": "30d", "page": "2"},
        user=executive,
    )  # fmt: skip

    assert (filters.function, filters.stage, filters.board) == (
        function, scene["buy"], scene["board"],
    )  # fmt: skip
    assert filters.days == 30
    assert DashboardFilters.from_params({"function": str(function.pk)}, user=executive).function
    assert filters.as_params() == {
        "function": "marketing", "stage": "buy", "board": str(scene["board"].pk),
        "period": "30d",
    }  # fmt: skip
    assert DashboardFilters.from_params({"board": ""}, user=executive) == DashboardFilters()


def test_unknown_filter_values_are_named_in_the_error(scene, executive):
    with pytest.raises(InvalidFilters) as error:
        DashboardFilters.from_params(
            {"function": "legal", "stage": "nowhere", "board": "board-x", "period": "week"},
            user=executive,
        )

    assert set(error.value.errors) == {"function", "stage", "board", "period"}
    assert error.value.errors["function"] == "Unknown function: legal."
    assert "choose one of 30d, 90d, 180d, 365d" in error.value.errors["period"]
    assert error.value.field == "function"


def test_an_unknown_period_is_refused_when_built_directly():
    with pytest.raises(InvalidFilters, match="Unknown period: 7y"):
        DashboardFilters(period="7y")


# --- Query budget ------------------------------------------------------------------------------


def build(n: int, executive) -> dict:
    """``n`` rows of each kind the dashboard counts, spread over two stages, two functions
    and ``n`` boards under one executive committee."""
    stages = [JourneyStageFactory(name="Evaluate"), JourneyStageFactory(name="Bond")]
    functions = [FunctionFactory(name="Sales"), FunctionFactory(name="Service")]
    top = BoardFactory(name="Executive committee", chair=executive)
    summit = SummitFactory()
    today = timezone.localdate()
    boards = []
    for i in range(n):
        fn, other = functions[i % 2], functions[(i + 1) % 2]
        tp = TouchpointFactory(stage=stages[i % 2])
        RightAssignmentFactory(touchpoint=tp, right=Right.DESIGN, function=fn)
        conflict = open_conflict(tp, Right.DESIGN, fn, other, opened_days_ago=i * 3)
        board = BoardFactory(escalates_to=top)
        boards.append(board)
        board.scope_touchpoints.add(tp)
        board.scope_stages.add(stages[i % 2])
        late = decision(board, executive, due_in_days=-1 - i, function=fn)
        late.touchpoints.add(tp)
        decision(board, executive, function=fn, logged_at=days_ago(i % 80))
        MeetingFactory(board=board, starts_at=days_ago(1 + i % 80), status="held")
        Escalation.objects.create(
            from_board=board, to_board=top, title=f"Escalation {i}", reason="-",
            raised_by=executive, conflict=conflict,
        )  # fmt: skip
        measured_kpi(tp, str(50 + i), months_ago=i % 4)
        item = ActionItemFactory(
            summit=SummitFactory() if i % 10 == 0 else summit, board=board, owner_function=fn,
            due_on=today - timedelta(days=i % 3),
        )  # fmt: skip
        item.touchpoints.add(tp)
    touchpoint_summaries_refresh()
    # The first board governs the first stage, where the first function holds rights.
    return {"stage": stages[0], "function": functions[0], "board": boards[0]}


VIEWS = {
    "unfiltered": ((), DASHBOARD_QUERIES),
    "function": (("function",), DASHBOARD_QUERIES),
    "stage": (("stage",), DASHBOARD_QUERIES),
    "board": (("board",), DASHBOARD_QUERIES),
    "combined": (("function", "stage", "board"), COMBINED_FILTERS_QUERIES),
}


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("view", list(VIEWS))
def test_query_count_is_fixed(rows, view, executive, django_assert_num_queries):
    scene = build(rows, executive)
    names, queries = VIEWS[view]
    filters = DashboardFilters(period="365d", **{name: scene[name] for name in names})

    with django_assert_num_queries(queries):
        summary = dashboard_summary(user=executive, filters=filters)
        # Reading every figure, as the page and the API do, costs nothing more.
        for row in summary.at_risk:
            assert row.touchpoint.stage.name and row.link.url
        for row in summary.ceo_escalations.oldest:
            assert str(row.from_board) and str(row.to_board)
        for row in summary.cadence.boards:
            assert row.board.name and row.link.url
        for row in summary.summits.summits:
            assert row.summit.title and row.link.url

    assert summary.conflicts.total > 0
    assert summary.overdue_decisions.total > 0
    assert summary.at_risk  # so the live scoring of the ones shown is counted too
