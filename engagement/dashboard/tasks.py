"""Jobs of the dashboard, started by the beat (``CELERY_BEAT_SCHEDULE``).

Both are idempotent (a second run rewrites nothing, or finds the week taken), so they are
acknowledged late and re-queued when a worker dies under them; transient database trouble is
retried, a bug is not.
"""

from __future__ import annotations

import logging

from celery import shared_task

from engagement.core.tasks import IDEMPOTENT_JOB, retry_transient
from engagement.dashboard.services import snapshot_take, touchpoint_summaries_refresh

logger = logging.getLogger(__name__)


@shared_task(**IDEMPOTENT_JOB)
def refresh_touchpoint_summaries(self) -> int:
    """Bring the dashboard's summary table up to date; returns the rows changed."""
    try:
        return touchpoint_summaries_refresh().changed
    except Exception as exc:
        retry_transient(self, exc)


@shared_task(**IDEMPOTENT_JOB)
def take_dashboard_snapshots(self) -> int:
    """Record this week's headline figures, once per week; returns the rows written (0 when
    the week was already taken)."""
    try:
        return snapshot_take().taken
    except Exception as exc:
        retry_transient(self, exc)
