"""Who may do what on a board. Pure predicates; services call them, and the views, API,
admin and tasks go through the services.

* Everyone signed in reads boards, meetings, decisions and escalations.
* Administrators create boards and manage their set-up (members, cadence, scope) with the
  chair and the executive sponsor. They do not log decisions: a decision is the board's.
* The chair, or a member the chair names as delegate, runs the board: agenda, attendance,
  decisions, conflict mediation, escalations. Only the chair approves the minutes.
  Administrators may also run meetings (to put a calendar right), never decide.
* An escalation is received by the chair (or delegates) of the body it was sent to.
"""

from __future__ import annotations

from engagement.org.roles import roles_for


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _delegate_board_ids(user) -> frozenset[int]:
    """Boards where ``user`` is a current delegate; one query, cached on the user object."""
    cached = getattr(user, "_board_delegate_ids", None)
    if cached is not None:
        return cached
    from boards.models import Membership

    ids = frozenset(
        Membership.objects.current()
        .filter(person=user.pk, is_delegate=True)
        .values_list("board_id", flat=True)
    )
    user._board_delegate_ids = ids
    return ids


def forget(user) -> None:
    """Drop what was cached on ``user`` (after memberships change in the same request)."""
    user.__dict__.pop("_board_delegate_ids", None)
    user.__dict__.pop("_board_governs", None)


def is_chair(user, board) -> bool:
    return _signed_in(user) and board.chair_id == user.pk


def leads(user, board) -> bool:
    """The chair or a current delegate of ``board``."""
    if not _signed_in(user):
        return False
    return board.chair_id == user.pk or board.pk in _delegate_board_ids(user)


def can_create_board(user) -> bool:
    return _signed_in(user) and roles_for(user).is_admin


def can_manage_board(user, board) -> bool:
    """Change a board's set-up: name, purpose, scope, cadence, members."""
    if not _signed_in(user):
        return False
    return roles_for(user).is_admin or board.chair_id == user.pk or board.sponsor_id == user.pk


def can_run_meeting(user, board) -> bool:
    """Schedule, move, cancel, hold a meeting; set its agenda and attendance. Administrators
    may too, to put a calendar right; what the board decides stays the leaders'."""
    return leads(user, board) or (_signed_in(user) and roles_for(user).is_admin)


def can_approve_minutes(user, board) -> bool:
    return is_chair(user, board)


def can_log_decision(user, board) -> bool:
    return board.is_active and leads(user, board)


def can_mark_implemented(user, decision) -> bool:
    """The board's leaders, or the decision's owner, say it has been carried out."""
    if not _signed_in(user):
        return False
    if leads(user, decision.board):
        return True
    if decision.owner_id == user.pk:
        return True
    return decision.owner_function_id is not None and roles_for(user).acts_for(
        decision.owner_function_id
    )


def can_escalate(user, board) -> bool:
    return leads(user, board)


def can_receive(user, escalation) -> bool:
    """Acknowledge, decide or send back: the leaders of the receiving body."""
    return leads(user, escalation.to_board)


def can_manage_feed(user, *, board=None, person=None, revoking: bool = False) -> bool:
    """Create or revoke a calendar feed: a board's leaders and administrators for a board;
    the person themself for a personal feed; an administrator may revoke one (a leaked
    address) but not create one, which would hand them someone else's address."""
    if not _signed_in(user):
        return False
    if board is not None:
        return roles_for(user).is_admin or leads(user, board)
    if person is None:
        return False
    return person.pk == user.pk or (revoking and roles_for(user).is_admin)


def governs(user, touchpoint) -> bool:
    """``user`` leads an active board whose scope includes ``touchpoint``. Registered with the
    charter as a decider, so chairs approve claims in their scope. Cached per touchpoint on
    the user object: a charter page asks it once per claim of the same touchpoint."""
    if not _signed_in(user):
        return False
    cache = user.__dict__.setdefault("_board_governs", {})
    if touchpoint.pk not in cache:
        from boards.models import Board

        boards = Board.objects.active().governing(touchpoint).only("pk", "chair_id")
        delegate_ids = _delegate_board_ids(user)
        cache[touchpoint.pk] = any(
            board.chair_id == user.pk or board.pk in delegate_ids for board in boards
        )
    return cache[touchpoint.pk]
