"""What the jobs tell people about boards and the charter, lived through day by day:
reminders, escalation ladders, meetings tomorrow, missed meetings, weekly charter gaps and
the digest sections."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards.models import Board, Decision, Escalation, Meeting
from boards.notifications import digests, escalations, gaps, reminders
from boards.tests.conftest import LONG_AGO
from boards.tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    MembershipFactory,
)
from charter.models import Claim, Conflict, Right
from charter.tests.factories import ClaimFactory, RightAssignmentFactory
from engagement.audit.models import AuditEvent
from engagement.notify.models import Kind, Notification
from engagement.notify.scanning import Recorder, content_type_id, run_scans
from engagement.notify.tests.factories import ChatWebhookFactory
from engagement.org.models import Function
from engagement.org.tests.factories import FunctionFactory, UserFactory
from touchpoints.models import Touchpoint
from touchpoints.tests.factories import KpiFactory, MeasurementFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

DUE = date(2026, 12, 10)


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("UTC"))


def scan(scanner, now: datetime, *, dry_run: bool = False) -> Recorder:
    """Run one scanner, as ``run_scans`` does, without the other apps' scanners."""
    recorder = Recorder(now=now, dry_run=dry_run)
    scanner(recorder)
    return recorder


def rows(kind=None):
    found = Notification.objects.order_by("id")
    if kind:
        found = found.filter(kind=kind)
    return list(found)


def events(kind):
    """Each row's event (its dedupe key without the recipient), in the order recorded."""
    return [row.dedupe_key.rsplit(":", 1)[0] for row in rows(kind)]


def make_decision(board, *, owner=None, function=None, due_on=DUE, title="Rewrite the script"):
    return Decision.objects.create(
        board=board, title=title, rationale="Customers are confused.", owner=owner,
        owner_function=function, due_on=due_on, logged_by=board.chair,
    )  # fmt: skip


@pytest.fixture
def sponsor(board):
    person = UserFactory(first_name="Spon", last_name="Sor")
    board.sponsor = person
    board.save()
    return person


@pytest.fixture
def owner():
    return UserFactory(first_name="Olga", last_name="Owner")


@pytest.fixture
def decision(board, owner, function, time_machine):
    time_machine.move_to(at(date(2026, 11, 1)), tick=False)
    return make_decision(board, owner=owner, function=function)


# --- Decision reminders ------------------------------------------------------------------------


def test_owner_is_reminded_7_2_and_0_days_before_once_each(decision, owner, time_machine):
    for offset in range(9, -3, -1):  # from 9 days before to 2 days after, twice a day
        day = DUE - timedelta(days=offset)
        for hour in (8, 18):
            time_machine.move_to(at(day, hour))
            scan(reminders.scan_decision_reminders, at(day, hour))

    prefix = f"decision:{decision.pk}:due:2026-12-10:remind"
    assert events(Kind.REMINDER) == [f"{prefix}:7", f"{prefix}:2", f"{prefix}:0"]
    assert {row.recipient_id for row in rows()} == {owner.pk}
    first, _, last = rows(Kind.REMINDER)
    assert first.title == "Reminder: “Rewrite the script” is due within 7 days"
    assert last.title == "Reminder: “Rewrite the script” is due today"
    assert first.url == f"/boards/decisions/{decision.pk}/"
    assert first.data == {"lead": 7, "due_on": "2026-12-10", "board": decision.board_id}


def test_without_an_owner_the_owner_functions_head_is_reminded(board, function, function_owner):
    decision = make_decision(board, function=function)

    scan(reminders.scan_decision_reminders, at(DUE - timedelta(days=2)))

    (row,) = rows(Kind.REMINDER)
    assert row.recipient_id == function_owner.pk
    assert row.dedupe_key == f"decision:{decision.pk}:due:2026-12-10:remind:2:u{function_owner.pk}"


