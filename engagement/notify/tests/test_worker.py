"""A real Celery worker on PostgreSQL and Redis records each reminder once and sends it once,
even when it is killed in the middle of a scan.

The worker runs the real reminder scanners (``send_reminders``, as the beat enqueues it) and
writes e-mail to a folder (``EMAIL_URL=filemail://...``), so the test counts what a mail server
would have received: one message per ledger row, none twice.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from engagement.notify.delivery import message_id
from engagement.notify.models import Notification
from engagement.notify.scanning import content_type_id
from engagement.notify.tasks import send_reminders
from engagement.notify.tests.conftest import wait_for
from engagement.org.tests.factories import UserFactory
from summits.models import ActionItem

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Status = Notification.Status
# Enough items that the scan spans twenty chunks (of KILL_CHUNK items, one INSERT ... SELECT
# each), so a kill lands in the middle of it; few enough that the worker sends them all in a
# few seconds.
KILL_ITEMS = int(os.environ.get("NOTIFY_KILL_ITEMS", "5000"))
KILL_CHUNK = str(max(KILL_ITEMS // 20, 1))


def item_rows():
    return Notification.objects.filter(subject_type_id=content_type_id(ActionItem))


def settled() -> bool:
    """Everything recorded has been dealt with by delivery."""
    return not Notification.objects.filter(status__in=(Status.PENDING, Status.SENDING)).exists()


def sent_message_ids(folder: Path) -> Counter:
    ids = Counter()
    for path in folder.glob("*"):
        ids.update(re.findall(r"^Message-ID: (<[^>]+>)$", path.read_text(), flags=re.MULTILINE))
    return ids


def assert_each_item_reminded_once(items, owners_of: dict) -> None:
    per_item = Counter(item_rows().values_list("subject_id", "recipient_id"))
    assert set(per_item) == {(item.pk, owners_of[item.pk]) for item in items}
    assert max(per_item.values()) == 1
    assert item_rows().count() == len(items)


def assert_each_row_e_mailed_once(folder: Path) -> None:
    sent = Notification.objects.filter(status=Status.SENT)
    assert not Notification.objects.exclude(status=Status.SENT).exists()
    ids = sent_message_ids(folder)
    assert max(ids.values(), default=0) == 1, "an e-mail went out twice"
    assert set(ids) == {message_id(row) for row in sent}


@pytest.fixture
def owners(scene):
    return [scene.owner, *UserFactory.create_batch(4, function=scene.function)]


@pytest.fixture
def mail_folder(tmp_path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


def test_a_worker_records_and_e_mails_each_reminder_once(
    start_worker, default_rules, scene, owners, mail_folder
):
    # given items coming due in 0, 2 and 7 days
    today = timezone.localdate()
    items = []
    for days in (0, 2, 7):
        items += scene.items(2, due_on=today + timedelta(days=days), owners=owners)
    start_worker(env={"EMAIL_URL": f"filemail://{mail_folder}"})

    # when the beat enqueues the scan, twice
    send_reminders.delay()
    send_reminders.delay()

    # then each owner is reminded once per item, by one e-mail each
    assert wait_for(lambda: item_rows().count() == len(items) and settled(), 30)
    time.sleep(1.0)  # the second scan and its deliveries have had their turn
    assert_each_item_reminded_once(items, {item.pk: item.owner_id for item in items})
    assert_each_row_e_mailed_once(mail_folder)
    assert len(sent_message_ids(mail_folder)) == Notification.objects.count() >= len(items)


@pytest.fixture
def many_items(default_rules, scene, owners):
    """``KILL_ITEMS`` open items due within the week, spread over the owners."""
    today = timezone.localdate()
    items = []
    per_day = KILL_ITEMS // 4
    for days in (0, 1, 3, 6):
        items += scene.items(per_day, due_on=today + timedelta(days=days), owners=owners)
    return items


def poll_until_part_recorded(total: int, seconds: float = 30) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        recorded = item_rows().count()
        if 0 < recorded < total:
            return recorded
        if recorded >= total:
            pytest.fail("the scan finished before it could be interrupted; raise NOTIFY_KILL_ITEMS")
        time.sleep(0.02)
    pytest.fail("the scan did not start")


def test_a_pool_process_killed_mid_scan_is_replaced_and_the_scan_completes_once(
    start_worker, many_items, mail_folder
):
    worker = start_worker(
        pool="prefork",
        concurrency=1,
        env={"EMAIL_URL": f"filemail://{mail_folder}", "NOTIFY_SCAN_CHUNK": KILL_CHUNK},
    )
    [child] = worker.children()

    scan = send_reminders.delay()
    recorded_before_kill = poll_until_part_recorded(len(many_items))
    os.kill(child, signal.SIGKILL)

    # acks_late + reject_on_worker_lost: the message goes back to the queue and the new pool
    # process scans again, recording only what the killed one had not committed.
    assert wait_for(lambda: item_rows().count() == len(many_items) and settled(), 60), (
        f"{item_rows().count()} of {len(many_items)} recorded\n" + worker.log
    )
    assert worker.children() != [child]
    assert "WorkerLostError" in worker.log
    # The same message, delivered again: not a new task.
    assert worker.log.count(f"send_reminders[{scan.id}] received") == 2
    assert recorded_before_kill < len(many_items)
    assert_each_item_reminded_once(many_items, {i.pk: i.owner_id for i in many_items})
    assert_each_row_e_mailed_once(mail_folder)


def test_a_worker_killed_outright_mid_scan_loses_and_repeats_nothing(
    start_worker, many_items, mail_folder
):
    env = {"EMAIL_URL": f"filemail://{mail_folder}", "NOTIFY_SCAN_CHUNK": KILL_CHUNK}
    worker = start_worker(pool="prefork", concurrency=1, env=env)

    send_reminders.delay()
    poll_until_part_recorded(len(many_items))
    worker.kill_group()  # the worker and its pool, at once: the message stays unacknowledged

    partial = item_rows().count()
    assert 0 < partial < len(many_items)
    # A fresh worker; the beat enqueues the scan again at its next tick.
    fresh = start_worker(pool="prefork", concurrency=1, env=env)
    send_reminders.delay()

    assert wait_for(lambda: item_rows().count() == len(many_items) and settled(), 60)
    # The rows the killed worker committed were kept; its open chunk was rolled back.
    assert (
        f"Scan reminders/action-items: {len(many_items) - partial} recorded, "
        f"{partial} already recorded" in fresh.log
    )
    assert_each_item_reminded_once(many_items, {i.pk: i.owner_id for i in many_items})
    assert_each_row_e_mailed_once(mail_folder)
