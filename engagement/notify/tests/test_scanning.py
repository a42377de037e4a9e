"""Scans record each notification once: run twice, run late, run at the same time, or dry.

The scanner here is the tiny one in ``conftest`` (reminders of action items, three rows a
chunk), registered by the test alone; the last tests run the summits escalation scanner.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from boards.models import Board
from boards.tests.factories import BoardFactory
from engagement.notify.models import Kind, Notification, Subject
from engagement.notify.rules import ladder, rungs_due
from engagement.notify.scanning import Alert, Recorder, keyset_chunks, run_scans
from engagement.notify.tests.conftest import TEST_CHUNK, item_event
from engagement.notify.tests.factories import ChatWebhookFactory, NotificationFactory
from engagement.org.tests.factories import UserFactory
from summits.models import ActionItem, ActionItemUpdate

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
TODAY = NOW.date()


def ledger() -> set[tuple]:
    return set(
        Notification.objects.values_list(
            "dedupe_key", "recipient_id", "webhook_id", "kind", "subject_id", "title"
        )
    )


# --- The Recorder and the registry -----------------------------------------------------------


def test_the_same_scan_twice_records_the_same_ledger(
    scene, test_scanner, django_capture_on_commit_callbacks
):
    items = scene.items(7, due_on=TODAY + timedelta(days=2))

    with django_capture_on_commit_callbacks() as enqueued:
        first = run_scans("reminders", now=NOW)
    after_first = ledger()
    second = run_scans("reminders", now=NOW)

    assert first.recorded == 7
    assert {row[0] for row in after_first} == {
        f"{item_event(item.pk, item.due_on, 2)}:u{scene.owner.pk}" for item in items
    }
    assert ledger() == after_first
    assert second.recorded == 0
    assert second.recorders["test-items"].already == 7
    # Delivery is enqueued after each chunk's commit, never before.
    assert len(enqueued) == -(-7 // TEST_CHUNK)


def test_a_scan_that_was_down_for_days_catches_up_once(scene, test_scanner):
    item = scene.items(1, due_on=TODAY + timedelta(days=1))[0]
    # The scanner last ran 10 days before the due date, then not until the day before.
    run_scans("reminders", now=NOW - timedelta(days=9))
    run_scans("reminders", now=NOW)
    run_scans("reminders", now=NOW + timedelta(hours=3))

    keys = set(Notification.objects.values_list("dedupe_key", flat=True))
    assert keys == {f"{item_event(item.pk, item.due_on, 2)}:u{scene.owner.pk}"}


def test_each_lead_is_recorded_once_as_the_due_date_nears(scene, test_scanner):
    item = scene.items(1, due_on=TODAY + timedelta(days=7))[0]
    for day in range(12):  # every scan of every day, twice, and past the due date
        for hour in (8, 20):
            run_scans("reminders", now=NOW + timedelta(days=day, hours=hour - 8))

    leads = sorted(Notification.objects.values_list("data__lead", flat=True))
    assert leads == [0, 2, 7]
    assert Notification.objects.filter(subject_id=item.pk).count() == 3


def test_a_re_planned_item_is_reminded_again(scene, test_scanner):
    item = scene.items(1, due_on=TODAY + timedelta(days=2))[0]
    run_scans("reminders", now=NOW)
    ActionItem.objects.filter(pk=item.pk).update(due_on=TODAY + timedelta(days=1))
    run_scans("reminders", now=NOW)

    assert Notification.objects.filter(subject_id=item.pk).count() == 2


def test_a_dry_run_writes_nothing_and_lists_the_recipients(scene, test_scanner):
    scene.items(2, due_on=TODAY)
    hook = ChatWebhookFactory(name="#service", follows=scene.board)
    NotificationFactory(recipient=scene.owner)  # something already in the ledger

    report = run_scans("reminders", now=NOW, dry_run=True)

    assert Notification.objects.count() == 1
    recipients = sorted({planned.recipient for planned in report.planned})
    assert recipients == ["Olive Owner <olive@example.com>", "chat: #service"]
    assert len(report.planned) == 4
    assert all(
        p.dedupe_key.endswith((f":u{scene.owner.pk}", f":h{hook.pk}")) for p in report.planned
    )
    assert report.recorded == 0


def test_a_dry_run_leaves_out_what_is_already_recorded(scene, test_scanner):
    scene.items(3, due_on=TODAY)
    run_scans("reminders", now=NOW)
    report = run_scans("reminders", now=NOW, dry_run=True)
    assert report.planned == []
    assert report.recorders["test-items"].already == 3


def test_the_registry_refuses_an_unknown_group(only_scanners):
    with pytest.raises(ValueError, match="unknown scanner group"):
        only_scanners("nightly", "x", lambda recorder: None)


def test_run_scans_runs_only_the_group_asked_for(only_scanners):
    ran = []
    only_scanners("reminders", "a", lambda recorder: ran.append("a"))
    only_scanners("escalations", "b", lambda recorder: ran.append("b"))
    run_scans("escalations", now=NOW)
    assert ran == ["b"]


def test_an_alert_to_nobody_and_duplicate_recipients_record_nothing_extra(scene):
    recorder = Recorder(now=NOW)
    recorder.add(
        [
            Alert("e:1", Kind.REMINDER, "T", recipients=(None,)),
            Alert("e:2", Kind.REMINDER, "T", recipients=(scene.owner.pk, scene.owner.pk)),
            Alert("e:2", Kind.REMINDER, "T again", recipients=(scene.owner.pk,)),
        ]
    )
    assert list(Notification.objects.values_list("dedupe_key", "title")) == [
        (f"e:2:u{scene.owner.pk}", "T")
    ]
    assert recorder.recorded == 1


# --- Chat channels following a board ---------------------------------------------------------


def test_a_channel_following_the_board_gets_its_own_row(scene, test_scanner):
    item = scene.items(1, due_on=TODAY)[0]
    slack = ChatWebhookFactory(follows=scene.board)
    ChatWebhookFactory(follows=scene.board, is_active=False)
    ChatWebhookFactory(follows=scene.board, kinds=[Kind.ESCALATION])  # not reminders
    ChatWebhookFactory(follows=BoardFactory(name="Another board"))
    ChatWebhookFactory(follows=scene.function)  # the alert follows the board only

    run_scans("reminders", now=NOW)

    event = item_event(item.pk, item.due_on, 0)
    assert set(Notification.objects.values_list("dedupe_key", "webhook_id", "recipient_id")) == {
        (f"{event}:u{scene.owner.pk}", None, scene.owner.pk),
        (f"{event}:h{slack.pk}", slack.pk, None),
    }


# --- Keyset chunks ---------------------------------------------------------------------------


def test_keyset_chunks_visit_every_row_once():
    rows = NotificationFactory.create_batch(10)
    seen = [
        pk
        for chunk in keyset_chunks(Notification.objects.values_list("id"), size=3)
        for (pk,) in chunk
    ]
    assert seen == sorted(row.pk for row in rows)


def test_keyset_chunks_neither_skip_nor_repeat_when_rows_go_between_chunks():
    ids = sorted(row.pk for row in NotificationFactory.create_batch(12))
    pending = Notification.objects.filter(status=Notification.Status.PENDING).values_list("id")
    seen = []
    for number, chunk in enumerate(keyset_chunks(pending, size=3), start=1):
        seen.extend(pk for (pk,) in chunk)
        if number == 1:
            # Rows already read stop matching (as a delivered row would), one ahead is deleted.
            Notification.objects.filter(id__in=seen).update(status=Notification.Status.SENT)
            Notification.objects.filter(id=ids[4]).delete()
        if number == 2:
            Notification.objects.filter(id__in=[ids[0], ids[1], ids[10]]).delete()

    assert seen == [pk for pk in ids if pk not in (ids[4], ids[10])]
    assert len(seen) == len(set(seen))


def test_keyset_chunks_of_nothing_yield_nothing():
    assert list(keyset_chunks(Notification.objects.values_list("id"), size=5)) == []


# --- Management commands ---------------------------------------------------------------------


def test_send_reminders_dry_run_prints_what_would_go_out(scene, test_scanner, time_machine, capsys):
    time_machine.move_to(NOW, tick=False)
    scene.items(2, due_on=TODAY + timedelta(days=2))

    call_command("send_reminders", "--dry-run")

    out = capsys.readouterr().out
    assert "test-items: would record 2, 0 already recorded before" in out
    assert out.count("to Olive Owner <olive@example.com>: Reminder: “Item") == 2
    assert "Dry run: nothing was recorded or sent." in out
    assert not Notification.objects.exists()


def test_send_reminders_dry_run_at_another_moment(scene, test_scanner, capsys):
    scene.items(1, due_on=date_in(30))
    call_command("send_reminders", "--dry-run", "--at", f"{date_in(29).isoformat()}T08:00")
    assert "would record 1" in capsys.readouterr().out
    assert not Notification.objects.exists()


def date_in(days: int):
    return timezone.localdate() + timedelta(days=days)


def test_send_reminders_records_and_delivers(scene, test_scanner, mailoutbox, capsys):
    scene.items(2, due_on=timezone.localdate())
    call_command("send_reminders")
    out = capsys.readouterr().out
    assert "test-items: recorded 2, 0 already recorded before" in out
    assert "Delivery: 2 sent" in out
    assert len(mailoutbox) == 2
    call_command("send_reminders")
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "2026-12-01T08:00"], "--at is only allowed with --dry-run."),
        (["--dry-run", "--at", "next tuesday"], "'next tuesday' is not a date and time like"),
        (["--dry-run", "--at", "2026-13-01T08:00"], "'2026-13-01T08:00' is not a date and time"),
    ],
)
@pytest.mark.parametrize("command", ["send_reminders", "run_escalations"])
def test_at_is_checked_with_a_clear_error(only_scanners, command, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command(command, *args)


@pytest.fixture
def item_escalations(only_scanners, default_rules):
    from summits import notifications

    only_scanners("escalations", "action-items", notifications.scan_action_item_escalations)


def test_run_escalations_dry_run_prints_the_climb_and_changes_nothing(
    scene, item_escalations, capsys
):
    item = scene.items(1, due_on=timezone.localdate() - timedelta(days=8))[0]

    call_command("run_escalations", "--dry-run")

    out = capsys.readouterr().out
    assert "action-items: would record 2" in out
    assert "to Olive Owner <olive@example.com>: Overdue: “Item 0” was due 8 days ago" in out
    assert f"to {scene.board.chair} <{scene.board.chair.email}>: Escalated to you" in out
    item.refresh_from_db()
    assert item.escalation_level == 0
    assert not Notification.objects.exists()
    assert not ActionItemUpdate.objects.filter(item=item).exists()


# --- Concurrent scans on PostgreSQL ----------------------------------------------------------


def run_concurrently(target, n: int = 2) -> list[BaseException]:
    """Run ``target`` in ``n`` threads released together, each on its own connection."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(10)
            target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a scan hung"
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_scans_at_once_record_the_ledger_of_one(require_postgres, scene, test_scanner):
    owners = [scene.owner, *UserFactory.create_batch(4)]
    items = scene.items(60, due_on=TODAY + timedelta(days=2), owners=owners)
    hook = ChatWebhookFactory(follows=scene.board)

    errors = run_concurrently(lambda: run_scans("reminders", now=NOW), n=3)

    assert errors == []
    expected = set()
    for i, item in enumerate(items):
        event = item_event(item.pk, item.due_on, 2)
        expected |= {f"{event}:u{owners[i % len(owners)].pk}", f"{event}:h{hook.pk}"}
    assert set(Notification.objects.values_list("dedupe_key", flat=True)) == expected
    assert Notification.objects.count() == len(expected)