def test_a_decision_carried_out_is_not_reminded(decision):
    Decision.objects.filter(pk=decision.pk).update(status=Decision.Status.IMPLEMENTED)

    scan(reminders.scan_decision_reminders, at(DUE - timedelta(days=1)))

    assert rows() == []


def test_a_chat_channel_following_the_board_gets_its_own_row(decision, board, function):
    board_channel = ChatWebhookFactory(follows=board)
    function_channel = ChatWebhookFactory(follows=function)
    ChatWebhookFactory(follows=FunctionFactory(name="Finance"))  # follows something else
    ChatWebhookFactory(follows=board, kinds=[Kind.ESCALATION])  # not reminders

    scan(reminders.scan_decision_reminders, at(DUE - timedelta(days=7)))

    hooks = {row.webhook_id for row in rows() if row.webhook_id}
    assert hooks == {board_channel.pk, function_channel.pk}
    assert Notification.objects.get(webhook=board_channel).dedupe_key == (
        f"decision:{decision.pk}:due:2026-12-10:remind:7:h{board_channel.pk}"
    )


# --- The decision ladder -----------------------------------------------------------------------


def test_overdue_decision_climbs_one_rung_per_threshold_to_the_right_people(
    decision, owner, chair, sponsor, top_chair, time_machine
):
    climbed = []
    for offset in range(0, 30):
        day = DUE + timedelta(days=offset)
        time_machine.move_to(at(day))
        scan(escalations.scan_decision_escalations, at(day))
        scan(escalations.scan_decision_escalations, at(day, 20))  # a second run adds nothing
        decision.refresh_from_db()
        climbed.append(decision.escalation_level)

    # rung 1 the day after the due date, 2 at 7 days overdue, 3 at 14, 4 at 21; no further
    assert climbed[0] == 0
    assert set(climbed[1:7]) == {1}
    assert set(climbed[7:14]) == {2}
    assert set(climbed[14:21]) == {3}
    assert set(climbed[21:]) == {4}
    assert [(row.recipient_id, row.data["level"]) for row in rows(Kind.ESCALATION)] == [
        (owner.pk, 1),
        (chair.pk, 2),
        (sponsor.pk, 3),
        (top_chair.pk, 4),
    ]
    second = rows(Kind.ESCALATION)[1]
    assert second.title == "Escalated to you: “Rewrite the script” is 7 days overdue"
    assert second.dedupe_key == f"decision:{decision.pk}:due:2026-12-10:rung:2:u{chair.pk}"
    assert decision.escalated_to == "ceo"
    assert decision.escalated_at == at(DUE + timedelta(days=21))
    history = AuditEvent.objects.filter(object_id=str(decision.pk), verb="decision.ladder_rung")
    assert sorted(e.after["escalation_level"] for e in history) == [1, 2, 3, 4]


def test_the_climb_stops_when_the_decision_is_carried_out(decision, time_machine):
    day = DUE + timedelta(days=3)
    time_machine.move_to(at(day))
    scan(escalations.scan_decision_escalations, at(day))
    Decision.objects.filter(pk=decision.pk).update(status=Decision.Status.IMPLEMENTED)

    for offset in range(4, 40):
        scan(escalations.scan_decision_escalations, at(DUE + timedelta(days=offset)))

    assert [row.data["level"] for row in rows(Kind.ESCALATION)] == [1]


def test_catch_up_after_a_gap_climbs_every_missed_rung_each_recorded_once(
    decision, owner, chair, sponsor, time_machine
):
    # the scheduler was down from before the due date until 15 days after it
    day = DUE + timedelta(days=15)
    time_machine.move_to(at(day))
    recorder = scan(escalations.scan_decision_escalations, at(day))

    assert recorder.recorded == 3
    assert [(row.recipient_id, row.data["level"]) for row in rows(Kind.ESCALATION)] == [
        (owner.pk, 1),
        (chair.pk, 2),
        (sponsor.pk, 3),
    ]
    decision.refresh_from_db()
    assert (decision.escalation_level, decision.escalated_to) == (3, "sponsor")
    assert AuditEvent.objects.filter(verb__endswith=".ladder_rung").count() == 3

    # running again the same day records nothing new
    again = scan(escalations.scan_decision_escalations, at(day, 20))
    assert (again.recorded, len(rows())) == (0, 3)


