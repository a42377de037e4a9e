"""Write use cases of boards: set-up, members, meetings, decisions and escalations.

Every service checks permission (``boards.permissions``), validates, writes and records one
audit event per row it changes, in one transaction: a refused request changes nothing.

Invariants:

* Decisions are append-only. After a decision is logged only its status moves (open →
  overdue → implemented, escalated, superseded); a correction is a new decision of the same
  board that supersedes it, and the log keeps both.
* A board decision that resolves a charter conflict calls ``charter.services.conflict_resolve``
  in the same transaction: the right moves and the decision records why, or neither happens.
* Escalations only go up the ladder (``Board.escalates_to``), and only the leaders of the
  receiving body acknowledge, decide or send them back.
* Meetings held or with approved minutes are history: their record does not change.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from boards import permissions
from boards.cadence import validate_cadence, validate_time_zone
from boards.models import (
    AgendaItem,
    Attendance,
    Board,
    Decision,
    DecisionFact,
    Escalation,
    Meeting,
    Membership,
)
from boards.selectors import in_scope, ladder_above, minutes_data
from charter import services as charter_services
from charter.models import Claim, Conflict
from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict as ConflictError
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.validation import apply_changes, clean, save_or_conflict
from touchpoints.models import Kpi, Measurement, Touchpoint

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
def _resolving_conflict(user, conflict):
    token = _resolving.set((user.pk, conflict.touchpoint_id))
    try:
        yield
    finally:
        _resolving.reset(token)


def _enqueue_schedule(board: Board) -> None:
    from boards.tasks import schedule_board_meetings

    schedule_board_meetings.delay_on_commit(board.pk)


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(message, field=field)
    return value


def _require_active_person(person, field: str) -> None:
    if person is not None and not person.is_active:
        raise Invalid(f"{person} is no longer active in the organisation.", field=field)


def _require_active_function(function, field: str) -> None:
    if function is not None and not function.is_active:
        raise Invalid(f"{function} is archived.", field=field)


# --- Boards ------------------------------------------------------------------------------------


def _check_ladder(board: Board) -> None:
    """The body above must be active and must not sit below this board (no loops)."""
    above = board.escalates_to
    if above is None:
        return
    if board.pk is not None and above.pk == board.pk:
        raise Invalid("A board cannot escalate to itself.", field="escalates_to")
    if not above.is_active:
        raise Invalid(f"{above} is archived; choose an active body.", field="escalates_to")
    seen = {board.pk}
    node = above
    while node is not None:
        if node.pk in seen:
            raise Invalid(
                f"{above} already escalates to {board}; the ladder cannot loop.",
                field="escalates_to",
            )
        seen.add(node.pk)
        node = node.escalates_to


def _validate_board(board: Board) -> None:
    board.cadence = validate_cadence(board.cadence, starts_on=board.starts_on)
    board.time_zone = validate_time_zone(board.time_zone)
    clean(board)
    _require_active_person(board.chair, "chair")
    _require_active_person(board.sponsor, "sponsor")
    _check_ladder(board)


def _board_snapshot(board: Board, scope: dict | None = None) -> dict:
    data = snapshot(board, BOARD_FIELDS)
    if scope is not None:
        data.update(scope)
    return data


def _scope_of(board: Board) -> dict:
    return {
        "scope_touchpoints": sorted(board.scope_touchpoints.values_list("pk", flat=True)),
        "scope_stages": sorted(board.scope_stages.values_list("pk", flat=True)),
    }


@transaction.atomic
def board_create(*, actor, scope_touchpoints=(), scope_stages=(), **fields) -> Board:
    """Create a board (administrators). Its meetings are scheduled after commit."""
    if not permissions.can_create_board(actor):
        raise NotAllowed("Only administrators can create boards.")
    board = Board()
    apply_changes(board, fields, BOARD_FIELDS)
    _validate_board(board)
    save_or_conflict(board, "A board with this name already exists.")
    board.scope_touchpoints.set(scope_touchpoints)
    board.scope_stages.set(scope_stages)
    record_event(
        actor=actor, verb="board.created", obj=board,
        after=_board_snapshot(board, _scope_of(board)),
    )  # fmt: skip
    _enqueue_schedule(board)
    return board


@transaction.atomic
def board_update(
    *, actor, board: Board, scope_touchpoints=None, scope_stages=None, **changes
) -> Board:
    """Change a board's set-up. A chair or sponsor changes its purpose, scope and cadence;
    only administrators change who leads it, the ladder, or archive it. A cadence change
    reschedules the future meetings after commit (meetings already held are not touched)."""
    board = Board.objects.select_for_update().get(pk=board.pk)
    if not permissions.can_manage_board(actor, board):
        raise NotAllowed(f"Only the chair, the sponsor or an administrator can change {board}.")
    is_admin = permissions.roles_for(actor).is_admin
    changed = {k for k, v in changes.items() if getattr(board, k, object()) != v}
    if not is_admin and changed - set(BOARD_FIELDS_FOR_LEADERS):
        raise NotAllowed(
            "Only an administrator can change a board's chair, sponsor, place in the ladder "
            "or archive it."
        )
    before = _board_snapshot(board, _scope_of(board))
    apply_changes(board, changes, BOARD_FIELDS)
    _validate_board(board)
    save_or_conflict(board, "A board with this name already exists.")
    if scope_touchpoints is not None:
        board.scope_touchpoints.set(scope_touchpoints)
    if scope_stages is not None:
        board.scope_stages.set(scope_stages)
    after = _board_snapshot(board, _scope_of(board))
    if after != before:
        record_event(actor=actor, verb="board.updated", obj=board, before=before, after=after)
    if any(before.get(f) != after.get(f) for f in CADENCE_FIELDS):
        _enqueue_schedule(board)
    return board


# --- Members -----------------------------------------------------------------------------------


def _require_manager(actor, board: Board) -> None:
    if not permissions.can_manage_board(actor, board):
        raise NotAllowed(
            f"Only the chair, the sponsor or an administrator can change the members of {board}."
        )


@transaction.atomic
def membership_add(
    *, actor, board: Board, person, function, role: str = Membership.Role.MEMBER,
    is_delegate: bool = False, started_on=None,
) -> Membership:  # fmt: skip
    """Seat ``person`` on ``board`` for ``function``. One open membership per person."""
    _require_manager(actor, board)
    _require_active_person(person, "person")
    _require_active_function(function, "function")
    membership = Membership(
        board=board, person=person, function=function, role=role, is_delegate=is_delegate,
        started_on=started_on or timezone.localdate(),
    )  # fmt: skip
    clean(membership)
    save_or_conflict(membership, f"{person} is already a member of {board}.")
    record_event(
        actor=actor, verb="membership.added", obj=membership,
        after=snapshot(membership, MEMBERSHIP_FIELDS),
    )  # fmt: skip
    permissions.forget(person)
    return membership


@transaction.atomic
def membership_update(*, actor, membership: Membership, **changes) -> Membership:
    """Change a member's role, the function they represent, or whether they are a delegate."""
    membership = (
        Membership.objects.select_for_update().select_related("board").get(pk=membership.pk)
    )
    _require_manager(actor, membership.board)
    if membership.ended_on is not None and membership.ended_on < timezone.localdate():
        raise ConflictError("This membership has ended; add the person again instead.")
    before = snapshot(membership, MEMBERSHIP_FIELDS)
    apply_changes(membership, changes, ("function", "role", "is_delegate"))
    _require_active_function(membership.function, "function")
    clean(membership)
    membership.save()
    after = snapshot(membership, MEMBERSHIP_FIELDS)
    if after != before:
        record_event(
            actor=actor, verb="membership.updated", obj=membership, before=before, after=after
        )
    permissions.forget(membership.person)
    return membership


