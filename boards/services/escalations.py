"""Escalations up the ladder, and the receiving body's answer."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from boards import permissions
from boards.models import (
    Board,
    Decision,
    Escalation,
    Meeting,
)
from boards.selectors import in_scope, ladder_above
from boards.services.common import (
    DECISION_FIELDS,
    ESCALATION_FIELDS,
    require_text,
)
from boards.services.decisions import (
    decision_log,
)
from charter.models import Conflict
from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict as ConflictError
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.validation import clean

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
    reason = require_text(reason, "reason", "Say why this goes to the body above.")
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
            Conflict.objects.select_for_update(of=("self",))
            .select_related("touchpoint")
            .get(pk=conflict.pk)
        )
        if conflict.status != Conflict.Status.OPEN:
            raise ConflictError("This conflict is no longer open.", field="conflict")
        if not in_scope(board, conflict.touchpoint):
            raise Invalid(f"{conflict.touchpoint} is outside the scope of {board}.")
        if open_escalations.filter(conflict=conflict).exists():
            raise ConflictError("This conflict has already been escalated.", field="conflict")
        title = title or f"Conflict: {conflict}"
    title = require_text(title, "title", "Give the escalation a subject.")
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
    response = require_text(response, "response", "Say why it goes back to the board.")
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