def test_a_rung_with_nobody_on_it_is_still_climbed_and_recorded(decision, owner, chair):
    # no sponsor named: rung 3 tells nobody, and rung 4 still follows a week later
    scan(escalations.scan_decision_escalations, at(DUE + timedelta(days=15)))
    scan(escalations.scan_decision_escalations, at(DUE + timedelta(days=22)))

    decision.refresh_from_db()
    assert decision.escalation_level == 4
    assert [row.data["level"] for row in rows(Kind.ESCALATION)] == [1, 2, 4]


def test_a_dry_run_writes_nothing(decision, sponsor, time_machine):
    day = DUE + timedelta(days=15)
    time_machine.move_to(at(day))

    report = run_scans("escalations", now=at(day), dry_run=True)

    assert len([p for p in report.planned if p.dedupe_key.startswith("decision:")]) == 3
    assert Notification.objects.count() == 0
    assert AuditEvent.objects.filter(verb__endswith=".ladder_rung").count() == 0
    decision.refresh_from_db()
    assert (decision.escalation_level, decision.escalated_at) == (0, None)


def test_decision_page_says_how_far_it_was_escalated(client, decision, chair, time_machine):
    day = DUE + timedelta(days=8)
    time_machine.move_to(at(day))
    scan(escalations.scan_decision_escalations, at(day))
    client.force_login(chair)

    page = client.get(decision.get_absolute_url()).content.decode()

    assert "Escalated to rung 2 (the board chair) on 18 Dec 2026." in " ".join(page.split())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_escalation_scans_at_once_climb_each_rung_once(require_postgres):
    top = BoardFactory(name="Top")
    board = BoardFactory(name="Customer board", escalates_to=top, sponsor=UserFactory())
    decision = make_decision(board, owner=UserFactory())
    now = at(DUE + timedelta(days=15))
    barrier = threading.Barrier(2)
    recorded, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            recorded.append(scan(escalations.scan_decision_escalations, now).recorded)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # the second scan waits for the first's lock, then finds the rungs already climbed
    assert errors == []
    assert sorted(recorded) == [0, 3]
    assert Notification.objects.filter(kind=Kind.ESCALATION).count() == 3
    assert AuditEvent.objects.filter(verb__endswith=".ladder_rung").count() == 3
    decision.refresh_from_db()
    assert decision.escalation_level == 3


# --- Claims waiting for approval ---------------------------------------------------------------


def test_claim_reminders_go_to_the_leaders_of_the_boards_governing_the_touchpoint(
    board, touchpoint, chair, board_delegate, board_member, executive, sub_board, sub_chair,
    time_machine, settings,
):  # fmt: skip
    settings.NOTIFY_CLAIM_DECISION_DAYS = 14
    time_machine.move_to(at(date(2026, 11, 1), 10), tick=False)
    claim = ClaimFactory(touchpoint=touchpoint)  # due on 15 November

    for day in range(1, 20):
        scan(reminders.scan_claim_reminders, at(date(2026, 11, day), 12))

    prefix = f"claim:{claim.pk}:due:2026-11-15:remind"
    assert sorted(set(events(Kind.REMINDER))) == [f"{prefix}:0", f"{prefix}:2", f"{prefix}:7"]
    # chairs and delegates of the governing boards decide; members and executives do not
    assert {row.recipient_id for row in rows()} == {chair.pk, board_delegate.pk, sub_chair.pk}
    first = rows()[0]
    assert first.title == (
        f"Reminder: {claim.function.name}'s claim to the build right of “Call-centre script” "
        "waits for your decision (due in 7 days)"
    )
    assert first.url == f"/charter/claims/{claim.pk}/"


