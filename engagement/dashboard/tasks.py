"""Jobs of the dashboard, started by the beat (``CELERY_BEAT_SCHEDULE``).

Both are idempotent (a second run rewrites nothing, or finds the week taken), so they are
acknowledged late and re-queued when a worker dies under them; transient database trouble is
retried, a bug is not.
"""

from __future__ import annotations

import logging

from celery import shared_task

from engagement.dashboard.services import snapshot_take, touchpoint_summaries_refresh

logger = logging.getLogger(__name__)

# Transient database trouble (a restart, a failover) is worth retrying; a bug is not.
_TRANSIENT = ("OperationalError", "InterfaceError")

_JOB = {
    "bind": True,
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "time_limit": 900,
    "soft_time_limit": 840,
    "max_retries": 3,
}


def _retry_transient(task, exc):
    if type(exc).__name__ in _TRANSIENT:
        raise task.retry(exc=exc, countdown=30 * (task.request.retries + 1))
    raise exc


@shared_task(**_JOB)
def refresh_touchpoint_summaries(self) -> int:
    """Bring the dashboard's summary table up to date; returns the rows changed."""
    try:
        return touchpoint_summaries_refresh().changed
    except Exception as exc:
        _retry_transient(self, exc)


@shared_task(**_JOB)
def take_dashboard_snapshots(self) -> int:
    """Record this week's headline figures, once per week; returns the rows written (0 when
    the week was already taken)."""
    try:
        return snapshot_take().taken
    except Exception as exc:
        _retry_transient(self, exc)
