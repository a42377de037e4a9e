"""Write use cases of boards: set-up, members, meetings, decisions and escalations.

Every service checks permission (``boards.permissions``), validates, writes and records one
audit event per row it changes, in one transaction: a refused request changes nothing.

Invariants:

* Decisions are append-only. After a decision is logged only its status moves (open →
  overdue → implemented, escalated, superseded); a correction is a new decision of the same
  board that supersedes it (or the decision of the body above that decides it after an
  escalation), and the log keeps both.
* A board decision that resolves a charter conflict calls ``charter.services.conflict_resolve``
  in the same transaction: the right moves and the decision records why, or neither happens.
* Escalations only go up the ladder (``Board.escalates_to``), and only the leaders of the
  receiving body acknowledge, decide or send them back.
* Meetings held or with approved minutes are history: their record does not change.
"""

from __future__ import annotations

from boards.services.common import BOARD_FIELDS, decider_for_conflicts
from boards.services.decisions import (
    decision_log,
    decision_mark_implemented,
    decision_supersede,
    decisions_mark_overdue,
)
from boards.services.escalations import (
    escalation_acknowledge,
    escalation_raise,
    escalation_resolve,
    escalation_return,
)
from boards.services.meetings import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    attendance_record,
    meeting_cancel,
    meeting_create,
    meeting_hold,
    meeting_update,
    minutes_approve,
)
from boards.services.setup import (
    board_create,
    board_update,
    membership_add,
    membership_end,
    membership_update,
)

__all__ = [
    "BOARD_FIELDS",
    "agenda_item_add",
    "agenda_item_move",
    "agenda_item_remove",
    "attendance_record",
    "board_create",
    "board_update",
    "decider_for_conflicts",
    "decision_log",
    "decision_mark_implemented",
    "decision_supersede",
    "decisions_mark_overdue",
    "escalation_acknowledge",
    "escalation_raise",
    "escalation_resolve",
    "escalation_return",
    "meeting_cancel",
    "meeting_create",
    "meeting_hold",
    "meeting_update",
    "membership_add",
    "membership_end",
    "membership_update",
    "minutes_approve",
]
