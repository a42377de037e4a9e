"""Read use cases of the core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from engagement.core.models import Heartbeat
from engagement.core.services import SCHEDULER


@dataclass(frozen=True)
class JobsStatus:
    last_beat_at: datetime | None
    worker: str
    healthy: bool


def jobs_status() -> JobsStatus:
    """Are the scheduler and a worker running? Healthy when the heartbeat is recent."""
    beat = Heartbeat.objects.filter(source=SCHEDULER).first()
    if beat is None:
        return JobsStatus(None, "", False)
    interval = settings.CELERY_BEAT_SCHEDULE["record-heartbeat"]["schedule"]
    fresh = timezone.now() - beat.beat_at <= max(interval * 3, timedelta(minutes=3))
    return JobsStatus(beat.beat_at, beat.worker, fresh)
