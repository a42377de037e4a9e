"""The dashboard's jobs as the worker and the beat run them."""

from __future__ import annotations

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.db import OperationalError

from engagement.dashboard import tasks
from engagement.dashboard.models import DashboardSnapshot, SummaryRefresh, TouchpointSummary
from touchpoints.tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

JOBS = {
    "refresh-touchpoint-summaries": tasks.refresh_touchpoint_summaries,
    "take-dashboard-snapshots": tasks.take_dashboard_snapshots,
}


@pytest.mark.parametrize("entry", list(JOBS))
def test_the_beat_starts_each_job_and_lets_a_late_run_expire(entry):
    scheduled = settings.CELERY_BEAT_SCHEDULE[entry]

    assert scheduled["task"] == JOBS[entry].name
    # a run still waiting when the next is due is dropped, not piled up behind it
    assert scheduled["options"]["expires"] <= scheduled["schedule"].total_seconds()


@pytest.mark.parametrize("task", list(JOBS.values()), ids=list(JOBS))
def test_the_jobs_are_acknowledged_late_and_bounded_in_time(task):
    # idempotent, so a job whose worker died is run again rather than lost
    assert task.acks_late and task.reject_on_worker_lost
    assert 0 < task.soft_time_limit < task.time_limit


def test_the_jobs_do_their_work_and_a_second_run_changes_nothing():
    TouchpointFactory.create_batch(3)

    refreshed = tasks.refresh_touchpoint_summaries.apply().get()
    refreshed_again = tasks.refresh_touchpoint_summaries.apply().get()
    taken = tasks.take_dashboard_snapshots.apply().get()
    taken_again = tasks.take_dashboard_snapshots.apply().get()

    assert (refreshed, refreshed_again) == (3, 0)
    assert TouchpointSummary.objects.count() == 3 and SummaryRefresh.objects.count() == 2
    assert taken == DashboardSnapshot.objects.count() > 0 and taken_again == 0


@pytest.mark.parametrize("task", list(JOBS.values()), ids=list(JOBS))
def test_a_database_outage_is_retried_and_a_bug_is_not(task, monkeypatch):
    service = {
        tasks.refresh_touchpoint_summaries: "touchpoint_summaries_refresh",
        tasks.take_dashboard_snapshots: "snapshot_take",
    }[task]

    def outage(**kwargs):
        raise OperationalError("the server closed the connection unexpectedly")

    def bug(**kwargs):
        raise KeyError("stage")

    monkeypatch.setattr(tasks, service, outage)
    with pytest.raises(Retry):
        task.apply(throw=True).get()
    monkeypatch.setattr(tasks, service, bug)
    with pytest.raises(KeyError):
        task.apply(throw=True).get()
    assert DashboardSnapshot.objects.count() == 0
