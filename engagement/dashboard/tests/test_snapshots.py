"""The weekly snapshots of the headline figures (the trend), the job and command that take
them, and the summary table the dashboard reads its per-touchpoint figures from."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from boards.tests.factories import BoardFactory
from charter.models import Right
from charter.tests.factories import RightAssignmentFactory
from engagement.dashboard import demo
from engagement.dashboard.filters import DashboardFilters
from engagement.dashboard.models import (
    ActionItemStage,
    DashboardSnapshot,
    DecisionStage,
    SummaryRefresh,
    TouchpointSummary,
)
from engagement.dashboard.selectors import TREND_WEEKS, dashboard_summary
from engagement.dashboard.services import (
    snapshot_take,
    touchpoint_summaries_refresh,
    week_of,
)
from engagement.dashboard.tasks import refresh_touchpoint_summaries, take_dashboard_snapshots
from engagement.dashboard.tests.test_selectors import build, build_scene, measured_kpi
from engagement.org.tests.factories import FunctionFactory
from summits.models import ActionItem
from touchpoints.models import Touchpoint

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # in the ISO week of Monday 2 March
# The weekly job's whole cost, whatever the number of boards, functions and stages: the
# grouped queries of ``headline_figures`` and the writes (in one transaction).
SNAPSHOT_QUERIES = 25
FIGURES = (
    "coverage_percent", "vacant", "contested", "open_conflicts", "overdue_decisions",
    "overdue_actions", "ceo_escalations",
)  # fmt: skip


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(WEDNESDAY, tick=False)
    return time_machine


@pytest.fixture
def scene(clock, function, other_function, executive):
    return build_scene(function, other_function, executive)


def shown(summary) -> dict:
    """The headline figures as the dashboard shows them."""
    coverage = summary.coverage.summary
    return {
        "coverage_percent": coverage.percent,
        "vacant": coverage.vacant,
        "contested": coverage.contested,
        "open_conflicts": summary.conflicts.total,
        "overdue_decisions": summary.overdue_decisions.total,
        "overdue_actions": summary.overdue_actions.total,
        "ceo_escalations": summary.ceo_escalations.total,
    }


def recorded(row: DashboardSnapshot) -> dict:
    return {name: getattr(row, name) for name in FIGURES}


# --- Taking the snapshot -------------------------------------------------------------------------


def test_each_scope_records_the_figures_the_dashboard_shows_for_it(scene, executive):
    # given a board that no longer meets
    BoardFactory(name="Old board", is_active=False)

    report = snapshot_take()

    # then one row per scope: the organisation, each active function, stage and board
    rows = list(DashboardSnapshot.objects.filter(week=week_of(WEDNESDAY.date())))
    assert report.taken == len(rows) > 0
    by_scope = {(row.scope, row.scope_object): row for row in rows}
    assert set(by_scope) >= {
        ("all", None), ("stage", scene["buy"]), ("stage", scene["consider"]),
        ("board", scene["top"]), ("board", scene["board"]), ("board", scene["sub"]),
    }  # fmt: skip
    assert not any(str(thing) == "Old board" for _, thing in by_scope)
    # and each row holds what the dashboard shows with that one filter, as an executive
    for (scope, thing), row in by_scope.items():
        filters = DashboardFilters(**({scope: thing} if thing is not None else {}))
        assert recorded(row) == shown(dashboard_summary(user=executive, filters=filters)), scope
    assert recorded(by_scope[("all", None)]) == {
        "coverage_percent": 42, "vacant": 7, "contested": 3, "open_conflicts": 3,
        "overdue_decisions": 2, "overdue_actions": 1, "ceo_escalations": 1,
    }  # fmt: skip


def test_a_week_is_taken_once_and_a_missed_week_stays_missing(scene, clock):
    first = snapshot_take()
    again = snapshot_take()
    # the open item comes due later the same week: the week keeps the figures first taken
    ActionItem.objects.update(due_on=WEDNESDAY.date() - timedelta(days=1))
    clock.move_to(WEDNESDAY + timedelta(days=2), tick=False)
    later_that_week = snapshot_take()

    assert first.taken > 0 and not first.already
    assert (again.taken, again.already) == (0, True)
    assert (later_that_week.taken, later_that_week.already) == (0, True)
    assert DashboardSnapshot.objects.count() == first.taken
    whole = DashboardSnapshot.objects.get(scope="all")
    assert whole.overdue_actions == 1

    # the job does not run for a week, then runs again
    clock.move_to(WEDNESDAY + timedelta(weeks=2), tick=False)
    two_weeks_on = snapshot_take()

    assert two_weeks_on.taken == first.taken
    weeks = sorted(DashboardSnapshot.objects.filter(scope="all").values_list("week", flat=True))
    monday = week_of(WEDNESDAY.date())
    assert weeks == [monday, monday + timedelta(weeks=2)]  # nothing invented for the gap
    assert DashboardSnapshot.objects.get(scope="all", week=weeks[-1]).overdue_actions == 2


def test_the_database_refuses_a_second_row_for_a_week_and_scope(scene):
    snapshot_take()
    row = DashboardSnapshot.objects.get(scope="stage", stage=scene["buy"])

    with pytest.raises(IntegrityError), transaction.atomic():
        DashboardSnapshot.objects.create(
            week=row.week, scope="stage", stage=scene["buy"], vacant=0, contested=0,
            open_conflicts=0, overdue_decisions=0, overdue_actions=0, ceo_escalations=0,
            taken_at=WEDNESDAY,
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        DashboardSnapshot.objects.create(  # a stage scope must name its stage, and only that
            week=row.week - timedelta(weeks=1), scope="stage", board=scene["board"], vacant=0,
            contested=0, open_conflicts=0, overdue_decisions=0, overdue_actions=0,
            ceo_escalations=0, taken_at=WEDNESDAY,
        )  # fmt: skip


def test_a_dry_run_computes_the_week_and_records_nothing(scene):
    report = snapshot_take(dry_run=True)

    assert report.dry_run and report.taken == 0
    assert len(report.rows) > 0
    assert DashboardSnapshot.objects.count() == 0


@pytest.mark.parametrize("rows", [3, 30])
def test_the_job_costs_the_same_queries_for_many_boards_as_for_few(
    rows, clock, executive, django_assert_num_queries
):
    build(rows, executive)

    with django_assert_num_queries(SNAPSHOT_QUERIES):
        report = snapshot_take()

    assert DashboardSnapshot.objects.filter(scope="board").count() == rows + 1
    assert report.taken == DashboardSnapshot.objects.count()


# --- The trend on the dashboard ------------------------------------------------------------------


def test_the_trend_shows_the_last_weeks_oldest_first_for_the_view(scene, executive, clock):
    for week in range(TREND_WEEKS + 2):
        clock.move_to(WEDNESDAY + timedelta(weeks=week), tick=False)
        if week == 5:
            continue  # the job did not run that week
        if week == 8:  # a right is granted: coverage rises
            RightAssignmentFactory(
                touchpoint=scene["letter"], right=Right.DESIGN, function=FunctionFactory()
            )
        snapshot_take()

    unfiltered = dashboard_summary(user=executive, filters=DashboardFilters())
    by_stage = dashboard_summary(user=executive, filters=DashboardFilters(stage=scene["buy"]))
    by_board = dashboard_summary(
        user=executive, filters=DashboardFilters(board=scene["board"], period="365d")
    )
    combined = dashboard_summary(
        user=executive, filters=DashboardFilters(board=scene["board"], stage=scene["buy"])
    )

    weeks = [point.week for point in unfiltered.trend]
    assert len(weeks) == TREND_WEEKS and weeks == sorted(weeks)
    assert weeks[-1] == week_of((WEDNESDAY + timedelta(weeks=TREND_WEEKS + 1)).date())
    assert week_of((WEDNESDAY + timedelta(weeks=5)).date()) not in weeks
    assert [p.coverage_percent for p in unfiltered.trend][-7:] == [42] * 1 + [50] * 6
    last = unfiltered.trend[-1]
    assert (last.open_conflicts, last.ceo_escalations) == (3, 1)
    assert [p.week for p in by_stage.trend] == weeks
    assert by_stage.trend[-1].open_conflicts == 2  # the stage's own figures
    assert by_board.trend[-1].vacant == by_board.coverage.summary.vacant  # period ignored
    assert combined.trend == []  # no snapshot covers two filters at once


def test_no_trend_before_the_first_snapshot(scene, executive):
    assert dashboard_summary(user=executive).trend == []


# --- The command and the task --------------------------------------------------------------------


def test_the_command_takes_the_week_once(scene):
    out = StringIO()
    call_command("snapshot_dashboard", stdout=out)
    call_command("snapshot_dashboard", stdout=out)

    text = out.getvalue()
    taken = DashboardSnapshot.objects.count()
    assert f"Recorded {taken} snapshots for the week 2026-W10 (from Monday 2026-03-02)." in text
    assert "The week 2026-W10 (from Monday 2026-03-02) is already taken; nothing to do." in text


def test_the_command_dry_run_prints_the_figures_and_records_nothing(scene):
    out = StringIO()
    call_command("snapshot_dashboard", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "Would record" in text and "Dry run: nothing was recorded." in text
    lines = text.splitlines()
    whole = next(line for line in lines if line.strip().startswith("whole organisation"))
    assert whole.split()[-7:] == ["42", "7", "3", "3", "2", "1", "1"]
    assert any("journey stage: Buy" in line for line in lines)
    assert any("board: Web working group" in line for line in lines)
    assert DashboardSnapshot.objects.count() == 0


def test_the_task_takes_the_snapshot_and_is_safe_to_repeat(scene):
    first = take_dashboard_snapshots.apply().get()
    second = take_dashboard_snapshots.apply().get()

    assert first == DashboardSnapshot.objects.count() > 0
    assert second == 0


# --- The summary table ------------------------------------------------------------------------


def test_the_summary_table_holds_what_the_dashboard_counts_per_touchpoint(scene):
    signup = TouchpointSummary.objects.get(touchpoint=scene["signup"])
    letter = TouchpointSummary.objects.get(touchpoint=scene["letter"])

    assert (signup.held_design, signup.held_build, signup.held_operate, signup.held_update) == (
        True, True, True, True,
    )  # fmt: skip
    assert (signup.contested, signup.kpis_on_target, signup.kpis_stale) == (1, 1, 1)
    assert (letter.pending_claims, letter.contested, letter.kpis_off_target) == (1, 1, 1)
    assert letter.score == 100 - 4 * 10 - 15 - 8 and letter.findings == 6
    # the archived leaflet is not summarised
    assert TouchpointSummary.objects.count() == 3


def test_the_dashboard_reads_the_summary_as_of_its_last_refresh(scene, executive, clock):
    before = dashboard_summary(user=executive)
    refreshed_at = SummaryRefresh.objects.latest().finished_at
    assert before.as_of == refreshed_at

    # given, after the refresh, a right granted and the letter's KPI back on target
    clock.move_to(WEDNESDAY + timedelta(minutes=3), tick=False)
    RightAssignmentFactory(touchpoint=scene["letter"], right=Right.BUILD)
    measured_kpi(scene["letter"], "95", name="Now on target")
    meanwhile = dashboard_summary(user=executive)

    # then the summarised figures wait for the job, and say how old they are
    assert meanwhile.coverage.summary.held == before.coverage.summary.held == 5
    assert meanwhile.kpi_status.totals == before.kpi_status.totals
    assert meanwhile.as_of == refreshed_at

    # when the job runs
    clock.move_to(WEDNESDAY + timedelta(minutes=5), tick=False)
    report = refresh_touchpoint_summaries.apply().get()
    after = dashboard_summary(user=executive)

    assert report == 1  # only the letter's row changed
    assert after.coverage.summary.held == 6
    assert after.kpi_status.totals["on_target"] == before.kpi_status.totals["on_target"] + 1
    assert after.as_of > refreshed_at


def test_the_touchpoints_shown_at_risk_are_scored_live(scene, executive):
    # given the letter, ranked worst at the last refresh, put right since: every right held,
    # its conflict resolved, its off-target KPI retired and a new one on target
    letter = scene["letter"]
    for right in Right:
        RightAssignmentFactory(touchpoint=letter, right=right)
    letter.conflicts.update(status="resolved")
    letter.kpis.update(is_active=False)
    measured_kpi(letter, "95", name="Understood now")

    at_risk = dashboard_summary(user=executive).at_risk

    # then it is left out at once, though the table still ranks it worst
    assert TouchpointSummary.objects.order_by("score").first().touchpoint == letter
    assert [row.touchpoint.name for row in at_risk] == ["Call-centre script", "Sign-up page"]


def test_the_stage_filter_on_overdue_items_reads_their_stages_as_of_the_refresh(scene, executive):
    by_consider = DashboardFilters(stage=scene["consider"])
    late = ActionItem.objects.get(due_on__lt=WEDNESDAY.date(), status="open")
    assert ActionItemStage.objects.filter(item=late, stage=scene["buy"]).exists()
    assert dashboard_summary(user=executive, filters=by_consider).overdue_actions.total == 0

    # given the overdue item now also about the billing letter, at "Consider"
    late.touchpoints.add(scene["letter"])
    before = dashboard_summary(user=executive, filters=by_consider).overdue_actions.total
    report = touchpoint_summaries_refresh()
    after = dashboard_summary(user=executive, filters=by_consider).overdue_actions.total

    # then the stage view counts it once the job has run
    assert (before, after) == (0, 1)
    assert report.stages_changed == 1
    # and once done it leaves the view at once (overdue is live), and the table at the refresh
    ActionItem.objects.filter(pk=late.pk).update(status="done", completed_on=WEDNESDAY.date())
    assert dashboard_summary(user=executive, filters=by_consider).overdue_actions.total == 0
    touchpoint_summaries_refresh()
    assert not ActionItemStage.objects.filter(item=late).exists()
    # the pending decision about the script (the others name no touchpoint)
    assert DecisionStage.objects.filter(stage=scene["buy"]).count() == 1


def test_a_refresh_removes_touchpoints_no_longer_open_and_rewrites_nothing_unchanged(scene):
    Touchpoint.objects.filter(pk=scene["letter"].pk).update(status=Touchpoint.Status.RETIRED)

    report = touchpoint_summaries_refresh()
    again = touchpoint_summaries_refresh()

    assert (report.touchpoints, report.changed, report.removed) == (2, 0, 1)
    assert (again.changed, again.removed) == (0, 0)
    assert not TouchpointSummary.objects.filter(touchpoint=scene["letter"]).exists()
    assert SummaryRefresh.objects.count() == 3  # the scene's, and these two


# --- The demo ------------------------------------------------------------------------------------


def test_the_demo_trend_ends_on_the_figures_shown_and_is_rebuilt_from_the_record(scene, executive):
    demo.seed(stdout=StringIO())
    demo.seed(stdout=StringIO())

    trend = dashboard_summary(user=executive).trend
    assert len(trend) == demo.PAST_WEEKS + 1
    current = shown(dashboard_summary(user=executive))
    assert {name: getattr(trend[-1], name) for name in FIGURES} == current
    # the late decision (due five days ago) and the late item (two days ago) were not yet
    # overdue a week ago; the charter has no history in the demo, so it stays as it is
    assert (trend[-2].overdue_decisions, trend[-2].overdue_actions) == (0, 0)
    assert trend[-2].coverage_percent == current["coverage_percent"]
    assert DashboardSnapshot.objects.filter(scope="all").count() == demo.PAST_WEEKS + 1


# --- Two jobs at once (PostgreSQL) ------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_jobs_at_once_take_the_week_once(require_postgres, function, other_function, executive):
    build_scene(function, other_function, executive)
    reports, errors = [], []
    start = threading.Barrier(3)

    def take():
        try:
            start.wait(30)
            reports.append(snapshot_take())
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(r.taken > 0 for r in reports) == [False, False, True]
    taken = next(r for r in reports if r.taken)
    assert DashboardSnapshot.objects.count() == taken.taken