@transaction.atomic
def membership_end(*, actor, membership: Membership, ended_on=None) -> Membership:
    """End a membership (today by default). The record stays: who sat when is history."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("board", "person")
        .get(pk=membership.pk)
    )
    _require_manager(actor, membership.board)
    if membership.ended_on is not None:
        raise ConflictError(f"This membership already ended on {membership.ended_on:%d %b %Y}.")
    before = snapshot(membership, MEMBERSHIP_FIELDS)
    membership.ended_on = ended_on or timezone.localdate()
    clean(membership)
    membership.save(update_fields=["ended_on"])
    record_event(
        actor=actor, verb="membership.ended", obj=membership, before=before,
        after=snapshot(membership, MEMBERSHIP_FIELDS),
    )  # fmt: skip
    permissions.forget(membership.person)
    return membership


# --- Meetings ----------------------------------------------------------------------------------


def _require_runner(actor, board: Board) -> None:
    if not permissions.can_run_meeting(actor, board):
        raise NotAllowed(
            f"Only the chair of {board} or a delegate the chair names can run its meetings."
        )


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("board").get(pk=meeting.pk)


def _require_open_record(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ConflictError("This meeting was cancelled.")
    if meeting.minutes_approved_at is not None:
        raise ConflictError("The minutes of this meeting are approved; its record is closed.")


def _check_clash(board: Board, starts_at: datetime, ends_at: datetime, exclude=None) -> None:
    clash = (
        Meeting.objects.filter(board=board, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(status=Meeting.Status.CANCELLED)
        .exclude(pk=getattr(exclude, "pk", None))
        .first()
    )
    if clash is not None:
        local = timezone.localtime(clash.starts_at)
        raise ConflictError(
            f"This would clash with the board's meeting on {local:%a %d %b %Y at %H:%M}; "
            "choose another time or move that meeting.",
            field="starts_at",
        )


@transaction.atomic
def meeting_create(
    *, actor, board: Board, starts_at: datetime, ends_at: datetime | None = None,
    location: str = "",
) -> Meeting:  # fmt: skip
    """Schedule an ad-hoc meeting, outside the cadence. Refused if it overlaps another
    meeting of the board that is not cancelled."""
    board = Board.objects.select_for_update().get(pk=board.pk)
    _require_runner(actor, board)
    if not board.is_active:
        raise Invalid(f"{board} is archived.")
    ends_at = ends_at or starts_at + board.duration
    meeting = Meeting(
        board=board, starts_at=starts_at, ends_at=ends_at,
        location=(location or board.location).strip(),
    )  # fmt: skip
    clean(meeting)
    _check_clash(board, starts_at, ends_at)
    meeting.save()
    record_event(
        actor=actor, verb="meeting.scheduled", obj=meeting,
        after=snapshot(meeting, MEETING_FIELDS),
    )  # fmt: skip
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, **changes) -> Meeting:
    """Move a scheduled meeting, change its place, or the chair's notes for the minutes.
    A change calendars must see raises the meeting's calendar sequence."""
    meeting = _lock_meeting(meeting)
    _require_runner(actor, meeting.board)
    _require_open_record(meeting)
    timing = {"starts_at", "ends_at", "location"} & set(changes)
    if timing and meeting.status != Meeting.Status.SCHEDULED:
        raise ConflictError("Only a scheduled meeting can be moved.")
    before = snapshot(meeting, MEETING_FIELDS)
    if "starts_at" in changes and "ends_at" not in changes:
        changes["ends_at"] = changes["starts_at"] + (meeting.ends_at - meeting.starts_at)
    apply_changes(meeting, changes, ("starts_at", "ends_at", "location", "minutes_notes"))
    clean(meeting)
    if timing:
        _check_clash(meeting.board, meeting.starts_at, meeting.ends_at, exclude=meeting)
    after = snapshot(meeting, MEETING_FIELDS)
    if after == before:
        return meeting
    if any(before[f] != after[f] for f in ("starts_at", "ends_at", "location")):
        meeting.sequence += 1
        meeting.is_customised = True  # the cadence scan keeps the leader's time and place
    meeting.save()
    record_event(actor=actor, verb="meeting.updated", obj=meeting, before=before, after=after)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting, saying why; calendars show it cancelled."""
    meeting = _lock_meeting(meeting)
    _require_runner(actor, meeting.board)
    reason = _require_text(reason, "reason", "Say why the meeting is cancelled.")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ConflictError(f"This meeting is {meeting.get_status_display()}, not scheduled.")
    before = snapshot(meeting, MEETING_FIELDS)
    meeting.status = Meeting.Status.CANCELLED
    meeting.status_note = reason[:300]
    meeting.sequence += 1
    meeting.save()
    record_event(
        actor=actor, verb="meeting.cancelled", obj=meeting, before=before,
        after=snapshot(meeting, MEETING_FIELDS),
    )  # fmt: skip
    return meeting


@transaction.atomic
def meeting_hold(*, actor, meeting: Meeting) -> Meeting:
    """Record that a scheduled meeting took place. Not before it has started."""
    meeting = _lock_meeting(meeting)
    _require_runner(actor, meeting.board)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ConflictError(f"This meeting is {meeting.get_status_display()}, not scheduled.")
    if meeting.starts_at > timezone.now():
        raise Invalid("This meeting has not started yet; mark it held once it has.")
    before = snapshot(meeting, MEETING_FIELDS)
    meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["status", "updated_at"])
    record_event(
        actor=actor, verb="meeting.held", obj=meeting, before=before,
        after=snapshot(meeting, MEETING_FIELDS),
    )  # fmt: skip
    return meeting


def _subject_title(*, touchpoint=None, conflict=None, claim=None, decision=None) -> str:
    if conflict is not None:
        return f"Conflict: {conflict}"
    if claim is not None:
        return f"Claim waiting for approval: {claim}"
    if decision is not None:
        return f"Decision: {decision.title}"
    if touchpoint is not None:
        return f"Touchpoint: {touchpoint}"
    return ""


@transaction.atomic
def agenda_item_add(
    *, actor, meeting: Meeting, title: str = "", notes: str = "", duration_minutes: int = 10,
    presenter=None, touchpoint=None, conflict: Conflict | None = None,
    claim: Claim | None = None, decision: Decision | None = None,
) -> AgendaItem:  # fmt: skip
    """Add an item at the end of the agenda. Linked conflicts and claims must concern a
    touchpoint in the board's scope; a linked decision must be the board's."""
    meeting = _lock_meeting(meeting)
    board = meeting.board
    _require_runner(actor, board)
    _require_open_record(meeting)
    if meeting.status == Meeting.Status.HELD:
        raise ConflictError("This meeting has been held; add the item to the next one.")
    for linked, field in ((conflict, "conflict"), (claim, "claim")):
        if linked is not None and not in_scope(board, linked.touchpoint):
            raise Invalid(f"{linked.touchpoint} is outside the scope of {board}.", field=field)
    if conflict is not None and conflict.status != Conflict.Status.OPEN:
        raise Invalid("This conflict is no longer open.", field="conflict")
    if claim is not None and claim.status != Claim.Status.PENDING:
        raise Invalid("This claim is no longer waiting for approval.", field="claim")
    if decision is not None and decision.board_id != board.pk:
        raise Invalid(f"This decision belongs to {decision.board}.", field="decision")
    _require_active_person(presenter, "presenter")
    title = (title or "").strip() or _subject_title(
        touchpoint=touchpoint, conflict=conflict, claim=claim, decision=decision
    )
    _require_text(title, "title", "Give the agenda item a title.")
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"]
    item = AgendaItem(
        meeting=meeting, position=0 if last is None else last + 1, title=title[:200],
        notes=notes, duration_minutes=duration_minutes, presenter=presenter,
        touchpoint=touchpoint or getattr(conflict or claim, "touchpoint", None),
        conflict=conflict, claim=claim, decision=decision,
    )  # fmt: skip
    clean(item)
    item.save()
    meeting.sequence += 1  # the agenda is in the calendar entry's description
    meeting.save(update_fields=["sequence", "updated_at"])
    record_event(
        actor=actor, verb="agenda_item.added", obj=item, after=snapshot(item, AGENDA_FIELDS)
    )
    return item


def _lock_item(item: AgendaItem) -> AgendaItem:
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    item.meeting = _lock_meeting(item.meeting)
    return item


@transaction.atomic
def agenda_item_remove(*, actor, item: AgendaItem) -> None:
    item = _lock_item(item)
    meeting = item.meeting
    _require_runner(actor, meeting.board)
    _require_open_record(meeting)
    if meeting.status == Meeting.Status.HELD:
        raise ConflictError("This meeting has been held; its agenda is part of the record.")
    record_event(
        actor=actor, verb="agenda_item.removed", obj=item, before=snapshot(item, AGENDA_FIELDS)
    )
    item.delete()
    meeting.sequence += 1
    meeting.save(update_fields=["sequence", "updated_at"])


@transaction.atomic
def agenda_item_move(*, actor, item: AgendaItem, direction: str) -> list[AgendaItem]:
    """Move an item one place ``up`` or ``down``; returns the agenda in its new order."""
    if direction not in ("up", "down"):
        raise Invalid("Move an item up or down.", field="direction")
    item = _lock_item(item)
    meeting = item.meeting
    _require_runner(actor, meeting.board)
    _require_open_record(meeting)
    if meeting.status == Meeting.Status.HELD:
        raise ConflictError("This meeting has been held; its agenda is part of the record.")
    items = list(meeting.agenda_items.order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        for position, other in enumerate(items):
            other.position = position
        AgendaItem.objects.bulk_update(items, ["position"])
        meeting.sequence += 1
        meeting.save(update_fields=["sequence", "updated_at"])
        record_event(
            actor=actor, verb="agenda_item.moved", obj=item,
            after={"direction": direction, "position": target},
        )  # fmt: skip
    return items


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, person, status: str) -> Attendance:
    """Record whether a member (or the chair) was present, sent apologies, or was absent.
    Apologies may come before the meeting; presence and absence once it has started."""
    meeting = _lock_meeting(meeting)
    board = meeting.board
    _require_runner(actor, board)
    _require_open_record(meeting)
    if status not in Attendance.Status.values:
        raise Invalid(
            f"{status!r} is not an attendance; choose present, apologies or absent.",
            field="status",
        )
    if status != Attendance.Status.APOLOGIES and meeting.starts_at > timezone.now():
        raise Invalid(
            "Attendance is taken once the meeting has started; apologies can be sent before.",
            field="status",
        )
    day = timezone.localtime(meeting.starts_at).date()
    is_member = Membership.objects.current(day).filter(board=board, person=person).exists()
    if not is_member and person.pk != board.chair_id:
        raise Invalid(f"{person} is not a member of {board}.", field="person")
    attendance = Attendance.objects.filter(meeting=meeting, person=person).first()
    before = snapshot(attendance, ("person", "status")) if attendance else None
    if attendance is None:
        attendance = Attendance(meeting=meeting, person=person)
    attendance.status = status
    attendance.save()
    after = snapshot(attendance, ("person", "status"))
    if after != before:
        record_event(
            actor=actor, verb="attendance.recorded", obj=meeting, before=before, after=after
        )
    return attendance


@transaction.atomic
def minutes_approve(*, actor, meeting: Meeting, notes: str | None = None) -> Meeting:
    """The chair approves the minutes of a held meeting. The minutes are generated from the
    record (attendance, agenda, decisions, escalations) and frozen as approved."""
    meeting = _lock_meeting(meeting)
    if not permissions.can_approve_minutes(actor, meeting.board):
        raise NotAllowed(f"Only the chair of {meeting.board} approves its minutes.")
    if meeting.status != Meeting.Status.HELD:
        raise ConflictError("Minutes are approved for a meeting that has been held.")
    if meeting.minutes_approved_at is not None:
        raise ConflictError("The minutes of this meeting are already approved.")
    before = snapshot(meeting, MEETING_FIELDS)
    if notes is not None:
        # Saved first: minutes_data reads the meeting's record from the database.
        meeting.minutes_notes = notes.strip()
        meeting.save(update_fields=["minutes_notes", "updated_at"])
    meeting.minutes = minutes_data(meeting)
    meeting.minutes_approved_at = timezone.now()
    meeting.minutes_approved_by = actor
    meeting.save()
    record_event(
        actor=actor, verb="minutes.approved", obj=meeting, before=before,
        after=snapshot(meeting, MEETING_FIELDS),
    )  # fmt: skip
    return meeting


# --- Decisions ---------------------------------------------------------------------------------


def _facts(decision: Decision, touchpoints: list, kpis: list) -> list[DecisionFact]:
    """The facts as they stand now: each KPI's latest value, target and status."""
    latest = {}
    for measurement in Measurement.objects.filter(kpi__in=[k.pk for k in kpis]).order_by(
        "kpi_id", "-period"
    ):
        latest.setdefault(measurement.kpi_id, measurement)
    facts = []
    with_kpi = {kpi.touchpoint_id for kpi in kpis}
    for touchpoint in touchpoints:
        if touchpoint.pk not in with_kpi:
            facts.append(DecisionFact(decision=decision, touchpoint=touchpoint))
    for kpi in kpis:
        measurement = latest.get(kpi.pk)
        value = measurement.value if measurement else None
        facts.append(
            DecisionFact(
                decision=decision, touchpoint_id=kpi.touchpoint_id, kpi=kpi, value=value,
                period=measurement.period if measurement else None, target=kpi.target,
                kpi_status=kpi.status_of(value),
            )
        )  # fmt: skip
    return facts