def test_a_claim_no_board_governs_goes_to_the_executives(executive, board, time_machine):
    time_machine.move_to(at(date(2026, 11, 1)), tick=False)
    claim = ClaimFactory(touchpoint=TouchpointFactory(name="Ungoverned"))
    ClaimFactory(touchpoint=claim.touchpoint, status=Claim.Status.GRANTED)  # decided already

    scan(reminders.scan_claim_reminders, at(date(2026, 11, 13)))

    (row,) = rows()
    assert (row.recipient_id, row.subject_id) == (executive.pk, claim.pk)


# --- Meetings ----------------------------------------------------------------------------------


def test_members_hear_of_a_meeting_in_the_next_24_hours_with_its_agenda(
    board, chair, board_member, board_delegate, outsider, function, time_machine
):
    now = at(date(2026, 11, 23), 10)
    time_machine.move_to(now, tick=False)
    meeting = MeetingFactory(board=board, starts_at=now + timedelta(hours=23))
    AgendaItemFactory(meeting=meeting, position=2, title="Claims waiting")
    AgendaItemFactory(meeting=meeting, position=1, title="Minutes of last time")
    former = UserFactory()
    MembershipFactory(
        board=board, person=former, function=function, started_on=LONG_AGO,
        ended_on=date(2026, 6, 1),
    )  # fmt: skip
    later = MeetingFactory(board=board, starts_at=now + timedelta(hours=25))
    MeetingFactory(board=board, starts_at=now + timedelta(hours=5), status="cancelled")

    scan(reminders.scan_meeting_reminders, now)
    scan(reminders.scan_meeting_reminders, now + timedelta(minutes=10))

    assert set(events(Kind.MEETING)) == {f"meeting:{meeting.pk}:at:2026-11-24T09:00:00+00:00"}
    assert {row.recipient_id for row in rows()} == {chair.pk, board_member.pk, board_delegate.pk}
    row = rows()[0]
    assert row.title == "Meeting: Customer board, Tue 24 Nov at 09:00"
    assert "1. Minutes of last time\n2. Claims waiting" in row.body

    # a day later the next one is announced, once
    scan(reminders.scan_meeting_reminders, now + timedelta(hours=2))
    assert f"meeting:{later.pk}:at:2026-11-24T11:00:00+00:00" in events(Kind.MEETING)


def test_a_moved_meeting_is_announced_again(board, chair, time_machine):
    now = at(date(2026, 11, 23), 10)
    meeting = MeetingFactory(board=board, starts_at=now + timedelta(hours=3))
    scan(reminders.scan_meeting_reminders, now)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now + timedelta(hours=6), ends_at=now + timedelta(hours=7)
    )

    scan(reminders.scan_meeting_reminders, now + timedelta(hours=1))

    assert len(rows(Kind.MEETING)) == 2


def test_a_meeting_neither_held_nor_cancelled_alerts_chair_and_sponsor_once(board, chair, sponsor):
    now = at(date(2026, 11, 23), 10)
    missed = MeetingFactory(board=board, starts_at=now - timedelta(hours=14))  # ended 13 h ago
    MeetingFactory(board=board, starts_at=now - timedelta(hours=12))  # ended 11 h ago: not yet
    MeetingFactory(board=board, starts_at=now - timedelta(days=2), status="held")
    MeetingFactory(board=board, starts_at=now - timedelta(days=3), status="cancelled")
    MeetingFactory(board=board, starts_at=now - timedelta(days=31))  # before the alert existed

    scan(escalations.scan_missed_meetings, now)
    scan(escalations.scan_missed_meetings, now + timedelta(minutes=10))

    assert [(row.recipient_id, row.dedupe_key) for row in rows(Kind.CADENCE)] == [
        (chair.pk, f"cadence:meeting:{missed.pk}:u{chair.pk}"),
        (sponsor.pk, f"cadence:meeting:{missed.pk}:u{sponsor.pk}"),
    ]
    assert rows()[0].title == (
        "Missed meeting: Customer board, Sun 22 Nov 2026 was neither held nor cancelled"
    )


