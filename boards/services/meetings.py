"""Meetings: scheduling, agenda, attendance, holding and minutes."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from boards import permissions
from boards.models import (
    AgendaItem,
    Attendance,
    Board,
    Decision,
    Meeting,
    Membership,
)
from boards.selectors import in_scope, minutes_data
from boards.services.common import (
    AGENDA_FIELDS,
    MEETING_FIELDS,
    require_active_person,
    require_text,
)
from charter.models import Claim, Conflict
from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict as ConflictError
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.validation import apply_changes, clean

# --- Meetings ----------------------------------------------------------------------------------


def _require_runner(actor, board: Board) -> None:
    if not permissions.can_run_meeting(actor, board):
        raise NotAllowed(
            f"Only the chair of {board} or a delegate the chair names can run its meetings."
        )


def _lock_meeting(meeting: Meeting) -> Meeting:
    # The meeting's row only (OF self): locking the joined board too would hold up every
    # other write on the board, and the scheduler takes the board before its meetings.
    return (
        Meeting.objects.select_for_update(of=("self",)).select_related("board").get(pk=meeting.pk)
    )


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
    reason = require_text(reason, "reason", "Say why the meeting is cancelled.")
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
    require_active_person(presenter, "presenter")
    title = (title or "").strip() or _subject_title(
        touchpoint=touchpoint, conflict=conflict, claim=claim, decision=decision
    )
    require_text(title, "title", "Give the agenda item a title.")
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
