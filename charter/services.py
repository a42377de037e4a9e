"""Write use cases of the charter: claim, approve, reject, withdraw, release, resolve, assign.

Invariants:

* At most one active holder per (touchpoint, right). The database guarantees it with a partial
  unique constraint; these services turn a violation (two claims racing for a vacant right)
  into the outcome a person expects: the first wins, the others become conflicts.
* At most one open claim per (touchpoint, right, function), also a partial unique constraint.
* Every change records one audit event per row it changes, in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from charter import permissions
from charter.models import Claim, Conflict, Right, RightAssignment
from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict as ConflictError
from engagement.core.errors import Invalid, NotAllowed
from touchpoints.models import Touchpoint

ASSIGNMENT_FIELDS = (
    "touchpoint", "right", "function", "accountable", "started_at", "ended_at", "source",
    "end_reason",
)  # fmt: skip
CLAIM_FIELDS = ("touchpoint", "right", "function", "claimant", "status", "decision_note")
CONFLICT_FIELDS = (
    "touchpoint", "right", "holder_function", "claimant_function", "status", "winner",
    "rationale",
)  # fmt: skip


def _right_label(right: str) -> str:
    return str(Right(right).label)


def _check_right(right: str) -> None:
    if right not in Right.values:
        raise Invalid(
            f"{right!r} is not a right; choose one of {', '.join(Right.values)}.", field="right"
        )


def _active_holder(touchpoint_id: int, right: str, *, lock: bool = False):
    qs = RightAssignment.objects.active().filter(touchpoint_id=touchpoint_id, right=right)
    if lock:
        qs = qs.select_for_update()
    return qs.select_related("function").first()


def _grant(*, actor, touchpoint, right, function, source, claim=None) -> RightAssignment:
    """Insert the active assignment. Raises IntegrityError if someone else holds the right
    (the caller decides what that means); runs in a savepoint so the caller can go on."""
    assignment = RightAssignment(
        touchpoint=touchpoint,
        right=right,
        function=function,
        accountable=function.head or (claim.claimant if claim else None),
        started_at=timezone.now(),
        source=source,
        granted_by=actor if getattr(actor, "is_authenticated", False) else None,
        claim=claim,
    )
    with transaction.atomic():
        assignment.save()
    record_event(
        actor=actor,
        verb="right.granted",
        obj=assignment,
        after=snapshot(assignment, ASSIGNMENT_FIELDS),
    )
    return assignment


def _end(*, actor, assignment: RightAssignment, reason: str) -> None:
    before = snapshot(assignment, ASSIGNMENT_FIELDS)
    assignment.ended_at = timezone.now()
    assignment.end_reason = reason
    assignment.ended_by = actor if getattr(actor, "is_authenticated", False) else None
    assignment.save(update_fields=["ended_at", "end_reason", "ended_by"])
    verb = "right.released" if reason == RightAssignment.EndReason.RELEASED else "right.ended"
    record_event(
        actor=actor,
        verb=verb,
        obj=assignment,
        before=before,
        after=snapshot(assignment, ASSIGNMENT_FIELDS),
    )


def _open_conflict(*, actor, claim: Claim, holder: RightAssignment) -> Conflict:
    conflict = Conflict.objects.create(
        claim=claim,
        touchpoint=claim.touchpoint,
        right=claim.right,
        holder_function=holder.function,
        claimant_function=claim.function,
    )
    record_event(
        actor=actor, verb="conflict.opened", obj=conflict, after=snapshot(conflict, CONFLICT_FIELDS)
    )
    return conflict


@transaction.atomic
def right_claim(*, actor, touchpoint: Touchpoint, right: str, function, rationale: str = ""):
    """Claim ``right`` on ``touchpoint`` for ``function``.

    A vacant right is granted at once, or waits for approval when
    ``CHARTER_CLAIMS_NEED_APPROVAL`` is on. A right held by another function opens a conflict.
    If two claims race for the same vacant right, the database lets exactly one become the
    holder; the other claim turns into a conflict with the winner.

    Refused: a right that does not exist (400), a function the actor does not act for (403),
    a retired or archived touchpoint (400), a right the function already holds (409), and a
    second open claim by the same function (409).
    """
    _check_right(right)
    if not permissions.can_claim_for(actor, function):
        raise NotAllowed(
            f"You do not act for {function}: only its head or one of its delegates can claim "
            "rights for it."
        )
    touchpoint = Touchpoint.objects.get(pk=touchpoint.pk)
    if not touchpoint.is_open_for_claims:
        state = "archived" if touchpoint.is_archived else "retired"
        raise Invalid(f"{touchpoint} is {state}; rights on it cannot be claimed.")
    label = _right_label(right)
    holder = _active_holder(touchpoint.pk, right)
    if holder is not None and holder.function_id == function.pk:
        raise ConflictError(f"{function} already holds the right to {label} {touchpoint}.")

    claim = Claim(
        touchpoint=touchpoint,
        right=right,
        function=function,
        claimant=actor,
        rationale=rationale.strip(),
    )
    if holder is not None:
        claim.status = Claim.Status.CONTESTED
    elif settings.CHARTER_CLAIMS_NEED_APPROVAL:
        claim.status = Claim.Status.PENDING
    else:
        claim.status = Claim.Status.GRANTED
        claim.decided_at = timezone.now()
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise ConflictError(
            f"{function} already has an open claim on the right to {label} {touchpoint}."
        ) from None
    record_event(
        actor=actor, verb="claim.submitted", obj=claim, after=snapshot(claim, CLAIM_FIELDS)
    )

    if claim.status == Claim.Status.GRANTED:
        try:
            _grant(
                actor=actor, touchpoint=touchpoint, right=right, function=function,
                source=RightAssignment.Source.CLAIM, claim=claim,
            )  # fmt: skip
        except IntegrityError:
            # Another claim took the vacant right a moment before this one: contest it.
            holder = _active_holder(touchpoint.pk, right)
            if holder is not None and holder.function_id == function.pk:
                raise ConflictError(
                    f"{function} already holds the right to {label} {touchpoint}."
                ) from None
            if holder is None:
                raise ConflictError(
                    f"The right to {label} {touchpoint} changed hands while you claimed it; "
                    "reload and try again."
                ) from None
            claim.status = Claim.Status.CONTESTED
            claim.decided_at = None
            try:
                with transaction.atomic():
                    claim.save(update_fields=["status", "decided_at"])
            except IntegrityError:
                # A colleague's claim for the same function became the open one first.
                raise ConflictError(
                    f"{function} already has an open claim on the right to {label} {touchpoint}."
                ) from None
    if claim.status == Claim.Status.CONTESTED:
        _open_conflict(actor=actor, claim=claim, holder=holder)
    return claim


def _lock_open_claim(claim: Claim, *, statuses) -> Claim:
    claim = (
        Claim.objects.select_for_update().select_related("touchpoint", "function").get(pk=claim.pk)
    )
    if claim.status not in statuses:
        raise ConflictError(f"This claim is already {claim.get_status_display()}.")
    return claim


@transaction.atomic
def claim_approve(*, actor, claim: Claim, note: str = "") -> RightAssignment:
    """Approve a claim waiting for approval: the right is granted to the claiming function.

    Executives and administrators (and, once boards exist, the governing board's chair). If
    the right was granted to someone else meanwhile, the approval is refused (409).
    """
    claim = _lock_open_claim(claim, statuses=(Claim.Status.PENDING,))
    if not permissions.can_decide_claim(actor, claim):
        raise NotAllowed(
            "Only an executive, an administrator or the chair of a board governing this "
            "touchpoint can approve claims."
        )
    holder = _active_holder(claim.touchpoint_id, claim.right)
    if holder is not None:
        raise ConflictError(
            f"The right is now held by {holder.function}; reject this claim, or let "
            f"{holder.function} release the right first."
        )
    before = snapshot(claim, CLAIM_FIELDS)
    claim.status = Claim.Status.GRANTED
    claim.decided_at = timezone.now()
    claim.decided_by = actor
    claim.decision_note = note.strip()
    claim.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    record_event(
        actor=actor, verb="claim.approved", obj=claim, before=before,
        after=snapshot(claim, CLAIM_FIELDS),
    )  # fmt: skip
    try:
        return _grant(
            actor=actor, touchpoint=claim.touchpoint, right=claim.right, function=claim.function,
            source=RightAssignment.Source.APPROVAL, claim=claim,
        )  # fmt: skip
    except IntegrityError:
        raise ConflictError(
            "The right was granted to another function at the same moment; reload and decide again."
        ) from None


@transaction.atomic
def claim_reject(*, actor, claim: Claim, note: str) -> Claim:
    """Reject a claim waiting for approval, with a reason the claimant will read."""
    claim = _lock_open_claim(claim, statuses=(Claim.Status.PENDING,))
    if not permissions.can_decide_claim(actor, claim):
        raise NotAllowed(
            "Only an executive, an administrator or the chair of a board governing this "
            "touchpoint can reject claims."
        )
    if not note.strip():
        raise Invalid("Say why the claim is rejected.", field="note")
    before = snapshot(claim, CLAIM_FIELDS)
    claim.status = Claim.Status.REJECTED
    claim.decided_at = timezone.now()
    claim.decided_by = actor
    claim.decision_note = note.strip()
    claim.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    record_event(
        actor=actor, verb="claim.rejected", obj=claim, before=before,
        after=snapshot(claim, CLAIM_FIELDS),
    )  # fmt: skip
    return claim


@transaction.atomic
def claim_withdraw(*, actor, claim: Claim) -> Claim:
    """Withdraw an open claim; a contested claim's conflict is withdrawn with it."""
    claim = _lock_open_claim(claim, statuses=Claim.OPEN_STATUSES)
    if not permissions.can_withdraw(actor, claim):
        raise NotAllowed(f"Only someone who acts for {claim.function} can withdraw its claim.")
    before = snapshot(claim, CLAIM_FIELDS)
    was_contested = claim.status == Claim.Status.CONTESTED
    claim.status = Claim.Status.WITHDRAWN
    claim.decided_at = timezone.now()
    claim.decided_by = actor
    claim.save(update_fields=["status", "decided_at", "decided_by"])
    record_event(
        actor=actor, verb="claim.withdrawn", obj=claim, before=before,
        after=snapshot(claim, CLAIM_FIELDS),
    )  # fmt: skip
    if was_contested:
        conflict = Conflict.objects.select_for_update().get(claim=claim)
        if conflict.status == Conflict.Status.OPEN:
            conflict_before = snapshot(conflict, CONFLICT_FIELDS)
            conflict.status = Conflict.Status.WITHDRAWN
            conflict.decided_at = timezone.now()
            conflict.decided_by = actor
            conflict.save(update_fields=["status", "decided_at", "decided_by"])
            record_event(
                actor=actor, verb="conflict.withdrawn", obj=conflict, before=conflict_before,
                after=snapshot(conflict, CONFLICT_FIELDS),
            )  # fmt: skip
    return claim


@transaction.atomic
def right_release(*, actor, assignment: RightAssignment) -> RightAssignment:
    """The holding function gives a right up; it becomes vacant."""
    assignment = (
        RightAssignment.objects.select_for_update()
        .select_related("function", "touchpoint")
        .get(pk=assignment.pk)
    )
    if assignment.ended_at is not None:
        raise ConflictError("This right was already released or transferred.")
    if not permissions.can_release(actor, assignment):
        raise NotAllowed(f"Only someone who acts for {assignment.function} can release its rights.")
    _end(actor=actor, assignment=assignment, reason=RightAssignment.EndReason.RELEASED)
    return assignment


@transaction.atomic
def conflict_resolve(*, actor, conflict: Conflict, winner, rationale: str) -> Conflict:
    """Decide a conflict: the right goes to (or stays with) ``winner``, atomically.

    ``winner`` is the holding or the claiming function. When the claimant wins, the current
    holder's assignment ends (transferred) and the claimant's starts; when the holder wins,
    the claim is rejected. Either way the conflict closes with the decision and its reason.
    Executives and administrators may decide now; board chairs through a board decision.
    """
    conflict = (
        Conflict.objects.select_for_update()
        .select_related("claim", "touchpoint", "holder_function", "claimant_function")
        .get(pk=conflict.pk)
    )
    if conflict.status != Conflict.Status.OPEN:
        raise ConflictError(f"This conflict is already {conflict.get_status_display()}.")
    if not permissions.can_resolve_conflict(actor, conflict):
        raise NotAllowed(
            "Only an executive, an administrator, or the chair of a board governing this "
            "touchpoint (by logging a board decision) can resolve this conflict."
        )
    winner_id = getattr(winner, "pk", winner)
    if winner_id not in (conflict.holder_function_id, conflict.claimant_function_id):
        raise Invalid(
            f"The winner must be {conflict.holder_function} or {conflict.claimant_function}.",
            field="winner",
        )
    if not rationale.strip():
        raise Invalid("Give the rationale for the decision.", field="rationale")
    winner = (
        conflict.claimant_function
        if winner_id == conflict.claimant_function_id
        else conflict.holder_function
    )

    current = _active_holder(conflict.touchpoint_id, conflict.right, lock=True)
    if current is not None and current.function_id not in (
        conflict.holder_function_id,
        conflict.claimant_function_id,
    ):
        raise ConflictError(
            f"The right is now held by {current.function}, a third function; withdraw this "
            "conflict and claim again."
        )
    if current is None or current.function_id != winner.pk:
        if current is not None:
            _end(actor=actor, assignment=current, reason=RightAssignment.EndReason.TRANSFERRED)
        _grant(
            actor=actor, touchpoint=conflict.touchpoint, right=conflict.right, function=winner,
            source=RightAssignment.Source.RESOLUTION,
            claim=conflict.claim if winner.pk == conflict.claimant_function_id else None,
        )  # fmt: skip

    claim = conflict.claim
    claim_before = snapshot(claim, CLAIM_FIELDS)
    claim.status = (
        Claim.Status.GRANTED
        if winner.pk == conflict.claimant_function_id
        else Claim.Status.REJECTED
    )
    claim.decided_at = timezone.now()
    claim.decided_by = actor
    claim.decision_note = rationale.strip()
    claim.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    record_event(
        actor=actor, verb=f"claim.{claim.status}", obj=claim, before=claim_before,
        after=snapshot(claim, CLAIM_FIELDS),
    )  # fmt: skip

    before = snapshot(conflict, CONFLICT_FIELDS)
    conflict.status = Conflict.Status.RESOLVED
    conflict.winner = winner
    conflict.decided_by = actor
    conflict.decided_at = timezone.now()
    conflict.rationale = rationale.strip()
    conflict.save(update_fields=["status", "winner", "decided_by", "decided_at", "rationale"])
    record_event(
        actor=actor, verb="conflict.resolved", obj=conflict, before=before,
        after=snapshot(conflict, CONFLICT_FIELDS),
    )  # fmt: skip
    return conflict


@transaction.atomic
def right_assign(*, actor, touchpoint: Touchpoint, right: str, function) -> RightAssignment:
    """An administrator sets the holder directly (setting up a charter, or the demo).

    The current holder, if another function, is ended as revoked. Open claims and conflicts
    are left for their own decisions.
    """
    _check_right(right)
    if not permissions.can_assign_directly(actor):
        raise NotAllowed("Only an administrator can assign rights directly.")
    current = _active_holder(touchpoint.pk, right, lock=True)
    if current is not None:
        if current.function_id == function.pk:
            return current
        _end(actor=actor, assignment=current, reason=RightAssignment.EndReason.REVOKED)
    try:
        return _grant(
            actor=actor, touchpoint=touchpoint, right=right, function=function,
            source=RightAssignment.Source.ADMIN,
        )  # fmt: skip
    except IntegrityError:
        raise ConflictError("The right changed hands at the same moment; try again.") from None
