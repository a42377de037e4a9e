"""What the notify tests share: registries the test owns for its duration, a scene of action
items to scan, a tiny scanner over them, and real Celery workers on PostgreSQL and Redis.

notify sits below the apps that have things coming due, so its tests scan summit action items
through a scanner registered by the test itself (``only_scanners``): the registry then holds
exactly what the test registered, whatever the apps above register in their ``ready()``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import connection

from boards.models import Board
from boards.tests.factories import BoardFactory
from engagement.core.tests.broker import reset_broker
from engagement.notify.digests import sections
from engagement.notify.models import Kind
from engagement.notify.scanning import Alert, Recorder, content_type_id, keyset_chunks, scanners
from engagement.org.tests.factories import FunctionFactory, UserFactory
from summits.models import ActionItem
from summits.tests.factories import SummitFactory

ROOT = Path(__file__).resolve().parents[3]
OPEN = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)


# --- Registries ------------------------------------------------------------------------------


@pytest.fixture
def only_scanners():
    """Empty the scanner registry for the test; yields ``register`` for its own scanners."""
    saved = dict(scanners.scanners)
    scanners.scanners.clear()
    yield scanners.register
    scanners.scanners.clear()
    scanners.scanners.update(saved)


@pytest.fixture
def only_sections():
    """Empty the digest-section registry for the test; yields ``register``."""
    saved = dict(sections.builders)
    sections.builders.clear()
    yield sections.register
    sections.builders.clear()
    sections.builders.update(saved)


@pytest.fixture
def default_rules(db):
    """The rules migration 0002 installs (a transactional test's flush removes them)."""
    migration = importlib.import_module("engagement.notify.migrations.0002_default_rules")
    migration.add_rules(django_apps, None)


# --- A scene of action items, and a tiny scanner over it -------------------------------------


@dataclass
class Scene:
    board: Board
    summit: object
    function: object
    owner: object

    def items(self, n: int, *, due_on: date, owners=None, **fields) -> list[ActionItem]:
        """``n`` open items due on ``due_on``, owned in turn by ``owners`` (one bulk insert)."""
        owners = owners or [self.owner]
        created = ActionItem.objects.bulk_create(
            [
                ActionItem(
                    summit=self.summit,
                    title=f"Item {i}",
                    owner=owners[i % len(owners)],
                    owner_function=self.function,
                    due_on=due_on,
                    board=self.board,
                    created_by=self.summit.chair,
                    **fields,
                )
                for i in range(n)
            ],
            batch_size=5000,
        )
        if created and created[0].pk is None:  # SQLite before 3.35 returns no ids
            return list(ActionItem.objects.order_by("-id")[:n][::-1])
        return created


@pytest.fixture
def scene(db):
    function = FunctionFactory(name="Service")
    owner = UserFactory(
        first_name="Olive", last_name="Owner", email="olive@example.com", function=function
    )
    board = BoardFactory(name="Service board", chair=UserFactory(first_name="Chad"))
    return Scene(board=board, summit=SummitFactory(), function=function, owner=owner)


# Small on purpose, so a handful of rows spans several chunks.
TEST_CHUNK = 3


def item_event(item_id: int, due_on: date, lead: int) -> str:
    return f"test-item:{item_id}:due:{due_on.isoformat()}:remind:{lead}"


def scan_test_items(recorder: Recorder) -> None:
    """Remind the owner of each open action item due within a week, once per lead (7, 2, 0)."""
    leads = [7, 2, 0]
    today = recorder.today
    candidates = ActionItem.objects.filter(
        status__in=OPEN, due_on__gte=today, due_on__lte=today + timedelta(days=7)
    ).values_list("id", "due_on", "owner_id", "title", "board_id")
    subject_type, board_type = content_type_id(ActionItem), content_type_id(Board)
    for chunk in keyset_chunks(candidates, size=TEST_CHUNK):
        alerts = []
        for pk, due_on, owner_id, title, board_id in chunk:
            lead = min(lead for lead in leads if lead >= (due_on - today).days)
            alerts.append(
                Alert(
                    event=item_event(pk, due_on, lead),
                    kind=Kind.REMINDER,
                    title=f"Reminder: “{title}” is due in {(due_on - today).days} days",
                    recipients=(owner_id,),
                    subject=(subject_type, pk),
                    url=f"/items/{pk}/",
                    data={"lead": lead},
                    follows=((board_type, board_id),),
                )
            )
        recorder.add(alerts)


@pytest.fixture
def test_scanner(only_scanners):
    """The registry holds only the tiny reminder scanner over action items."""
    only_scanners("reminders", "test-items", scan_test_items)
    return scan_test_items


# --- Real Celery workers on PostgreSQL and Redis ---------------------------------------------


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """A Celery worker process in its own process group, with its output collected."""

    def __init__(self, args: list[str], env: dict):
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )  # fmt: skip
        self.output: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.process.stdout:
            self.output.append(line)
            if " ready." in line:
                self.ready.set()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def log(self) -> str:
        return "".join(self.output)

    def children(self) -> list[int]:
        """The pool processes (prefork): the ones that execute tasks."""
        found = subprocess.run(["pgrep", "-P", str(self.pid)], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split()]

    def kill_group(self) -> None:
        """SIGKILL the worker and its pool at once, as a power cut or the OOM killer would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill_group()


@pytest.fixture
def start_worker(require_services):
    """Start real workers (``start_worker(pool=..., env=...)``); all are stopped afterwards."""
    reset_broker()
    started: list[Worker] = []

    def start(*, pool: str = "solo", concurrency: int = 1, env: dict | None = None) -> Worker:
        worker_env = dict(os.environ, DATABASE_URL=database_url(), **(env or {}))
        worker_env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        args = [
            sys.executable, "-m", "celery", "-A", "engagement", "worker", f"--pool={pool}",
            "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-n", f"notify-test-{len(started)}@%h",
        ]  # fmt: skip
        if pool == "prefork":
            args.append(f"--concurrency={concurrency}")
        worker = Worker(args, worker_env)
        started.append(worker)
        if not worker.ready.wait(60):
            worker.kill_group()
            pytest.fail("the Celery worker did not start:\n" + worker.log)
        return worker

    yield start
    for worker in started:
        worker.stop()
    reset_broker()


def wait_for(predicate, seconds: float = 30.0, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