def test_missed_meeting_alert_waits_12_hours_after_the_end(board, chair):
    now = at(date(2026, 11, 23), 10)
    meeting = MeetingFactory(board=board, starts_at=now - timedelta(hours=12))  # ended 11 h ago

    scan(escalations.scan_missed_meetings, now)
    assert rows() == []
    scan(escalations.scan_missed_meetings, now + timedelta(hours=1, seconds=1))
    assert events(Kind.CADENCE) == [f"cadence:meeting:{meeting.pk}"]


# --- The conflict ladder -----------------------------------------------------------------------


@pytest.fixture
def conflict(touchpoint, function, other_function, time_machine):
    time_machine.move_to(at(date(2026, 11, 1), 9), tick=False)
    RightAssignmentFactory(touchpoint=touchpoint, right=Right.OPERATE, function=function)
    claim = ClaimFactory(
        touchpoint=touchpoint, right=Right.OPERATE, function=other_function,
        status=Claim.Status.CONTESTED,
    )  # fmt: skip
    return Conflict.objects.create(
        claim=claim, touchpoint=touchpoint, right=Right.OPERATE, holder_function=function,
        claimant_function=other_function,
    )  # fmt: skip


def test_open_conflict_goes_to_the_chair_at_14_days_then_the_ceo_at_28(
    conflict, board, chair, top_chair, time_machine
):
    levels = []
    for offset in range(0, 35):
        day = date(2026, 11, 1) + timedelta(days=offset)
        time_machine.move_to(at(day))
        scan(escalations.scan_conflict_escalations, at(day))
        conflict.refresh_from_db()
        levels.append(conflict.escalation_level)

    assert set(levels[:14]) == {0}
    assert set(levels[14:28]) == {1}
    assert set(levels[28:]) == {2}
    assert [(row.recipient_id, row.dedupe_key) for row in rows(Kind.ESCALATION)] == [
        (chair.pk, f"conflict:{conflict.pk}:rung:1:u{chair.pk}"),
        (top_chair.pk, f"conflict:{conflict.pk}:rung:2:u{top_chair.pk}"),
    ]
    assert conflict.escalated_at == at(date(2026, 11, 29))
    assert rows()[0].title == (
        "Escalated to you: conflict open for 14 days — Operations vs Marketing: the operate "
        "right of “Call-centre script”"
    )


def test_a_resolved_conflict_climbs_no_further(conflict, board):
    scan(escalations.scan_conflict_escalations, at(date(2026, 11, 16)))
    Conflict.objects.filter(pk=conflict.pk).update(status=Conflict.Status.RESOLVED)

    scan(escalations.scan_conflict_escalations, at(date(2026, 12, 31)))

    assert [row.data["level"] for row in rows(Kind.ESCALATION)] == [1]


def test_a_late_conflict_scan_climbs_both_rungs_at_once(conflict, board):
    scan(escalations.scan_conflict_escalations, at(date(2026, 12, 31)))
    scan(escalations.scan_conflict_escalations, at(date(2026, 12, 31), 12))

    assert [row.data["level"] for row in rows(Kind.ESCALATION)] == [1, 2]
    assert AuditEvent.objects.filter(verb__endswith=".ladder_rung").count() == 2


# --- Charter gaps ------------------------------------------------------------------------------


@pytest.fixture
def gaps_scene(touchpoint, board, function, function_owner):
    """Marketing holds the design right of the board's touchpoint; three rights are vacant and
    one KPI has never been measured; a fresh KPI and a planned touchpoint are no gaps."""
    RightAssignmentFactory(touchpoint=touchpoint, right=Right.DESIGN, function=function)
    KpiFactory(touchpoint=touchpoint, name="First-call resolution")
    fresh = KpiFactory(touchpoint=touchpoint, name="Wait time")
    MeasurementFactory(kpi=fresh, period=date(2026, 11, 1))
    TouchpointFactory(name="Future chatbot", status=Touchpoint.Status.PLANNED)