def _validate_subject(*, board: Board, conflict, winner, escalation, supersedes, meeting) -> None:
    if meeting is not None:
        if meeting.board_id != board.pk:
            raise Invalid(f"That meeting belongs to {meeting.board}.", field="meeting")
        if meeting.status == Meeting.Status.CANCELLED:
            raise Invalid("That meeting was cancelled.", field="meeting")
        if meeting.minutes_approved_at is not None:
            raise Invalid("The minutes of that meeting are approved.", field="meeting")
    decided_above = (
        escalation is not None
        and supersedes is not None
        and (escalation.decision_id == supersedes.pk)
    )
    if supersedes is not None:
        if supersedes.board_id != board.pk and not decided_above:
            raise Invalid(
                f"“{supersedes}” is a decision of {supersedes.board}; only that board can "
                "supersede it.",
                field="supersedes",
            )
        if supersedes.status == Decision.Status.SUPERSEDED:
            raise ConflictError(f"“{supersedes}” is already superseded.", field="supersedes")
    if conflict is not None:
        if conflict.status != Conflict.Status.OPEN:
            raise ConflictError(
                f"This conflict is already {conflict.get_status_display()}.", field="conflict"
            )
        escalated = escalation is not None and escalation.conflict_id == conflict.pk
        if not escalated and not in_scope(board, conflict.touchpoint):
            raise Invalid(
                f"{conflict.touchpoint} is outside the scope of {board}; escalate the "
                "conflict to a body that governs it.",
                field="conflict",
            )
        if winner is None:
            raise Invalid("Say which function the right goes to.", field="winner")
    elif winner is not None:
        raise Invalid("A winner is only named when the decision resolves a conflict.")


