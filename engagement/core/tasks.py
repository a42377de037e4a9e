"""Tasks of the core. Named ``<verb>_<noun>``; they take ids or nothing and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from engagement.core.services import heartbeat_record

logger = logging.getLogger(__name__)

# The options of an idempotent scanning job (a second run rewrites nothing): acknowledged
# late and re-queued when a worker dies under it, time-limited, retried on transient trouble.
IDEMPOTENT_JOB = {
    "bind": True,
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "time_limit": 900,
    "soft_time_limit": 840,
    "max_retries": 3,
}

# Transient database trouble (a restart, a failover) is worth retrying; a bug is not.
_TRANSIENT = ("OperationalError", "InterfaceError")


def retry_transient(task, exc):
    """Re-raise ``exc`` from a job, as a retry with back-off when it is transient database
    trouble."""
    if type(exc).__name__ in _TRANSIENT:
        raise task.retry(exc=exc, countdown=30 * (task.request.retries + 1))
    raise exc


@shared_task(bind=True, ignore_result=True, time_limit=30, soft_time_limit=20)
def record_heartbeat(self, source: str = "scheduler") -> None:
    """Prove the scheduler, the broker and a worker are alive by writing a timestamp."""
    beat = heartbeat_record(source=source, worker=self.request.hostname or "")
    logger.info("Heartbeat %s recorded (beat %d)", source, beat.count)
