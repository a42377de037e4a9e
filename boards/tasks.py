"""Tasks of the boards. Named ``<verb>_<noun>``; they take ids or nothing and call a service.

Both are idempotent (``sync_meetings`` changes nothing on a second run), so they are
acknowledged late and requeued if a worker dies mid-run.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, fields

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from boards.models import Board, Meeting
from boards.scheduling import SyncResult, sync_meetings
from boards.services import decisions_mark_overdue

logger = logging.getLogger(__name__)


def _boards_to_scan(now):
    """Active boards, and inactive ones that still have future scheduled cadence meetings
    to cancel; by id, so a long run is predictable."""
    pending = Meeting.objects.filter(
        board=OuterRef("pk"),
        occurrence__isnull=False,
        status=Meeting.Status.SCHEDULED,
        starts_at__gte=now,
    )
    return Board.objects.filter(Q(is_active=True) | Exists(pending)).order_by("pk").only("pk")


@shared_task(
    acks_late=True, reject_on_worker_lost=True, ignore_result=True,
    time_limit=600, soft_time_limit=540,
)  # fmt: skip
def schedule_meetings() -> dict[str, int]:
    """The scanner: keep every board's meetings in step with its cadence over the horizon.

    One board per transaction, so a failure on one board (say, a cadence stored before it
    was validated) is logged and the others still go ahead. Returns the totals.
    """
    totals = dict.fromkeys([f.name for f in fields(SyncResult)], 0)
    totals.update(boards=0, failed=0)
    for board in _boards_to_scan(timezone.now()):
        try:
            result = sync_meetings(board)
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            # The next hourly run tries again; the others must not wait for this one.
            logger.exception("Could not schedule the meetings of board %s", board.pk)
            totals["failed"] += 1
            continue
        totals["boards"] += 1
        for name, count in asdict(result).items():
            totals[name] += count
    logger.info("Meetings scheduled: %s", totals)
    return totals


@shared_task(
    acks_late=True, reject_on_worker_lost=True, ignore_result=True,
    time_limit=60, soft_time_limit=50,
)  # fmt: skip
def schedule_board_meetings(board_id: int) -> dict[str, int]:
    """One board's meetings, at once after its cadence (or start, time zone, duration,
    location, active flag) changed, rather than at the next scan."""
    board = Board.objects.filter(pk=board_id).only("pk").first()
    if board is None:
        logger.info("Board %s no longer exists; nothing to schedule", board_id)
        return asdict(SyncResult())
    result = sync_meetings(board)
    if result.changed:
        logger.info("Meetings of board %s scheduled: %s", board_id, asdict(result))
    return asdict(result)


@shared_task(
    acks_late=True, reject_on_worker_lost=True, ignore_result=True,
    time_limit=300, soft_time_limit=240,
)  # fmt: skip
def mark_overdue_decisions() -> int:
    """Open decisions past their due date become overdue (a scan by ``due_on < today``, so a
    missed run is caught up). Returns how many changed."""
    count = decisions_mark_overdue()
    if count:
        logger.info("%d decision(s) marked overdue", count)
    return count
