"""Who may change the charter. Pure predicates over ``roles_for``; services call them.

Later apps widen ``can_decide_claim`` and ``can_resolve_conflict`` (a board's chair for the
touchpoints in the board's scope) by registering a check with ``register_decider``.
"""

from __future__ import annotations

from collections.abc import Callable

from engagement.org.roles import roles_for

# Extra deciders: (user, touchpoint) -> bool. The boards app registers its chairs here: for
# claims directly, and for conflicts only while they log the board decision that resolves one.
_CLAIM_DECIDERS: list[Callable] = []
_CONFLICT_DECIDERS: list[Callable] = []


def register_decider(check: Callable, *, claims: bool = True, conflicts: bool = True) -> None:
    if claims:
        _CLAIM_DECIDERS.append(check)
    if conflicts:
        _CONFLICT_DECIDERS.append(check)


def can_assign_directly(user) -> bool:
    """Set a right's holder without a claim (setting up a charter): administrators only."""
    return roles_for(user).is_admin


def can_claim_for(user, function) -> bool:
    """A function's head or delegate claims rights for it."""
    return roles_for(user).acts_for(getattr(function, "pk", function))


def can_release(user, assignment) -> bool:
    """The holding function's head or delegate releases; an administrator may too."""
    roles = roles_for(user)
    return roles.is_admin or roles.acts_for(assignment.function_id)


def can_withdraw(user, claim) -> bool:
    """Whoever acts for the claiming function (not only the person who claimed)."""
    roles = roles_for(user)
    return roles.is_admin or roles.acts_for(claim.function_id)


def _is_decider(user, touchpoint, deciders: list[Callable]) -> bool:
    roles = roles_for(user)
    if roles.is_executive or roles.is_admin:
        return True
    return any(check(user, touchpoint) for check in deciders)


def can_decide_claim(user, claim) -> bool:
    """Approve or reject a claim waiting for approval: executives and administrators (boards
    add the chairs of the boards governing the touchpoint)."""
    return _is_decider(user, claim.touchpoint, _CLAIM_DECIDERS)


def can_resolve_conflict(user, conflict) -> bool:
    """Resolve a conflict: executives and administrators (boards add their chairs)."""
    return _is_decider(user, conflict.touchpoint, _CONFLICT_DECIDERS)