@transaction.atomic
def decision_log(
    *, actor, board: Board, title: str, rationale: str, outcome: str = "", owner=None,
    owner_function=None, due_on=None, meeting: Meeting | None = None,
    touchpoints: Iterable = (), kpis: Iterable = (), conflict: Conflict | None = None,
    winner=None, supersedes: Decision | None = None, escalation: Escalation | None = None,
) -> Decision:  # fmt: skip
    """Log a decision of ``board`` (its chair or a delegate), optionally in a meeting.

    The facts considered are copied as they stand: each linked KPI's latest value, target
    and status. With ``conflict`` and ``winner`` the decision resolves a charter conflict in
    the board's scope through the charter's own service, in this transaction. With
    ``supersedes`` it corrects an earlier decision of the same board, which becomes
    superseded; with ``escalation`` (the body above deciding an escalated item) it may
    supersede the escalated decision of the board below.
    """
    board = Board.objects.get(pk=board.pk)
    if not permissions.can_log_decision(actor, board):
        raise NotAllowed(
            f"Only the chair of {board} or a delegate the chair names can log its decisions."
        )
    title = _require_text(title, "title", "Give the decision a title.")
    rationale = _require_text(rationale, "rationale", "Give the rationale for the decision.")
    if supersedes is not None:
        supersedes = (
            Decision.objects.select_for_update().select_related("board").get(pk=supersedes.pk)
        )
    if conflict is not None:
        conflict = Conflict.objects.select_related("touchpoint").get(pk=conflict.pk)
    _validate_subject(
        board=board, conflict=conflict, winner=winner, escalation=escalation,
        supersedes=supersedes, meeting=meeting,
    )  # fmt: skip
    _require_active_person(owner, "owner")
    _require_active_function(owner_function, "owner_function")
    if due_on is not None and due_on < timezone.localdate():
        raise Invalid("The due date cannot be in the past.", field="due_on")

    kpis = list(Kpi.objects.filter(pk__in=[getattr(k, "pk", k) for k in kpis]))
    touchpoint_ids = {getattr(t, "pk", t) for t in touchpoints}
    touchpoint_ids |= {kpi.touchpoint_id for kpi in kpis}
    if conflict is not None:
        touchpoint_ids.add(conflict.touchpoint_id)
    linked = list(Touchpoint.objects.filter(pk__in=touchpoint_ids))
    decision = Decision(
        board=board, meeting=meeting, title=title[:200], rationale=rationale,
        outcome=(outcome or "").strip(), owner=owner, owner_function=owner_function,
        due_on=due_on, conflict=conflict, supersedes=supersedes, logged_by=actor,
    )  # fmt: skip
    clean(decision, exclude=["touchpoints"])

    if conflict is not None:
        with _resolving_conflict(actor, conflict):
            charter_services.conflict_resolve(
                actor=actor, conflict=conflict, winner=winner, rationale=rationale
            )
    save_or_conflict(decision, "This conflict or decision has already been decided.")
    decision.touchpoints.set(linked)
    DecisionFact.objects.bulk_create(_facts(decision, linked, kpis))
    if supersedes is not None:
        before = snapshot(supersedes, DECISION_FIELDS)
        supersedes.status = Decision.Status.SUPERSEDED
        supersedes.save(update_fields=["status"])
        record_event(
            actor=actor, verb="decision.superseded", obj=supersedes, before=before,
            after=snapshot(supersedes, DECISION_FIELDS),
        )  # fmt: skip
    after = snapshot(decision, DECISION_FIELDS)
    after["touchpoints"] = sorted(touchpoint_ids)
    after["kpis"] = sorted(k.pk for k in kpis)
    record_event(actor=actor, verb="decision.logged", obj=decision, after=after)
    return decision


