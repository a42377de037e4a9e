"""Jobs of notify: the scans the beat starts, and delivery.

Every task is idempotent (the ledger's dedupe keys and the delivery claim make a second run
harmless), so they are acknowledged late and re-queued when a worker dies under them.
"""

from __future__ import annotations

import logging

from celery import shared_task

from engagement.core.tasks import IDEMPOTENT_JOB, retry_transient
from engagement.notify.delivery import deliver_pending
from engagement.notify.scanning import run_scans

logger = logging.getLogger(__name__)

DELIVERY_BATCH = 2000


@shared_task(**IDEMPOTENT_JOB)
def send_reminders(self) -> int:
    """Record the reminders (and digests) due by now; delivery follows after the commit."""
    try:
        return run_scans("reminders").recorded
    except Exception as exc:
        retry_transient(self, exc)


@shared_task(**IDEMPOTENT_JOB)
def run_escalations(self) -> int:
    """Climb the escalation ladders of everything overdue by now, one recorded rung at a time."""
    try:
        return run_scans("escalations").recorded
    except Exception as exc:
        retry_transient(self, exc)


@shared_task(**{**IDEMPOTENT_JOB, "time_limit": 300, "soft_time_limit": 270})
def deliver_notifications(self) -> str:
    """Send what the ledger holds and has not sent: e-mail and chat posts."""
    try:
        report = deliver_pending(limit=DELIVERY_BATCH)
    except Exception as exc:
        retry_transient(self, exc)
    logger.info("Delivery: %s", report)
    if report.total >= DELIVERY_BATCH:
        # More is waiting: carry on in a fresh task rather than run into the time limit.
        deliver_notifications.delay()
    return str(report)
