"""Write use cases of summits: set-up, the journey review and capability plan, and action
items.

Every service checks permission (``summits.permissions``), validates, writes and records one
audit event per row it changes, in one transaction: a refused request changes nothing.

Invariants:

* A closed summit's record (participants, review, plan) does not change; its action items go
  on with the board that follows them up.
* An action item moves along its lifecycle one step at a time (open → in progress → done;
  open or in progress → cancelled); done and cancelled are final. Every move, re-plan and
  progress note is a line on its timeline, which is append-only.
* An action item's owner works in or acts for the owner function; its due date is never
  before the summit.
* A board decision that closes or re-plans an item is logged through
  ``boards.services.decision_log`` in the same transaction, and the timeline links it.
"""

from __future__ import annotations

from summits.services.actions import (
    DECISION_OUTCOMES,
    action_item_cancel,
    action_item_complete,
    action_item_create,
    action_item_decide,
    action_item_progress,
    action_item_put_on_agenda,
    action_item_replan,
    action_item_start,
    action_item_update,
)
from summits.services.reviews import (
    capability_add,
    capability_remove,
    capability_update,
    review_add,
    review_remove,
    review_update,
)
from summits.services.summits import (
    participant_add,
    participant_remove,
    summit_close,
    summit_create,
    summit_hold,
    summit_update,
)

__all__ = [
    "DECISION_OUTCOMES",
    "action_item_cancel",
    "action_item_complete",
    "action_item_create",
    "action_item_decide",
    "action_item_progress",
    "action_item_put_on_agenda",
    "action_item_replan",
    "action_item_start",
    "action_item_update",
    "capability_add",
    "capability_remove",
    "capability_update",
    "participant_add",
    "participant_remove",
    "review_add",
    "review_remove",
    "review_update",
    "summit_close",
    "summit_create",
    "summit_hold",
    "summit_update",
]