@transaction.atomic
def decision_supersede(*, actor, decision: Decision, **fields) -> Decision:
    """Correct ``decision`` with a new one of the same board. What the correction does not
    restate (owner, due date, touchpoints, meeting) is carried over."""
    old = Decision.objects.select_related("board").get(pk=decision.pk)
    fields.setdefault("owner", old.owner)
    fields.setdefault("owner_function", old.owner_function)
    fields.setdefault("due_on", old.due_on if old.due_on and old.due_on >= timezone.localdate()
                      else None)  # fmt: skip
    if "touchpoints" not in fields and "kpis" not in fields:
        fields["touchpoints"] = list(old.touchpoints.values_list("pk", flat=True))
    return decision_log(actor=actor, board=old.board, supersedes=old, **fields)


@transaction.atomic
def decision_mark_implemented(*, actor, decision: Decision) -> Decision:
    """The decision has been carried out (the board's leaders or its owner say so)."""
    decision = Decision.objects.select_for_update().select_related("board").get(pk=decision.pk)
    if not permissions.can_mark_implemented(actor, decision):
        raise NotAllowed(
            "Only the decision's owner, its owner function or the board's chair can say it "
            "has been carried out."
        )
    if decision.status not in Decision.PENDING_STATUSES:
        raise ConflictError(f"This decision is {decision.get_status_display()}.")
    before = snapshot(decision, DECISION_FIELDS)
    decision.status = Decision.Status.IMPLEMENTED
    decision.implemented_at = timezone.now()
    decision.implemented_by = actor
    decision.save(update_fields=["status", "implemented_at", "implemented_by"])
    record_event(
        actor=actor, verb="decision.implemented", obj=decision, before=before,
        after=snapshot(decision, DECISION_FIELDS),
    )  # fmt: skip
    return decision