def test_weekly_gaps_go_to_the_function_head_and_the_chair_once_a_week(
    gaps_scene, function_owner, chair, top_chair
):
    monday = date(2026, 11, 23)
    for day in range(0, 7):
        scan(gaps.scan_charter_gaps, at(monday + timedelta(days=day)))

    assert sorted(row.recipient_id for row in rows(Kind.CHARTER_GAPS)) == sorted(
        [function_owner.pk, chair.pk]
    )
    assert set(events(Kind.CHARTER_GAPS)) == {"charter-gaps:2026-W48"}
    row = rows()[0]
    assert row.title == "Charter gaps this week: 3 vacant rights and 1 stale KPI"
    assert "“Call-centre script”: nobody holds the build right" in row.body
    assert "KPI “First-call resolution” has never been measured" in row.body
    assert "Wait time" not in row.body
    assert "Future chatbot" not in row.body

    # and again the next week
    scan(gaps.scan_charter_gaps, at(monday + timedelta(days=7)))
    assert len(rows(Kind.CHARTER_GAPS)) == 4
    assert "charter-gaps:2026-W49" in events(Kind.CHARTER_GAPS)


def test_one_message_a_week_for_a_person_in_several_roles(gaps_scene, board, function_owner):
    Board.objects.filter(pk=board.pk).update(chair=function_owner)

    scan(gaps.scan_charter_gaps, at(date(2026, 11, 23)))

    (row,) = rows()
    assert row.recipient_id == function_owner.pk
    assert row.body.startswith(
        "On the touchpoints you look after as head of Marketing, chair of Customer board:"
    )


def test_a_long_list_of_gaps_is_cut_short(function, function_owner):
    for n in range(8):  # 8 touchpoints with 3 vacant rights each: 24 gaps
        tp = TouchpointFactory(name=f"Touchpoint {n:02d}")
        RightAssignmentFactory(touchpoint=tp, right=Right.DESIGN, function=function)

    scan(gaps.scan_charter_gaps, at(date(2026, 11, 23)))

    (row,) = rows()
    assert row.title == "Charter gaps this week: 24 vacant rights"
    assert row.body.count("\n- ") == 20
    assert "…and 4 more on the charter page." in row.body


def test_no_gaps_no_message(touchpoint, function, function_owner, board):
    for right in Right:
        RightAssignmentFactory(touchpoint=touchpoint, right=right, function=function)
    kpi = KpiFactory(touchpoint=touchpoint)
    MeasurementFactory(kpi=kpi, period=date(2026, 11, 1))

    scan(gaps.scan_charter_gaps, at(date(2026, 11, 23)))

    assert rows() == []


def test_channels_following_a_function_get_its_weekly_gaps(gaps_scene, function, board):
    channel = ChatWebhookFactory(follows=function)
    board_channel = ChatWebhookFactory(follows=board)

    scan(gaps.scan_charter_gaps, at(date(2026, 11, 23)))

    assert Notification.objects.get(webhook=channel).dedupe_key == (
        f"charter-gaps:2026-W48:function:{function.pk}:h{channel.pk}"
    )
    assert Notification.objects.filter(webhook=board_channel).count() == 1


# --- Digest sections ---------------------------------------------------------------------------


def lines(section):
    return [line.text for line in section.lines] if section else None


def test_owner_section_lists_decisions_due_within_a_week_and_overdue(
    board, owner, function, function_owner
):
    now = at(date(2026, 12, 7))
    make_decision(board, owner=owner, title="Soon", due_on=date(2026, 12, 10))
    make_decision(board, owner=owner, title="Late", due_on=date(2026, 12, 4))
    make_decision(board, owner=owner, title="Later", due_on=date(2026, 12, 20))
    make_decision(board, function=function, title="For the function", due_on=date(2026, 12, 8))
    done = make_decision(board, owner=owner, title="Done", due_on=date(2026, 12, 9))
    Decision.objects.filter(pk=done.pk).update(status=Decision.Status.IMPLEMENTED)

    section = digests.owner_section(owner, since=now, now=now, previous={})

    assert lines(section) == [
        "“Late” (Customer board), 3 days overdue",
        "“Soon” (Customer board), due in 3 days",
    ]
    assert lines(digests.owner_section(function_owner, since=now, now=now, previous={})) == [
        "“For the function” (Customer board), due tomorrow"
    ]
    assert digests.owner_section(UserFactory(), since=now, now=now, previous={}) is None


