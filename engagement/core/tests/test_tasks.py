import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from engagement.celery import app as celery_app
from engagement.core.models import Heartbeat
from engagement.core.selectors import jobs_status
from engagement.core.tasks import record_heartbeat
from engagement.core.tests.broker import reset_broker

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def eager():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.mark.django_db
def test_heartbeat_records_the_latest_beat(eager):
    record_heartbeat.delay()
    record_heartbeat.delay()
    beat = Heartbeat.objects.get(source="scheduler")
    assert beat.count == 2
    assert jobs_status().healthy


@pytest.mark.django_db
def test_jobs_status_without_any_beat_is_unhealthy():
    status = jobs_status()
    assert status.last_beat_at is None
    assert not status.healthy


@pytest.mark.django_db
def test_stale_heartbeat_is_unhealthy(eager, time_machine):
    time_machine.move_to("2026-01-01 09:00Z")
    record_heartbeat.delay()
    time_machine.move_to("2026-01-01 09:30Z")
    assert not jobs_status().healthy


@pytest.mark.django_db
def test_task_is_enqueued_only_after_commit(eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record_heartbeat.delay_on_commit(source="after-commit")
        assert not Heartbeat.objects.filter(source="after-commit").exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert Heartbeat.objects.filter(source="after-commit").exists()


def test_the_beat_schedule_names_real_tasks():
    from django.conf import settings

    celery_app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in celery_app.tasks, name


# --- A real worker, against PostgreSQL and Redis ---------------------------------------------


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def real_worker(require_services):
    """A Celery worker process on the test database and the Redis broker."""
    reset_broker()
    env = dict(os.environ, DATABASE_URL=_database_url())
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "engagement", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", "test-worker@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output: list[str] = []
    ready = threading.Event()

    def pump():
        for line in process.stdout:
            output.append(line)
            if " ready." in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(60):
        process.kill()
        pytest.fail("the Celery worker did not start:\n" + "".join(output))
    yield output
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_for(predicate, seconds=30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_runs_a_task_enqueued_after_commit(real_worker):
    with transaction.atomic():
        record_heartbeat.delay_on_commit(source="committed")
        time.sleep(1.0)
        # nothing was sent while the transaction was open
        assert not any("received" in line for line in real_worker)
    assert _wait_for(lambda: Heartbeat.objects.filter(source="committed").exists()), "".join(
        real_worker
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_never_sees_a_task_from_a_rolled_back_transaction(real_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        record_heartbeat.delay_on_commit(source="rolled-back")
        raise RuntimeError("the change failed")
    record_heartbeat.delay(source="sentinel")
    assert _wait_for(lambda: Heartbeat.objects.filter(source="sentinel").exists()), "".join(
        real_worker
    )
    assert not Heartbeat.objects.filter(source="rolled-back").exists()
