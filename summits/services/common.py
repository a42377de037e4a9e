"""What the summits services share: audited fields and input checks."""

from __future__ import annotations

from django.utils import timezone

from engagement.core.errors import Conflict as ConflictError
from engagement.core.errors import Invalid
from engagement.org.roles import roles_for
from summits.models import Summit

SUMMIT_FIELDS = ("title", "purpose", "starts_on", "ends_on", "location", "chair", "status")
# What the chair may change; who chairs is for executives and administrators.
SUMMIT_FIELDS_FOR_CHAIR = ("title", "purpose", "starts_on", "ends_on", "location")
PARTICIPANT_FIELDS = ("summit", "person", "function", "note")
REVIEW_FIELDS = ("summit", "stage", "touchpoint", "current_level", "target_level", "notes")
CAPABILITY_FIELDS = ("summit", "area", "sourcing", "partners", "gap", "owner", "notes")
ACTION_FIELDS = ("summit", "title", "description", "owner", "owner_function", "due_on",
                 "priority", "status", "board", "completed_on")  # fmt: skip
# What may be edited on an action item after it is recorded; status, due date and owner move
# only through the lifecycle and re-planning, which leave a line on the timeline.
ACTION_EDITABLE = ("title", "description", "priority")


def require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(message, field=field)
    return value


def require_open_summit(summit: Summit) -> None:
    if summit.status == Summit.Status.CLOSED:
        raise ConflictError(f"{summit} is closed; its record can no longer change.")


def require_in_organisation(person, field: str) -> None:
    if person is None:
        raise Invalid("Choose a person.", field=field)
    if not person.is_active:
        raise Invalid(f"{person} is no longer active in the organisation.", field=field)


def require_active_function(function, field: str) -> None:
    if function is None:
        raise Invalid("Choose a function.", field=field)
    if not function.is_active:
        raise Invalid(f"{function} is archived.", field=field)


def require_works_for(person, function, field: str = "owner") -> None:
    """The person sits in the function (home function) or acts for it (head, delegate)."""
    require_in_organisation(person, field)
    require_active_function(function, "owner_function" if field == "owner" else "function")
    if person.function_id == function.pk or roles_for(person).acts_for(function.pk):
        return
    raise Invalid(
        f"{person} neither works in nor acts for {function}; choose someone from {function}.",
        field=field,
    )


def require_due_date(due_on, summit: Summit, field: str = "due_on") -> None:
    if due_on is None:
        raise Invalid("Give the item a due date.", field=field)
    if due_on < summit.starts_on:
        raise Invalid(
            f"The due date cannot be before the summit ({summit.starts_on:%d %b %Y}).",
            field=field,
        )
    if due_on < timezone.localdate():
        raise Invalid("The due date cannot be in the past.", field=field)
