from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection

from boards.models import Board, Meeting
from boards.scheduling import BOARD_INACTIVE, CADENCE_CHANGED, SyncResult, sync_meetings
from boards.tasks import schedule_board_meetings, schedule_meetings
from boards.tests.factories import AgendaItemFactory, BoardFactory, MeetingFactory
from engagement.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

# A Sunday. The board meets on Mondays at 09:00 in London, so the 90-day horizon from here
# holds the 13 Mondays from 2 March to 25 May 2026, across the clock change of 29 March.
SUNDAY = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def cadence_meetings(board, **filters):
    return list(
        Meeting.objects.filter(board=board, occurrence__isnull=False, **filters).order_by(
            "starts_at"
        )
    )


def change(board, **fields) -> Board:
    Board.objects.filter(pk=board.pk).update(**fields)
    board.refresh_from_db()
    return board


def events(verb=None) -> int:
    qs = AuditEvent.objects.all()
    return qs.filter(verb=verb).count() if verb else qs.count()


@pytest.fixture
def now(time_machine):
    time_machine.move_to(SUNDAY, tick=False)
    return SUNDAY


@pytest.fixture
def board(now):
    board = BoardFactory()
    sync_meetings(board)
    return board


def test_the_cadence_is_materialised_over_the_horizon_at_local_time(now):
    board = BoardFactory()

    result = sync_meetings(board)

    assert result == SyncResult(created=13)
    meetings = cadence_meetings(board)
    assert [m.starts_at for m in meetings[:5]] == [
        utc(2026, 3, 2, 9), utc(2026, 3, 9, 9), utc(2026, 3, 16, 9), utc(2026, 3, 23, 9),
        utc(2026, 3, 30, 8),  # 09:00 in London is 08:00 UTC in summer
    ]  # fmt: skip
    assert meetings[-1].starts_at == utc(2026, 5, 25, 8)
    first = meetings[0]
    assert first.occurrence == first.starts_at
    assert first.ends_at == first.starts_at + timedelta(hours=1)
    assert first.location == "Board room"
    assert first.status == Meeting.Status.SCHEDULED
    assert first.sequence == 0
    assert events("meeting.scheduled") == 13
    event = AuditEvent.objects.filter(verb="meeting.scheduled").first()
    assert event.actor is None
    assert event.after["status"] == "scheduled"


def test_a_second_run_changes_nothing(board, django_assert_max_num_queries):
    before = events()

    with django_assert_max_num_queries(4):  # the lock, the meetings, and a savepoint
        result = sync_meetings(board)

    assert result == SyncResult()
    assert result.changed == 0
    assert events() == before
    assert {m.sequence for m in cadence_meetings(board)} == {0}


def test_the_horizon_is_respected(now):
    board = BoardFactory()

    assert sync_meetings(board, horizon_days=14) == SyncResult(created=2)
    assert sync_meetings(board, horizon_days=90) == SyncResult(created=11)
    # A shorter horizon later does not cancel meetings already beyond it.
    assert sync_meetings(board, horizon_days=14) == SyncResult()
    assert len(cadence_meetings(board, status="scheduled")) == 13


def test_the_default_horizon_comes_from_the_settings(now, settings):
    settings.BOARD_MEETING_HORIZON_DAYS = 21
    board = BoardFactory()

    assert sync_meetings(board).created == 3


def test_time_passing_adds_the_next_meeting_and_leaves_the_past_alone(board, time_machine):
    time_machine.move_to(SUNDAY + timedelta(days=7), tick=False)

    result = sync_meetings(board)

    assert result == SyncResult(created=1)
    assert cadence_meetings(board)[-1].starts_at == utc(2026, 6, 1, 8)
    assert cadence_meetings(board)[0].sequence == 0  # 2 March, now past


def test_a_move_from_monday_to_tuesday_keeps_agendas_and_spares_held_and_past_meetings(
    board, time_machine
):
    mondays = cadence_meetings(board)
    past, held, prepared = mondays[0], mondays[1], mondays[2]  # 2, 9 and 16 March
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.HELD)
    items = [AgendaItemFactory(meeting=prepared, title=t) for t in ("KPIs", "Claims")]
    ad_hoc = MeetingFactory(board=board, starts_at=utc(2026, 3, 18, 14))
    time_machine.move_to(utc(2026, 3, 10, 12), tick=False)  # a Tuesday

    result = sync_meetings(change(board, cadence="FREQ=WEEKLY;BYDAY=TU"))

    # 11 Mondays from 16 March to 25 May each move to the Tuesday of their week; the
    # horizon now reaches 2 June, which is new.
    assert result == SyncResult(moved=11, created=1)
    prepared.refresh_from_db()
    assert prepared.starts_at == prepared.occurrence == utc(2026, 3, 17, 9)
    assert prepared.ends_at == utc(2026, 3, 17, 10)
    assert prepared.sequence == 1
    assert list(prepared.agenda_items.order_by("position")) == items
    moved_into_summer = Meeting.objects.get(pk=mondays[4].pk)  # was Monday 30 March
    assert moved_into_summer.starts_at == utc(2026, 3, 31, 8)
    upcoming = cadence_meetings(board, status="scheduled", starts_at__gte=utc(2026, 3, 10, 12))
    assert {m.starts_at.weekday() for m in upcoming} == {1}  # Tuesday
    assert len(upcoming) == 12
    for untouched in (past, held):
        untouched_now = Meeting.objects.get(pk=untouched.pk)
        assert (untouched_now.starts_at, untouched_now.sequence) == (untouched.starts_at, 0)
    assert Meeting.objects.get(pk=held.pk).status == Meeting.Status.HELD
    assert Meeting.objects.get(pk=ad_hoc.pk).starts_at == utc(2026, 3, 18, 14)
    assert events("meeting.rescheduled") == 11
    event = AuditEvent.objects.filter(verb="meeting.rescheduled", object_id=str(prepared.pk)).get()
    assert event.before["sequence"] == 0
    assert event.after["sequence"] == 1
    # and a second run agrees
    assert sync_meetings(board) == SyncResult()