def test_chair_section_counts_the_boards_open_items(board, chair, top_chair, conflict):
    now = at(date(2026, 12, 7))
    make_decision(board, due_on=date(2026, 12, 1))
    make_decision(board, due_on=date(2026, 12, 20))
    ClaimFactory(touchpoint=conflict.touchpoint, right=Right.UPDATE)

    section = digests.chair_section(chair, since=now, now=now, previous={})

    assert lines(section) == [
        "Customer board: 2 open decisions (1 overdue), 1 conflict open, 1 claim waiting"
    ]
    assert section.lines[0].url == board.get_absolute_url()
    assert digests.chair_section(top_chair, since=now, now=now, previous={}) is None


def test_executive_section_shows_exceptions_and_the_coverage_change(
    board, top, chair, executive, function, touchpoint
):
    now = at(date(2026, 12, 7))
    RightAssignmentFactory(touchpoint=touchpoint, right=Right.DESIGN, function=function)
    make_decision(board, due_on=date(2026, 12, 1))
    Escalation.objects.create(
        from_board=board, to_board=top, title="Budget for the new script", reason="Beyond us.",
        raised_by=chair, raised_at=at(date(2026, 12, 2)),
    )  # fmt: skip

    section = digests.executive_section(
        executive, since=now, now=now, previous={"coverage_percent": 22}
    )

    assert lines(section) == [
        "Escalation waiting: “Budget for the new script”, from Customer board to Executive "
        "committee since 2026-12-02",
        "1 decision overdue across 1 board",
        "Charter coverage 25% (up 3 points since your last digest)",
    ]
    assert section.figures == {"coverage_percent": 25}
    first = digests.executive_section(executive, since=now, now=now, previous={})
    assert lines(first)[-1] == "Charter coverage 25%"
    assert digests.executive_section(chair, since=now, now=now, previous={}) is None


# --- Query budgets -----------------------------------------------------------------------------


def _decisions(board, owner, size, due_on):
    while Decision.objects.count() < size:
        make_decision(board, owner=owner, due_on=due_on)


def _claims(touchpoint, size):
    while Claim.objects.filter(status=Claim.Status.PENDING).count() < size:
        ClaimFactory(touchpoint=touchpoint, function=FunctionFactory())


def _meetings(board, size, starts_at):
    while Meeting.objects.count() < size:
        meeting = MeetingFactory(board=board, starts_at=starts_at)
        AgendaItemFactory(meeting=meeting)


def _conflicts(touchpoint, size):
    holder = FunctionFactory(name="Holder")
    while Conflict.objects.count() < size:
        claimant = FunctionFactory()
        claim = ClaimFactory(
            touchpoint=touchpoint, right=Right.OPERATE, function=claimant,
            status=Claim.Status.CONTESTED,
        )  # fmt: skip
        Conflict.objects.create(
            claim=claim, touchpoint=touchpoint, right=Right.OPERATE, holder_function=holder,
            claimant_function=claimant,
        )  # fmt: skip


def _gap_touchpoints(board, size):
    """Touchpoints in the board's scope, each with one vacant right and one stale KPI; the
    first ``function`` holds the other three rights on all of them."""
    holder = FunctionFactory(name="Holder", head=UserFactory())
    while Touchpoint.objects.count() < size:
        tp = TouchpointFactory()
        board.scope_touchpoints.add(tp)
        for right in (Right.DESIGN, Right.BUILD, Right.OPERATE):
            RightAssignmentFactory(touchpoint=tp, right=right, function=holder)
        KpiFactory(touchpoint=tp)


