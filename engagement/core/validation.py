"""The three steps every write service shares: apply the changes asked for, validate, save.

Unique constraints are left to the database, so a clash (even between two concurrent
requests) becomes a 409 at save time rather than a check that races.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from engagement.core.errors import Conflict, Invalid, raise_invalid


def clean(instance, exclude=()) -> None:
    """Validate fields and check constraints, raising ``Invalid`` with the first problem."""
    try:
        instance.full_clean(
            exclude=list(exclude), validate_unique=False, validate_constraints=False
        )
        for constraint in instance._meta.constraints:
            if isinstance(constraint, models.CheckConstraint):
                constraint.validate(type(instance), instance)
    except ValidationError as exc:
        raise_invalid(exc)


def save_or_conflict(instance, clash_message: str, **save_kwargs) -> None:
    """Save in a savepoint; a unique-constraint clash is a 409 with ``clash_message``."""
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError:
        raise Conflict(clash_message) from None


def apply_changes(instance, changes: dict, allowed: Iterable[str]) -> None:
    """Set the fields asked for (strings stripped); a field outside ``allowed`` is refused."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)
