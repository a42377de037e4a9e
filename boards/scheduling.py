"""Materialising a board's cadence into meetings, and keeping them in step with it.

``sync_meetings`` compares the meetings a board's cadence wants over the horizon with the
meetings it has, and makes the fewest changes that bring them together:

* A future scheduled cadence meeting whose occurrence is still wanted is kept; its end and
  location follow the board's duration and location.
* One whose occurrence is no longer wanted is *moved* to a wanted occurrence that has no
  meeting yet, so its agenda and its calendar entry (same UID) are kept: first to one on the
  same local day (the start time or the time zone changed), then to one in the same period
  of the new cadence (same week for a weekly cadence, same month for a monthly one: Monday
  became Tuesday). The nearest in time wins.
* The rest are cancelled with a note; wanted occurrences still without a meeting get one.

Invariants:

* Held and cancelled meetings, ad-hoc meetings (no occurrence) and meetings that start
  before ``now`` are never touched. An occurrence that already has a meeting of any status
  is never given a second one: a meeting the chair cancelled stays cancelled.
* Running it twice changes nothing the second time (no change, no audit event).
* Two runs at once for the same board queue on the board's row lock; the unique constraint
  ``boards_one_meeting_per_occurrence`` is the last guard (a clash rolls the run back and the
  next scan redoes it).
* Every change raises the meeting's calendar ``sequence`` and records one audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from boards.cadence import frequency, occurrences
from boards.models import Board, Meeting
from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot

MEETING_FIELDS = (
    "board", "occurrence", "starts_at", "ends_at", "location", "status", "status_note",
    "sequence",
)  # fmt: skip
CADENCE_CHANGED = "The board's cadence changed."
BOARD_INACTIVE = "The board is no longer active."


@dataclass(frozen=True)
class SyncResult:
    """How many meetings one run created, moved, updated and cancelled."""

    created: int = 0
    moved: int = 0
    updated: int = 0
    cancelled: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.moved + self.updated + self.cancelled


def horizon_days_default() -> int:
    return int(getattr(settings, "BOARD_MEETING_HORIZON_DAYS", 90))


# --- Changes, each audited ---------------------------------------------------------------


def _save(meeting: Meeting, *, verb: str, before: dict, fields: list[str]) -> None:
    meeting.sequence += 1
    meeting.save(update_fields=[*fields, "sequence", "updated_at"])
    record_event(
        actor=None, verb=verb, obj=meeting, before=before,
        after=snapshot(meeting, MEETING_FIELDS),
    )  # fmt: skip


def _follow_board(meeting: Meeting, board: Board) -> bool:
    """End and location as the board now says; True if that changed anything. A meeting a
    leader moved or relocated by hand keeps what the leader set."""
    if meeting.is_customised:
        return False
    ends_at = meeting.starts_at + board.duration
    if meeting.ends_at == ends_at and meeting.location == board.location:
        return False
    before = snapshot(meeting, MEETING_FIELDS)
    meeting.ends_at = ends_at
    meeting.location = board.location
    _save(meeting, verb="meeting.updated", before=before, fields=["ends_at", "location"])
    return True


def _move(meeting: Meeting, board: Board, occurrence: datetime) -> None:
    before = snapshot(meeting, MEETING_FIELDS)
    meeting.occurrence = occurrence
    meeting.starts_at = occurrence
    meeting.ends_at = occurrence + board.duration
    meeting.location = board.location
    meeting.is_customised = False  # the cadence moved it: it follows the board again
    _save(
        meeting, verb="meeting.rescheduled", before=before,
        fields=["occurrence", "starts_at", "ends_at", "location", "is_customised"],
    )  # fmt: skip


def _cancel(meeting: Meeting, note: str) -> None:
    before = snapshot(meeting, MEETING_FIELDS)
    meeting.status = Meeting.Status.CANCELLED
    meeting.status_note = note
    _save(meeting, verb="meeting.cancelled", before=before, fields=["status", "status_note"])


def _create(board: Board, wanted: list[datetime]) -> int:
    meetings = [
        Meeting(
            board=board,
            occurrence=occurrence,
            starts_at=occurrence,
            ends_at=occurrence + board.duration,
            location=board.location,
        )
        for occurrence in wanted
    ]
    # PostgreSQL and SQLite (3.35+) return the new primary keys, which the events need.
    Meeting.objects.bulk_create(meetings)
    for meeting in meetings:
        record_event(
            actor=None, verb="meeting.scheduled", obj=meeting,
            after=snapshot(meeting, MEETING_FIELDS),
        )  # fmt: skip
    return len(meetings)


# --- Matching meetings to occurrences -------------------------------------------------------


def _period_key(freq: str, tz: ZoneInfo) -> Callable[[datetime], object]:
    """The period of the cadence an instant falls in, on the local calendar."""

    def local_day(instant: datetime) -> date:
        return instant.astimezone(tz).date()

    if freq == "WEEKLY":
        return lambda instant: local_day(instant).isocalendar()[:2]
    if freq == "MONTHLY":
        return lambda instant: (local_day(instant).year, local_day(instant).month)
    if freq == "YEARLY":
        return lambda instant: local_day(instant).year
    return local_day


def _pair(
    meetings: list[Meeting], free: list[datetime], key: Callable[[datetime], object]
) -> list[tuple[Meeting, datetime]]:
    """Pair each free occurrence, in order, with the nearest unpaired meeting whose
    occurrence has the same ``key``. Removes the paired ones from both lists."""
    pairs = []
    for occurrence in list(free):
        same = [m for m in meetings if key(m.occurrence) == key(occurrence)]
        if not same:
            continue
        nearest = min(same, key=lambda m: (abs(m.occurrence - occurrence), m.occurrence))
        pairs.append((nearest, occurrence))
        meetings.remove(nearest)
        free.remove(occurrence)
    return pairs


# --- The use case ----------------------------------------------------------------------------


def sync_meetings(
    board: Board, *, now: datetime | None = None, horizon_days: int | None = None
) -> SyncResult:
    """Bring ``board``'s future scheduled cadence meetings in line with its cadence over
    ``[now, now + horizon_days)`` (``BOARD_MEETING_HORIZON_DAYS``, 90 by default), and return
    a ``SyncResult``. An inactive board has its future scheduled cadence meetings cancelled
    and gets none. Raises ``Invalid`` if the board's stored cadence is not a valid rule.
    """
    now = now or timezone.now()
    if horizon_days is None:
        horizon_days = horizon_days_default()
    end = now + timedelta(days=horizon_days)

    with transaction.atomic():
        board = Board.objects.select_for_update().get(pk=board.pk)
        ahead = list(
            Meeting.objects.filter(board=board, occurrence__isnull=False)
            .filter(Q(occurrence__gte=now) | Q(starts_at__gte=now))
            .order_by("occurrence", "id")
        )
        for meeting in ahead:
            meeting.board = board  # the audit snapshot names the board without a query
        open_ahead = [
            m for m in ahead if m.status == Meeting.Status.SCHEDULED and m.starts_at >= now
        ]

        if not board.is_active:
            for meeting in open_ahead:
                _cancel(meeting, BOARD_INACTIVE)
            return SyncResult(cancelled=len(open_ahead))

        # A meeting moved by hand to a later time than its occurrence stands for a past
        # occurrence: it is not the cadence's to change.
        candidates = [m for m in open_ahead if m.occurrence >= now]
        # Look as far as the furthest existing meeting (the horizon may have shrunk), so a
        # meeting beyond the horizon is checked against the cadence, not cancelled blindly.
        last = max((m.occurrence for m in candidates), default=None)
        window_end = max(end, last + timedelta(seconds=1)) if last else end
        wanted = occurrences(board, now, window_end)
        wanted_set = set(wanted)
        taken = {m.occurrence for m in ahead}

        updated = sum(_follow_board(m, board) for m in candidates if m.occurrence in wanted_set)
        unmatched = [m for m in candidates if m.occurrence not in wanted_set]
        free = [occurrence for occurrence in wanted if occurrence not in taken]

        tz = ZoneInfo(board.time_zone)
        moves = _pair(unmatched, free, _period_key("DAILY", tz))
        freq = frequency(board.cadence)
        if freq != "DAILY":
            moves += _pair(unmatched, free, _period_key(freq, tz))
        for meeting, occurrence in moves:
            _move(meeting, board, occurrence)
        for meeting in unmatched:
            _cancel(meeting, CADENCE_CHANGED)
        created = _create(board, [occurrence for occurrence in free if occurrence < end])

    return SyncResult(created=created, moved=len(moves), updated=updated, cancelled=len(unmatched))