def test_meetings_the_new_cadence_no_longer_wants_are_cancelled(board):
    result = sync_meetings(change(board, cadence="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"))

    # Every other Monday from 5 January: 2 and 16 March... stay; 9 and 23 March... go.
    assert result == SyncResult(cancelled=6)
    cancelled = cadence_meetings(board, status="cancelled")
    assert [m.starts_at.date().isoformat() for m in cancelled[:2]] == ["2026-03-09", "2026-03-23"]
    assert {m.status_note for m in cancelled} == {CADENCE_CHANGED}
    assert {m.sequence for m in cancelled} == {1}
    assert events("meeting.cancelled") == 6
    assert sync_meetings(board) == SyncResult()


def test_a_new_start_time_moves_each_meeting_within_its_day(board):
    result = sync_meetings(change(board, start_time=time(10, 30)))

    assert result == SyncResult(moved=13)
    assert cadence_meetings(board)[0].starts_at == utc(2026, 3, 2, 10, 30)


def test_a_meeting_the_chair_cancelled_is_not_brought_back(board):
    meeting = cadence_meetings(board)[2]
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)

    assert sync_meetings(board) == SyncResult()
    assert Meeting.objects.filter(board=board, occurrence=meeting.occurrence).count() == 1


def test_a_longer_duration_and_a_new_room_update_the_meetings(board):
    result = sync_meetings(change(board, duration_minutes=90, location="Room 4"))

    assert result == SyncResult(updated=13)
    meeting = cadence_meetings(board)[0]
    assert meeting.ends_at == meeting.starts_at + timedelta(minutes=90)
    assert meeting.location == "Room 4"
    assert meeting.sequence == 1
    event = AuditEvent.objects.filter(verb="meeting.updated", object_id=str(meeting.pk)).get()
    assert event.before["location"] == "Board room"
    assert event.after["location"] == "Room 4"
    assert sync_meetings(board) == SyncResult()


def test_an_inactive_board_has_its_future_meetings_cancelled(board, time_machine):
    past = cadence_meetings(board)[0]
    time_machine.move_to(utc(2026, 3, 3, 12), tick=False)

    result = sync_meetings(change(board, is_active=False))

    assert result == SyncResult(cancelled=12)
    assert {m.status_note for m in cadence_meetings(board, status="cancelled")} == {BOARD_INACTIVE}
    past.refresh_from_db()
    assert (past.status, past.sequence) == (Meeting.Status.SCHEDULED, 0)
    assert sync_meetings(board) == SyncResult()


# --- Tasks ---------------------------------------------------------------------------------


def test_the_scanner_task_schedules_every_board_and_reports_totals(now):
    first, second = BoardFactory(), BoardFactory(cadence="FREQ=MONTHLY;BYDAY=1TU")
    retired = BoardFactory()
    sync_meetings(retired)
    change(retired, is_active=False)
    broken = BoardFactory()
    # A rule stored before validation existed: logged and skipped, the others go ahead.
    change(broken, cadence="FREQ=HOURLY")

    totals = schedule_meetings.apply().get()

    assert totals == {
        "boards": 3, "created": 13 + 3, "moved": 0, "updated": 0, "cancelled": 13, "failed": 1,
    }  # fmt: skip
    assert len(cadence_meetings(first)) == 13
    assert len(cadence_meetings(second)) == 3  # 3 March, 7 April, 5 May
    assert cadence_meetings(broken) == []
    # Once its meetings are cancelled, an inactive board is no longer scanned.
    assert schedule_meetings.apply().get()["boards"] == 2


def test_the_one_board_task(now):
    board = BoardFactory()

    assert schedule_board_meetings.apply(args=[board.pk]).get()["created"] == 13
    assert schedule_board_meetings.apply(args=[board.pk]).get()["created"] == 0
    assert schedule_board_meetings.apply(args=[0]).get() == {
        "created": 0, "moved": 0, "updated": 0, "cancelled": 0,
    }  # fmt: skip


# --- Concurrency (PostgreSQL) --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_create_each_meeting_once(require_postgres):
    board = BoardFactory()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(sync_meetings(board, now=SUNDAY))
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(r.created for r in results) == [0, 13]
    assert Meeting.objects.filter(board=board).count() == 13