def decisions_mark_overdue(*, today=None, chunk: int = 500) -> int:
    """Mark open decisions past their due date as overdue (a job; no person acts). Scans by
    ``due_on < today``, never by date equality, so a missed day is caught up. Each chunk is
    one transaction; running it twice changes nothing the second time."""
    today = today or timezone.localdate()
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                Decision.objects.select_for_update(skip_locked=True)
                .filter(status=Decision.Status.OPEN, due_on__lt=today)
                .order_by("pk")[:chunk]
            )
            if not batch:
                return total
            for decision in batch:
                before = snapshot(decision, DECISION_FIELDS)
                decision.status = Decision.Status.OVERDUE
                record_event(
                    actor=None, verb="decision.overdue", obj=decision, before=before,
                    after=snapshot(decision, DECISION_FIELDS),
                )  # fmt: skip
            Decision.objects.bulk_update(batch, ["status"])
            total += len(batch)


# --- Escalations -------------------------------------------------------------------------------


@transaction.atomic
def escalation_raise(
    *, actor, board: Board, reason: str, title: str = "", decision: Decision | None = None,
    conflict: Conflict | None = None, to_board: Board | None = None,
    meeting: Meeting | None = None,
) -> Escalation:  # fmt: skip
    """Escalate a decision, a conflict or an item from ``board`` to a body above it (the
    next rung by default). An escalated decision's status becomes escalated until the body
    above decides it or sends it back. One open escalation per decision or conflict."""
    board = Board.objects.select_related("escalates_to").get(pk=board.pk)
    if not permissions.can_escalate(actor, board):
        raise NotAllowed(f"Only the chair of {board} or a delegate the chair names escalates.")
    reason = _require_text(reason, "reason", "Say why this goes to the body above.")
    above = ladder_above(board)
    if not above:
        raise Invalid(f"{board} is the top of the ladder; there is no body above it.")
    target = to_board or above[0]
    if target.pk not in {b.pk for b in above}:
        names = ", ".join(str(b) for b in above)
        raise Invalid(
            f"{target} is not above {board}; escalate to one of: {names}.", field="to_board"
        )
    if decision is not None and conflict is not None:
        raise Invalid("Escalate a decision or a conflict, not both at once.")
    if meeting is not None and meeting.board_id != board.pk:
        raise Invalid(f"That meeting belongs to {meeting.board}.", field="meeting")
    open_escalations = Escalation.objects.open()
    if decision is not None:
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.board_id != board.pk:
            raise Invalid(f"This decision belongs to {decision.board}.", field="decision")
        if decision.status not in Decision.PENDING_STATUSES:
            raise ConflictError(
                f"This decision is {decision.get_status_display()}; only an open or overdue "
                "decision can be escalated.",
                field="decision",
            )
        title = title or decision.title
    if conflict is not None:
        conflict = (
            Conflict.objects.select_for_update().select_related("touchpoint").get(pk=conflict.pk)
        )
        if conflict.status != Conflict.Status.OPEN:
            raise ConflictError("This conflict is no longer open.", field="conflict")
        if not in_scope(board, conflict.touchpoint):
            raise Invalid(f"{conflict.touchpoint} is outside the scope of {board}.")
        if open_escalations.filter(conflict=conflict).exists():
            raise ConflictError("This conflict has already been escalated.", field="conflict")
        title = title or f"Conflict: {conflict}"
    title = _require_text(title, "title", "Give the escalation a subject.")
    escalation = Escalation(
        from_board=board, to_board=target, title=title[:200], reason=reason,
        decision=decision, conflict=conflict, meeting=meeting, raised_by=actor,
    )  # fmt: skip
    clean(escalation)
    escalation.save()
    if decision is not None:
        before = snapshot(decision, DECISION_FIELDS)
        decision.status = Decision.Status.ESCALATED
        decision.save(update_fields=["status"])
        record_event(
            actor=actor, verb="decision.escalated", obj=decision, before=before,
            after=snapshot(decision, DECISION_FIELDS),
        )  # fmt: skip
    record_event(
        actor=actor, verb="escalation.raised", obj=escalation,
        after=snapshot(escalation, ESCALATION_FIELDS),
    )  # fmt: skip
    return escalation