# scanner -> (queries, setup(size, scene), now)
START = at(date(2026, 11, 1), 9)
BUDGETS = {
    # rules, a chunk, the chunk's existing keys, webhooks, savepoint + insert + release, the
    # empty next chunk
    "decision-reminders": 7,
    # rules, board ladders, executives, a chunk, governing boards (direct, by stage),
    # delegates, webhooks, existing keys, savepoint + insert + release, the empty next chunk
    "claim-reminders": 13,
    # a chunk, its agendas, its members, webhooks, keys, savepoint + insert + release, the
    # empty next chunk
    "meeting-reminders": 9,
    # rules, board ladders, candidates, savepoint, the locked chunk, webhooks, keys,
    # savepoint + insert + release, one update per level reached, the audit lines, release,
    # the empty next chunk
    "decision-escalations": 14,
    # rules, board ladders, top chairs, candidates, savepoint, the locked chunk, governing
    # boards (direct, by stage), webhooks, keys, savepoint + insert + release, one update per
    # level reached, the audit lines, release, the empty next chunk
    "conflict-escalations": 17,
    # a chunk, webhooks, keys, savepoint + insert + release, the empty next chunk
    "missed-meetings": 7,
    # touchpoints, holders, KPIs, holdings, functions, boards, scope (direct, by stage),
    # webhooks, keys, savepoint + insert + release
    "charter-gaps": 13,
}


@pytest.fixture
def scene(board, chair, owner, touchpoint, time_machine):
    time_machine.move_to(START, tick=False)
    for model in (Board, Function, Decision, Claim, Meeting, Conflict):
        content_type_id(model)
    return {"board": board, "owner": owner, "touchpoint": touchpoint}


def _setup(name, scene, size):
    board, owner, touchpoint = scene["board"], scene["owner"], scene["touchpoint"]
    if name == "decision-reminders":
        _decisions(board, owner, size, START.date() + timedelta(days=5))
        return reminders.scan_decision_reminders, START
    if name == "claim-reminders":
        _claims(touchpoint, size)
        return reminders.scan_claim_reminders, START + timedelta(days=8)
    if name == "meeting-reminders":
        _meetings(board, size, START + timedelta(hours=3))
        return reminders.scan_meeting_reminders, START
    if name == "decision-escalations":
        _decisions(board, owner, size, START.date() - timedelta(days=3))
        return escalations.scan_decision_escalations, START
    if name == "conflict-escalations":
        _conflicts(touchpoint, size)
        return escalations.scan_conflict_escalations, START + timedelta(days=15)
    if name == "missed-meetings":
        _meetings(board, size, START - timedelta(days=2))
        return escalations.scan_missed_meetings, START
    _gap_touchpoints(board, size)
    return gaps.scan_charter_gaps, START


@pytest.mark.parametrize("name", list(BUDGETS))
def test_a_scan_costs_the_same_queries_for_3_and_30_items(name, scene):
    counts = []
    for size in (3, 30):
        Notification.objects.all().delete()
        Decision.objects.update(escalation_level=0)
        Conflict.objects.update(escalation_level=0)
        scanner, now = _setup(name, scene, size)
        with CaptureQueriesContext(connection) as queries:
            recorder = scan(scanner, now)
        counts.append(len(queries))
        # one row per item (a charter-gaps message per person: the head and the chair)
        assert recorder.recorded == (2 if name == "charter-gaps" else size)
    assert counts == [BUDGETS[name]] * 2, "\n".join(q["sql"][:150] for q in queries)


def test_the_scanners_are_registered():
    from engagement.notify.digests import sections
    from engagement.notify.scanning import scanners

    assert {s.name for s in scanners.of("reminders")} >= {
        "decisions", "claims", "meetings", "charter-gaps",
    }  # fmt: skip
    assert {s.name for s in scanners.of("escalations")} >= {"decisions", "conflicts", "cadence"}
    assert {"owner-decisions", "chair", "executive"} <= set(sections.builders)
