"""Decisions: logged by a board's leaders, append-only, superseded not edited."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from boards import permissions
from boards.models import (
    Board,
    Decision,
    DecisionFact,
    Escalation,
    Meeting,
)
from boards.selectors import in_scope
from boards.services.common import (
    DECISION_FIELDS,
    require_active_function,
    require_active_person,
    require_text,
    resolving_conflict,
)
from charter import services as charter_services
from charter.models import Conflict
from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict as ConflictError
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.validation import clean, save_or_conflict
from touchpoints.models import Kpi, Measurement, Touchpoint

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
    title = require_text(title, "title", "Give the decision a title.")
    rationale = require_text(rationale, "rationale", "Give the rationale for the decision.")
    if supersedes is not None:
        supersedes = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("board")
            .get(pk=supersedes.pk)
        )
    if conflict is not None:
        conflict = Conflict.objects.select_related("touchpoint").get(pk=conflict.pk)
    _validate_subject(
        board=board, conflict=conflict, winner=winner, escalation=escalation,
        supersedes=supersedes, meeting=meeting,
    )  # fmt: skip
    require_active_person(owner, "owner")
    require_active_function(owner_function, "owner_function")
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
        with resolving_conflict(actor, conflict):
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
    decision = (
        Decision.objects.select_for_update(of=("self",)).select_related("board").get(pk=decision.pk)
    )
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