def _lock_escalation(escalation: Escalation) -> Escalation:
    return (
        Escalation.objects.select_for_update()
        .select_related("from_board", "to_board")
        .get(pk=escalation.pk)
    )


def _require_receiver(actor, escalation: Escalation) -> None:
    if not permissions.can_receive(actor, escalation):
        raise NotAllowed(
            f"Only the chair of {escalation.to_board}, or a delegate, answers this escalation."
        )


@transaction.atomic
def escalation_acknowledge(*, actor, escalation: Escalation) -> Escalation:
    escalation = _lock_escalation(escalation)
    _require_receiver(actor, escalation)
    if escalation.status != Escalation.Status.OPEN:
        raise ConflictError(f"This escalation is already {escalation.get_status_display()}.")
    before = snapshot(escalation, ESCALATION_FIELDS)
    escalation.status = Escalation.Status.ACKNOWLEDGED
    escalation.acknowledged_by = actor
    escalation.acknowledged_at = timezone.now()
    escalation.save()
    record_event(
        actor=actor, verb="escalation.acknowledged", obj=escalation, before=before,
        after=snapshot(escalation, ESCALATION_FIELDS),
    )  # fmt: skip
    return escalation


@transaction.atomic
def escalation_resolve(
    *, actor, escalation: Escalation, title: str = "", rationale: str, outcome: str = "",
    owner=None, owner_function=None, due_on=None, winner=None,
) -> Escalation:  # fmt: skip
    """The receiving body decides: it logs its own decision (which, for an escalated
    conflict, resolves the conflict and needs ``winner``; for an escalated decision,
    supersedes it) and the escalation closes."""
    escalation = _lock_escalation(escalation)
    _require_receiver(actor, escalation)
    if not escalation.is_open:
        raise ConflictError(f"This escalation is already {escalation.get_status_display()}.")
    touchpoints = []
    if escalation.decision_id:
        touchpoints = list(escalation.decision.touchpoints.values_list("pk", flat=True))
    # The body above's decision supersedes the escalated one: the lower board's log shows
    # it was decided above, and by which decision.
    decision = decision_log(
        supersedes=escalation.decision,
        actor=actor, board=escalation.to_board, title=title or escalation.title,
        rationale=rationale, outcome=outcome, owner=owner, owner_function=owner_function,
        due_on=due_on, touchpoints=touchpoints, conflict=escalation.conflict, winner=winner,
        escalation=escalation,
    )  # fmt: skip
    before = snapshot(escalation, ESCALATION_FIELDS)
    escalation.status = Escalation.Status.RESOLVED
    escalation.resolution = decision
    escalation.response = rationale.strip()
    escalation.closed_by = actor
    escalation.closed_at = timezone.now()
    escalation.save()
    record_event(
        actor=actor, verb="escalation.resolved", obj=escalation, before=before,
        after=snapshot(escalation, ESCALATION_FIELDS),
    )  # fmt: skip
    return escalation


