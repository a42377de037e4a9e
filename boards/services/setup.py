"""Boards and their members: set-up by administrators, chairs and sponsors."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from boards import permissions
from boards.cadence import validate_cadence, validate_time_zone
from boards.models import (
    Board,
    Membership,
)
from boards.services.common import (
    BOARD_FIELDS,
    BOARD_FIELDS_FOR_LEADERS,
    CADENCE_FIELDS,
    MEMBERSHIP_FIELDS,
    enqueue_schedule,
    require_active_function,
    require_active_person,
)
from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict as ConflictError
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.validation import apply_changes, clean, save_or_conflict

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
    require_active_person(board.chair, "chair")
    require_active_person(board.sponsor, "sponsor")
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
    enqueue_schedule(board)
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
        enqueue_schedule(board)
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
    require_active_person(person, "person")
    require_active_function(function, "function")
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
        Membership.objects.select_for_update(of=("self",))
        .select_related("board")
        .get(pk=membership.pk)
    )
    _require_manager(actor, membership.board)
    if membership.ended_on is not None and membership.ended_on < timezone.localdate():
        raise ConflictError("This membership has ended; add the person again instead.")
    before = snapshot(membership, MEMBERSHIP_FIELDS)
    apply_changes(membership, changes, ("function", "role", "is_delegate"))
    require_active_function(membership.function, "function")
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
