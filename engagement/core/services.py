"""Write use cases of the core: the job system's heartbeat."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from engagement.core.models import Heartbeat

SCHEDULER = "scheduler"


@transaction.atomic
def heartbeat_record(*, source: str = SCHEDULER, worker: str = "") -> Heartbeat:
    """Note that a scheduled task ran now. Idempotent in effect: the row keeps the latest."""
    now = timezone.now()
    updated = Heartbeat.objects.filter(source=source).update(
        beat_at=now, worker=worker[:200], count=F("count") + 1
    )
    if not updated:
        Heartbeat.objects.get_or_create(
            source=source, defaults={"beat_at": now, "worker": worker[:200], "count": 1}
        )
    return Heartbeat.objects.get(source=source)