@transaction.atomic
def escalation_return(*, actor, escalation: Escalation, response: str) -> Escalation:
    """Send an escalation back to the board that raised it, saying why. An escalated
    decision goes back to open (or overdue, if its due date has passed)."""
    escalation = _lock_escalation(escalation)
    _require_receiver(actor, escalation)
    if not escalation.is_open:
        raise ConflictError(f"This escalation is already {escalation.get_status_display()}.")
    response = _require_text(response, "response", "Say why it goes back to the board.")
    before = snapshot(escalation, ESCALATION_FIELDS)
    escalation.status = Escalation.Status.RETURNED
    escalation.response = response
    escalation.closed_by = actor
    escalation.closed_at = timezone.now()
    escalation.save()
    if escalation.decision_id:
        decision = Decision.objects.select_for_update().get(pk=escalation.decision_id)
        if decision.status == Decision.Status.ESCALATED:
            decision_before = snapshot(decision, DECISION_FIELDS)
            overdue = decision.due_on is not None and decision.due_on < timezone.localdate()
            decision.status = Decision.Status.OVERDUE if overdue else Decision.Status.OPEN
            decision.save(update_fields=["status"])
            record_event(
                actor=actor, verb="decision.returned", obj=decision, before=decision_before,
                after=snapshot(decision, DECISION_FIELDS),
            )  # fmt: skip
    record_event(
        actor=actor, verb="escalation.returned", obj=escalation, before=before,
        after=snapshot(escalation, ESCALATION_FIELDS),
    )  # fmt: skip
    return escalation
