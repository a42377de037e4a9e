"""Reminders and the escalation ladder of summit action items, lived through day by day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from boards.models import Board
from engagement.notify.models import Kind, Notification
from engagement.notify.scanning import Recorder, content_type_id, run_scans
from engagement.org.models import Function
from engagement.org.tests.factories import UserFactory
from summits import services
from summits.models import ActionItem, ActionItemUpdate
from summits.notifications import (
    owner_section,
    scan_action_item_escalations,
    scan_action_item_reminders,
)
from summits.tests.factories import ActionItemFactory

pytestmark = pytest.mark.django_db

DUE = date(2026, 12, 10)
QUERIES = {"reminders": 7, "escalations": 14}
SCANNERS = {
    "reminders": scan_action_item_reminders,
    "escalations": scan_action_item_escalations,
}


def at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def sponsor():
    return UserFactory(first_name="Spon", last_name="Sor")


@pytest.fixture
def due_item(item, board, sponsor, time_machine):
    """``item`` due on 10 Dec 2026, its board sponsored by ``sponsor``; today is 1 Nov."""
    time_machine.move_to(at(date(2026, 11, 1)), tick=False)
    board.sponsor = sponsor
    board.save()
    ActionItem.objects.filter(pk=item.pk).update(due_on=DUE)
    item.refresh_from_db()
    return item


def scan(day: date, group: str = "reminders", hour: int = 8):
    run_scans(group, now=at(day, hour))


def ledger(kind=None):
    rows = Notification.objects.order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    return [(row.recipient_id, row.dedupe_key.split(":u")[0], row.data) for row in rows]


def keys(kind):
    return [key for _, key, _ in ledger(kind)]


def test_owner_is_reminded_at_each_lead_time_once(due_item, member, time_machine):
    # given the default lead times 7, 2 and 0 days
    for day in (date(2026, 12, 1), date(2026, 12, 2)):  # 9 and 8 days before: too early
        time_machine.move_to(at(day))
        scan(day)
    assert keys(Kind.REMINDER) == []

    # when the days pass, a scan every day (twice on some)
    for offset in range(7, -3, -1):
        day = DUE - timedelta(days=offset)
        time_machine.move_to(at(day))
        scan(day)
        scan(day, hour=18)

    # then one reminder per lead time, to the owner, and none once it is overdue
    prefix = f"action_item:{due_item.pk}:due:2026-12-10:remind"
    assert keys(Kind.REMINDER) == [f"{prefix}:7", f"{prefix}:2", f"{prefix}:0"]
    assert {r for r, _, _ in ledger(Kind.REMINDER)} == {member.pk}
    first = Notification.objects.filter(kind=Kind.REMINDER).order_by("id").first()
    assert first.title == "Reminder: “Rewrite the call-centre script” is due within 7 days"
    assert first.url == f"/summits/actions/{due_item.pk}/"


def test_catch_up_sends_only_the_tightest_missed_reminder(due_item, time_machine):
    # the scheduler was down from 8 days before until the day before the due date
    day = DUE - timedelta(days=1)
    time_machine.move_to(at(day))
    scan(day)
    assert keys(Kind.REMINDER) == [f"action_item:{due_item.pk}:due:2026-12-10:remind:2"]


def test_ladder_climbs_one_rung_per_threshold_to_the_right_people(
    due_item, member, chair, sponsor, top_chair, time_machine
):
    climbed = []
    for offset in range(0, 30):
        day = DUE + timedelta(days=offset)
        time_machine.move_to(at(day))
        scan(day, "escalations")
        due_item.refresh_from_db()
        climbed.append(due_item.escalation_level)

    # rung 1 the day after the due date, rung 2 at 7 days, rung 3 at 14, rung 4 at 21
    assert climbed[0] == 0
    assert climbed[1] == 1 and climbed[6] == 1
    assert climbed[7] == 2 and climbed[13] == 2
    assert climbed[14] == 3 and climbed[20] == 3
    assert climbed[21] == 4 and climbed[-1] == 4
    rows = ledger(Kind.ESCALATION)
    assert [(r, d["level"]) for r, _, d in rows] == [
        (member.pk, 1),
        (chair.pk, 2),
        (sponsor.pk, 3),
        (top_chair.pk, 4),
    ]
    timeline = ActionItemUpdate.objects.filter(item=due_item, kind="escalated").order_by("id")
    assert [u.note.split(":")[0] for u in timeline] == ["Rung 1", "Rung 2", "Rung 3", "Rung 4"]
    assert all(u.author is None for u in timeline)


def test_catch_up_after_days_of_downtime_climbs_every_missed_rung_once(
    due_item, member, chair, sponsor, time_machine
):
    # nothing ran until 15 days past the due date
    day = DUE + timedelta(days=15)
    time_machine.move_to(at(day))
    scan(day, "escalations")
    scan(day, "escalations")

    due_item.refresh_from_db()
    assert due_item.escalation_level == 3
    assert [(r, d["level"]) for r, _, d in ledger(Kind.ESCALATION)] == [
        (member.pk, 1),
        (chair.pk, 2),
        (sponsor.pk, 3),
    ]
    assert ActionItemUpdate.objects.filter(item=due_item, kind="escalated").count() == 3


def test_the_climb_stops_the_moment_the_item_is_done(due_item, member, time_machine):
    day = DUE + timedelta(days=2)
    time_machine.move_to(at(day))
    scan(day, "escalations")
    services.action_item_start(actor=member, item=due_item)
    services.action_item_complete(actor=member, item=due_item, note="Done at last.")

    for offset in range(3, 30):
        later = DUE + timedelta(days=offset)
        time_machine.move_to(at(later))
        scan(later, "escalations")
        scan(later, "reminders")

    assert [d["level"] for _, _, d in ledger(Kind.ESCALATION)] == [1]


def test_a_new_due_date_starts_the_ladder_over(due_item, chair, member, time_machine):
    day = DUE + timedelta(days=8)
    time_machine.move_to(at(day))
    scan(day, "escalations")
    due_item.refresh_from_db()
    assert due_item.escalation_level == 2

    services.action_item_replan(
        actor=chair, item=due_item, reason="Waiting for billing.", due_on=day + timedelta(days=5)
    )
    due_item.refresh_from_db()
    assert due_item.escalation_level == 0
    scan(day, "reminders")
    assert keys(Kind.REMINDER) == [
        f"action_item:{due_item.pk}:due:{(day + timedelta(days=5)).isoformat()}:remind:7"
    ]


def test_dry_run_records_nothing_and_changes_no_item(due_item, time_machine):
    day = DUE + timedelta(days=15)
    time_machine.move_to(at(day))
    report = run_scans("escalations", now=at(day), dry_run=True)

    assert [p.kind for p in report.planned] == [Kind.ESCALATION] * 3
    assert Notification.objects.count() == 0
    due_item.refresh_from_db()
    assert due_item.escalation_level == 0
    assert not ActionItemUpdate.objects.filter(kind="escalated").exists()


@pytest.mark.parametrize("group", ["reminders", "escalations"])
def test_a_scan_costs_the_same_queries_for_3_and_30_items(group, summit, time_machine):
    time_machine.move_to(at(date(2026, 11, 1)))
    # Content types are cached per process after their first lookup, as in a worker.
    for model in (ActionItem, Board, Function):
        content_type_id(model)
    # Overdue by two days: one rung each, so the ledger rows of 30 items fit one INSERT even
    # on SQLite (which splits an INSERT at 999 parameters; PostgreSQL takes 1,000 rows).
    due_on = DUE if group == "reminders" else DUE - timedelta(days=3)
    day = DUE - timedelta(days=1)
    counts = []
    for size in (3, 30):
        Notification.objects.all().delete()
        ActionItemUpdate.objects.filter(kind="escalated").delete()
        ActionItem.objects.update(escalation_level=0)
        while ActionItem.objects.count() < size:
            ActionItemFactory(summit=summit, due_on=due_on)
        time_machine.move_to(at(day))
        recorder = Recorder(now=at(day))
        with CaptureQueriesContext(connection) as queries:
            SCANNERS[group](recorder)
        counts.append(len(queries))
        assert (
            Notification.objects.filter(kind__in=[Kind.REMINDER, Kind.ESCALATION]).count() >= size
        )
    # reminders: rules, a chunk's ids, the webhooks, the INSERT ... SELECT (in a savepoint),
    # the empty next chunk; escalations: rules, board ladders, candidates, the
    # locked chunk, webhooks, keys, the insert, one update per level reached, the timeline
    # lines, the empty next chunk.
    assert counts == [QUERIES[group]] * 2


def test_owner_digest_section_lists_items_due_within_a_week_and_overdue(
    due_item, member, time_machine
):
    now = at(DUE - timedelta(days=3))
    time_machine.move_to(now)
    section = owner_section(member, since=now - timedelta(days=1), now=now, previous={})
    assert section.lines[0].text == "Rewrite the call-centre script (due in 3 days)"

    later = at(DUE + timedelta(days=4))
    section = owner_section(member, since=later, now=later, previous={})
    assert section.lines[0].text == "Rewrite the call-centre script (4 days overdue)"
    assert owner_section(UserFactory(), since=later, now=later, previous={}) is None


def test_local_time_zone_decides_the_day(settings, due_item, time_machine):
    settings.TIME_ZONE = "Pacific/Auckland"
    # 11:00 UTC on 9 Dec is already 10 Dec in Auckland: the due date
    moment = datetime(2026, 12, 9, 11, tzinfo=ZoneInfo("UTC"))
    time_machine.move_to(moment)
    run_scans("reminders", now=moment)
    assert timezone.localdate(moment) == DUE
    assert keys(Kind.REMINDER)[-1].endswith(":remind:0")
