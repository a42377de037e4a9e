"""What the boards services share: audited fields, input checks, the conflict hook."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from boards.models import (
    Board,
)
from engagement.core.errors import Invalid

BOARD_FIELDS = (
    "name", "purpose", "chair", "sponsor", "escalates_to", "cadence", "time_zone",
    "starts_on", "start_time", "duration_minutes", "location", "core_size_limit", "is_active",
)  # fmt: skip
# What a chair or sponsor may change; the rest (who leads, the ladder, archiving) is the
# administrators'.
BOARD_FIELDS_FOR_LEADERS = (
    "name", "purpose", "cadence", "time_zone", "starts_on", "start_time", "duration_minutes",
    "location", "core_size_limit",
)  # fmt: skip
CADENCE_FIELDS = ("cadence", "time_zone", "starts_on", "start_time", "duration_minutes",
                  "location", "is_active")  # fmt: skip
MEMBERSHIP_FIELDS = ("board", "person", "function", "role", "is_delegate", "started_on",
                     "ended_on")  # fmt: skip
MEETING_FIELDS = ("board", "starts_at", "ends_at", "location", "status", "status_note",
                  "minutes_notes")  # fmt: skip
AGENDA_FIELDS = ("meeting", "position", "title", "notes", "duration_minutes", "presenter",
                 "touchpoint", "conflict", "claim", "decision")  # fmt: skip
DECISION_FIELDS = ("board", "meeting", "title", "rationale", "outcome", "owner",
                   "owner_function", "due_on", "status", "conflict", "supersedes")  # fmt: skip
ESCALATION_FIELDS = ("from_board", "to_board", "title", "reason", "decision", "conflict",
                     "meeting", "status", "response", "resolution")  # fmt: skip

# While a board decision resolves a conflict, the charter lets its author decide that one
# conflict: (user id, conflict id). Set only inside ``decision_log``, after its own checks.
_resolving = contextvars.ContextVar("boards_resolving_conflict", default=None)


def decider_for_conflicts(user, touchpoint) -> bool:
    """Registered with the charter: true only inside a board decision resolving a conflict."""
    current = _resolving.get()
    return current is not None and current[0] == user.pk and current[1] == touchpoint.pk


@contextmanager
def resolving_conflict(user, conflict):
    token = _resolving.set((user.pk, conflict.touchpoint_id))
    try:
        yield
    finally:
        _resolving.reset(token)


def enqueue_schedule(board: Board) -> None:
    from boards.tasks import schedule_board_meetings

    schedule_board_meetings.delay_on_commit(board.pk)


def require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(message, field=field)
    return value


def require_active_person(person, field: str) -> None:
    if person is not None and not person.is_active:
        raise Invalid(f"{person} is no longer active in the organisation.", field=field)


def require_active_function(function, field: str) -> None:
    if function is not None and not function.is_active:
        raise Invalid(f"{function} is archived.", field=field)
