"""Action items: recorded by the summit's chair, carried out by their owners, followed up
by a board. Every change leaves a line on the item's timeline and an audit event."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from boards import services as board_services
from boards.models import Board, Meeting
from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict as ConflictError
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.validation import apply_changes, clean
from summits import permissions
from summits.models import ActionItem, ActionItemUpdate, Summit
from summits.services.common import (
    ACTION_EDITABLE,
    ACTION_FIELDS,
    require_due_date,
    require_open_summit,
    require_text,
    require_works_for,
)
from touchpoints.models import Touchpoint

Status = ActionItem.Status
Kind = ActionItemUpdate.Kind

DECISION_OUTCOMES = ("complete", "cancel", "replan")


def _lock(item: ActionItem) -> ActionItem:
    # Lock the item and its summit (whose start bounds the due date), not the joined board,
    # people and function: on PostgreSQL a plain FOR UPDATE would lock those rows too and
    # hold up the board's own meetings and decisions, or the owner signing in.
    return (
        ActionItem.objects.select_for_update(of=("self", "summit"))
        .select_related("summit", "board", "owner", "owner_function")
        .get(pk=item.pk)
    )


def _snapshot(item: ActionItem) -> dict:
    data = snapshot(item, ACTION_FIELDS)
    data["touchpoints"] = sorted(item.touchpoints.values_list("pk", flat=True))
    return data


def _touchpoints(touchpoints: Iterable, *, linked=()) -> list[Touchpoint]:
    """The touchpoints asked for; an archived one may stay linked but not be newly linked."""
    ids = {getattr(t, "pk", t) for t in touchpoints}
    found = list(Touchpoint.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        raise Invalid("One of the touchpoints does not exist.", field="touchpoints")
    kept = set(linked)
    archived = next((t for t in found if t.is_archived and t.pk not in kept), None)
    if archived is not None:
        raise Invalid(f"{archived} is archived.", field="touchpoints")
    return found


def _require_board(board: Board | None) -> None:
    if board is None:
        raise Invalid("Choose the board that follows the item up.", field="board")
    if not board.is_active:
        raise Invalid(f"{board} is archived; choose an active board.", field="board")


def _require_open(item: ActionItem) -> None:
    if not item.is_open:
        raise ConflictError(f"This action item is {item.get_status_display()}.")


def _timeline(item: ActionItem, *, actor, kind: str, note: str = "", **fields) -> None:
    ActionItemUpdate.objects.create(item=item, kind=kind, note=note, author=actor, **fields)


@transaction.atomic
def action_item_create(
    *, actor, summit: Summit, title: str, owner, owner_function, due_on, board: Board,
    description: str = "", priority: str = ActionItem.Priority.MEDIUM,
    touchpoints: Iterable = (),
) -> ActionItem:  # fmt: skip
    """Record a commitment of the summit (its chair): an owner who works in or acts for the
    owner function, a due date on or after the summit's start and not in the past, and the
    active board that follows it up, in whose backlog it appears."""
    summit = Summit.objects.select_for_update().get(pk=summit.pk)
    if not permissions.can_record_actions(actor, summit):
        raise NotAllowed(f"Only the chair of {summit} can record its action items.")
    require_open_summit(summit)
    title = require_text(title, "title", "Give the action item a title.")
    require_works_for(owner, owner_function)
    require_due_date(due_on, summit)
    _require_board(board)
    linked = _touchpoints(touchpoints)
    item = ActionItem(
        summit=summit, title=title[:200], description=(description or "").strip(),
        owner=owner, owner_function=owner_function, due_on=due_on, priority=priority,
        board=board, created_by=actor,
    )  # fmt: skip
    clean(item)
    item.save()
    item.touchpoints.set(linked)
    _timeline(item, actor=actor, kind=Kind.CREATED, status_after=item.status,
              due_after=due_on, owner_after=owner)  # fmt: skip
    record_event(actor=actor, verb="action_item.created", obj=item, after=_snapshot(item))
    return item


@transaction.atomic
def action_item_update(*, actor, item: ActionItem, touchpoints: Iterable | None = None,
                       **changes) -> ActionItem:  # fmt: skip
    """Edit the title, description, priority or linked touchpoints of an open item (the
    following board's leaders or the summit's chair). Due date, owner and status move through
    re-planning and the lifecycle, which the timeline records."""
    item = _lock(item)
    if not permissions.can_steer(actor, item):
        raise NotAllowed(
            f"Only the leaders of {item.board} or the summit's chair can edit this item."
        )
    _require_open(item)
    before = _snapshot(item)
    apply_changes(item, changes, ACTION_EDITABLE)
    item.title = require_text(item.title, "title", "Give the action item a title.")
    clean(item)
    item.save()
    if touchpoints is not None:
        linked = item.touchpoints.values_list("pk", flat=True)
        item.touchpoints.set(_touchpoints(touchpoints, linked=list(linked)))
    after = _snapshot(item)
    if after != before:
        record_event(actor=actor, verb="action_item.updated", obj=item, before=before,
                     after=after)  # fmt: skip
    return item


def _move(item: ActionItem, *, actor, to: str, kind: str, note: str = "", decision=None,
          completed_on=None) -> ActionItem:  # fmt: skip
    """Move ``item`` one step along its lifecycle, with a timeline line and an audit event."""
    if not item.may_become(to):
        if not item.is_open:
            raise ConflictError(f"This action item is already {item.get_status_display()}.")
        if to == Status.DONE:
            raise ConflictError("This item has not been started; start it before completing it.")
        raise ConflictError(
            f"An item that is {item.get_status_display()} cannot become {Status(to).label}."
        )
    before = _snapshot(item)
    status_before = item.status
    item.status = to
    item.completed_on = completed_on if to == Status.DONE else None
    clean(item)
    item.save(update_fields=["status", "completed_on", "updated_at"])
    _timeline(item, actor=actor, kind=kind, note=note, status_before=status_before,
              status_after=to, decision=decision)  # fmt: skip
    record_event(actor=actor, verb=f"action_item.{kind}", obj=item, before=before,
                 after=_snapshot(item))  # fmt: skip
    return item


def _completion_date(item: ActionItem, completed_on) -> object:
    today = timezone.localdate()
    completed_on = completed_on or today
    if completed_on > today:
        raise Invalid("The completion date cannot be in the future.", field="completed_on")
    if completed_on < item.summit.starts_on:
        raise Invalid("The completion date cannot be before the summit.", field="completed_on")
    return completed_on


@transaction.atomic
def action_item_start(*, actor, item: ActionItem, note: str = "") -> ActionItem:
    """The owner starts work: open → in progress."""
    item = _lock(item)
    if not permissions.can_work_on(actor, item):
        raise NotAllowed(f"Only {item.owner} or someone acting for {item.owner_function} can "
                         "start this item.")  # fmt: skip
    return _move(item, actor=actor, to=Status.IN_PROGRESS, kind=Kind.STARTED,
                 note=(note or "").strip())  # fmt: skip


@transaction.atomic
def action_item_complete(*, actor, item: ActionItem, note: str = "",
                         completed_on=None) -> ActionItem:  # fmt: skip
    """The owner says it is done: in progress → done, on ``completed_on`` (today by
    default; not in the future). Done after the due date counts as late."""
    item = _lock(item)
    if not permissions.can_work_on(actor, item):
        raise NotAllowed(
            f"Only {item.owner} or someone acting for {item.owner_function} can complete this "
            f"item; the leaders of {item.board} can close it by a board decision."
        )
    return _move(item, actor=actor, to=Status.DONE, kind=Kind.COMPLETED,
                 note=(note or "").strip(),
                 completed_on=_completion_date(item, completed_on))  # fmt: skip


@transaction.atomic
def action_item_cancel(*, actor, item: ActionItem, reason: str) -> ActionItem:
    """Drop the item (the following board's leaders or the summit's chair), saying why."""
    item = _lock(item)
    if not permissions.can_steer(actor, item):
        raise NotAllowed(
            f"Only the leaders of {item.board} or the summit's chair can cancel this item."
        )
    reason = require_text(reason, "reason", "Say why the item is cancelled.")
    return _move(item, actor=actor, to=Status.CANCELLED, kind=Kind.CANCELLED, note=reason)


def _replan(item: ActionItem, *, actor, reason: str, due_on=None, owner=None,
            owner_function=None, decision=None) -> ActionItem:  # fmt: skip
    _require_open(item)
    due_on = due_on or item.due_on
    owner = owner or item.owner
    owner_function = owner_function or item.owner_function
    if due_on == item.due_on and owner == item.owner and owner_function == item.owner_function:
        raise Invalid("Give a new due date or a new owner.", field="due_on")
    if due_on != item.due_on:
        require_due_date(due_on, item.summit)
    require_works_for(owner, owner_function)
    before = _snapshot(item)
    _timeline(item, actor=actor, kind=Kind.REPLANNED, note=reason, decision=decision,
              due_before=item.due_on, due_after=due_on, owner_before=item.owner,
              owner_after=owner)  # fmt: skip
    fields = ["due_on", "owner", "owner_function", "updated_at"]
    if due_on != item.due_on:
        # A new due date starts the escalation ladder over from the bottom.
        item.escalation_level, item.escalated_at = 0, None
        fields += ["escalation_level", "escalated_at"]
    item.due_on, item.owner, item.owner_function = due_on, owner, owner_function
    clean(item)
    item.save(update_fields=fields)
    record_event(actor=actor, verb="action_item.replanned", obj=item, before=before,
                 after=_snapshot(item))  # fmt: skip
    return item


@transaction.atomic
def action_item_replan(*, actor, item: ActionItem, reason: str, due_on=None, owner=None,
                       owner_function=None) -> ActionItem:  # fmt: skip
    """Give an open item a new due date and/or owner (the following board's leaders or the
    summit's chair), saying why. The timeline keeps the old and the new."""
    item = _lock(item)
    if not permissions.can_steer(actor, item):
        raise NotAllowed(
            f"Only the leaders of {item.board} or the summit's chair can re-plan this item."
        )
    reason = require_text(reason, "reason", "Say why the item is re-planned.")
    return _replan(item, actor=actor, reason=reason, due_on=due_on, owner=owner,
                   owner_function=owner_function)  # fmt: skip


@transaction.atomic
def action_item_progress(*, actor, item: ActionItem, note: str) -> ActionItemUpdate:
    """Add a progress note to the timeline (the owner, the following board's leaders, the
    summit's chair)."""
    item = _lock(item)
    if not permissions.can_report_progress(actor, item):
        raise NotAllowed(
            f"Only {item.owner}, {item.owner_function}, the leaders of {item.board} or the "
            "summit's chair can report progress on this item."
        )
    _require_open(item)
    note = require_text(note, "note", "Write what has happened.")
    update = ActionItemUpdate.objects.create(item=item, kind=Kind.PROGRESS, note=note,
                                             author=actor)  # fmt: skip
    record_event(actor=actor, verb="action_item.progress", obj=item, after={"note": note})
    return update


@transaction.atomic
def action_item_decide(
    *, actor, item: ActionItem, outcome: str, rationale: str, title: str = "",
    meeting: Meeting | None = None, due_on=None, owner=None, owner_function=None,
    completed_on=None,
) -> ActionItem:  # fmt: skip
    """The following board decides on the item: ``complete`` (in progress → done),
    ``cancel``, or ``replan`` (new due date and/or owner). The board's decision is logged
    through the boards' own service and, its effect being immediate, marked implemented; the
    item's timeline links it. All in one transaction: both happen or neither."""
    item = _lock(item)
    if not permissions.can_decide(actor, item):
        raise NotAllowed(
            f"Only the chair of {item.board} or a delegate the chair names can decide on this "
            "item for the board."
        )
    if outcome not in DECISION_OUTCOMES:
        raise Invalid("Decide to complete, cancel or re-plan the item.", field="outcome")
    _require_open(item)
    if outcome == "complete" and not item.may_become(Status.DONE):
        raise ConflictError("This item has not been started; it cannot be done yet.")
    rationale = require_text(rationale, "rationale", "Give the rationale for the decision.")
    verb = {"complete": "Close as done", "cancel": "Cancel", "replan": "Re-plan"}[outcome]
    decision = board_services.decision_log(
        actor=actor, board=item.board, title=(title or "").strip() or f"{verb}: {item.title}",
        rationale=rationale, meeting=meeting, owner=owner or item.owner,
        owner_function=owner_function or item.owner_function,
        touchpoints=list(item.touchpoints.values_list("pk", flat=True)),
    )  # fmt: skip
    if outcome == "replan":
        item = _replan(item, actor=actor, reason=rationale, due_on=due_on, owner=owner,
                       owner_function=owner_function, decision=decision)  # fmt: skip
    elif outcome == "complete":
        item = _move(item, actor=actor, to=Status.DONE, kind=Kind.COMPLETED, note=rationale,
                     decision=decision,
                     completed_on=_completion_date(item, completed_on))  # fmt: skip
    else:
        item = _move(item, actor=actor, to=Status.CANCELLED, kind=Kind.CANCELLED,
                     note=rationale, decision=decision)  # fmt: skip
    board_services.decision_mark_implemented(actor=actor, decision=decision)
    return item


@transaction.atomic
def action_item_put_on_agenda(*, actor, item: ActionItem, meeting: Meeting,
                              notes: str = "") -> ActionItem:  # fmt: skip
    """Put an open item on an upcoming meeting of the board that follows it up (who may run
    that board's meetings), through the boards' agenda service."""
    item = _lock(item)
    meeting = Meeting.objects.select_related("board").get(pk=meeting.pk)
    if meeting.board_id != item.board_id:
        raise Invalid(f"That meeting is one of {meeting.board}; this item is followed up by "
                      f"{item.board}.", field="meeting")  # fmt: skip
    if not permissions.can_put_on_agenda(actor, item, meeting):
        raise NotAllowed(f"Only who runs the meetings of {item.board} can set their agenda.")
    _require_open(item)
    if item.agenda_items.filter(meeting=meeting).exists():
        raise ConflictError("This item is already on that meeting's agenda.")
    agenda_item = board_services.agenda_item_add(
        actor=actor, meeting=meeting, title=f"Action item: {item.title}",
        notes=(notes or "").strip() or item.description,
        touchpoint=item.touchpoints.first(),
    )  # fmt: skip
    item.agenda_items.add(agenda_item)
    _timeline(item, actor=actor, kind=Kind.AGENDA, note=(notes or "").strip(), meeting=meeting)
    record_event(actor=actor, verb="action_item.on_agenda", obj=item,
                 after={"meeting": meeting.pk, "agenda_item": agenda_item.pk})  # fmt: skip
    return item
