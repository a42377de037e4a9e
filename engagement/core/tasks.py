"""Tasks of the core. Named ``<verb>_<noun>``; they take ids or nothing and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from engagement.core.services import heartbeat_record

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True, time_limit=30, soft_time_limit=20)
def record_heartbeat(self, source: str = "scheduler") -> None:
    """Prove the scheduler, the broker and a worker are alive by writing a timestamp."""
    beat = heartbeat_record(source=source, worker=self.request.hostname or "")
    logger.info("Heartbeat %s recorded (beat %d)", source, beat.count)