def escalation_snapshot() -> tuple:
    return (
        sorted(ActionItem.objects.values_list("id", "escalation_level")),
        sorted(Notification.objects.values_list("dedupe_key", "recipient_id", "webhook_id")),
        sorted(
            ActionItemUpdate.objects.filter(kind=ActionItemUpdate.Kind.ESCALATED).values_list(
                "item_id", "note"
            )
        ),
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_escalation_scans_at_once_climb_as_one(require_postgres, scene, item_escalations):
    from summits import notifications

    sponsor = UserFactory(first_name="Spencer")
    Board.objects.filter(pk=scene.board.pk).update(sponsor=sponsor)
    ChatWebhookFactory(follows=scene.board, kinds=[Kind.ESCALATION])
    for days in (1, 8, 15, 22, 40):
        scene.items(8, due_on=TODAY - timedelta(days=days))
    scene.items(3, due_on=TODAY - timedelta(days=20), escalation_level=2)
    scene.items(3, due_on=TODAY - timedelta(days=20), status=ActionItem.Status.CANCELLED)
    before = dict(ActionItem.objects.values_list("id", "escalation_level"))

    saved_chunk, notifications.CHUNK = notifications.CHUNK, 7  # several chunks, interleaved
    try:
        errors = run_concurrently(lambda: run_scans("escalations", now=NOW), n=3)
        concurrent = escalation_snapshot()
        # The same scene scanned once, alone.
        Notification.objects.all().delete()
        ActionItemUpdate.objects.filter(kind=ActionItemUpdate.Kind.ESCALATED).delete()
        for pk, level in before.items():
            ActionItem.objects.filter(pk=pk).update(escalation_level=level)
        run_scans("escalations", now=NOW)
        once = escalation_snapshot()
    finally:
        notifications.CHUNK = saved_chunk

    assert errors == []
    assert concurrent == once
    # ... and that one climb is the rules' answer: every rung reached, none skipped.
    rungs = ladder(Subject.ACTION_ITEM)
    levels = dict(concurrent[0])
    lines = [item_id for item_id, _ in concurrent[2]]
    for item in ActionItem.objects.all():
        climbed = []
        if item.status == ActionItem.Status.OPEN:
            climbed = rungs_due(before[item.pk], (TODAY - item.due_on).days, rungs)
        assert levels[item.pk] == (climbed[-1].level if climbed else before[item.pk])
        assert lines.count(item.pk) == len(climbed)
        assert Notification.objects.filter(
            subject_id=item.pk, recipient__isnull=False
        ).count() == len(climbed)
        assert Notification.objects.filter(
            subject_id=item.pk, webhook__isnull=False
        ).count() == len(climbed)
