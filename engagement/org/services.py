"""Write use cases for the organisation: functions, their heads and delegates, and people.

Every service checks that the actor may make the change, validates it, writes it and records
one audit event in the same transaction. The admin calls these; nothing else writes the
organisation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict, Invalid, NotAllowed, raise_invalid
from engagement.org import roles
from engagement.org.models import Function, User
from engagement.org.permissions import can_manage_organisation

FUNCTION_AUDIT_FIELDS = ("name", "slug", "description", "head", "delegates", "is_active")
PERSON_AUDIT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "title",
    "function",
    "is_active",
    "is_staff",
    "is_superuser",
)
_UNSET = object()


def _require_manager(actor) -> None:
    if not can_manage_organisation(actor):
        raise NotAllowed("Only administrators can change the organisation.")


def _check_people(head: User | None, delegates: list[User]) -> None:
    if head is not None and not head.is_active:
        raise Invalid(f"{head} is deactivated and cannot head a function.", field="head")
    inactive = [p for p in delegates if not p.is_active]
    if inactive:
        raise Invalid(f"{inactive[0]} is deactivated and cannot be a delegate.", field="delegates")
    if head is not None and head in delegates:
        raise Invalid(
            f"{head} heads the function; a head already acts for it and is not also a delegate.",
            field="delegates",
        )


def _save_function(function: Function) -> None:
    # The case-insensitive name constraint is left to the database (a 409 on a clash): a
    # check here could pass for two concurrent requests that both then insert.
    try:
        function.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise_invalid(exc)
    try:
        with transaction.atomic():
            function.save()
    except IntegrityError:
        raise Conflict(
            f"A function named {function.name!r} already exists.", field="name"
        ) from None


@transaction.atomic
def function_create(
    *,
    actor,
    name: str,
    description: str = "",
    head: User | None = None,
    delegates: Iterable[User] = (),
    slug: str = "",
) -> Function:
    """Create a function. Only administrators; the name is unique (case-insensitively)."""
    _require_manager(actor)
    delegates = list(delegates)
    _check_people(head, delegates)
    function = Function(
        name=name.strip(), slug=slug or slugify(name), description=description, head=head
    )
    _save_function(function)
    function.delegates.set(delegates)
    record_event(
        actor=actor,
        verb="function.created",
        obj=function,
        after=snapshot(function, FUNCTION_AUDIT_FIELDS),
    )
    for person in [head, *delegates]:
        roles.forget(person)
    return function


@transaction.atomic
def function_update(
    *,
    actor,
    function: Function,
    name: str = _UNSET,
    slug: str = _UNSET,
    description: str = _UNSET,
    head: User | None = _UNSET,
    delegates: Iterable[User] = _UNSET,
    is_active: bool = _UNSET,
) -> Function:
    """Change a function's details, head, delegates or archive state, with one audit event.

    Nothing is written (and no event recorded) when nothing changed.
    """
    _require_manager(actor)
    function = Function.objects.select_for_update().get(pk=function.pk)
    before = snapshot(function, FUNCTION_AUDIT_FIELDS)
    for field, value in (
        ("name", name),
        ("slug", slug),
        ("description", description),
        ("head", head),
        ("is_active", is_active),
    ):
        if value is not _UNSET:
            setattr(function, field, value.strip() if field == "name" else value)
    new_delegates = list(function.delegates.all()) if delegates is _UNSET else list(delegates)
    _check_people(function.head, new_delegates)
    _save_function(function)
    if delegates is not _UNSET:
        function.delegates.set(new_delegates)
    after = snapshot(function, FUNCTION_AUDIT_FIELDS)
    if after != before:
        record_event(actor=actor, verb="function.updated", obj=function, before=before, after=after)
    for person in [function.head, *new_delegates]:
        roles.forget(person)
    return function


def _executive_group() -> Group:
    group, _ = Group.objects.get_or_create(name=settings.EXECUTIVE_GROUP_NAME)
    return group


def _person_snapshot(person: User) -> dict:
    data = snapshot(person, PERSON_AUDIT_FIELDS)
    data["is_executive"] = person.groups.filter(name=settings.EXECUTIVE_GROUP_NAME).exists()
    return data


@transaction.atomic
def person_create(
    *,
    actor,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    title: str = "",
    function: Function | None = None,
    is_executive: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Add a person who can sign in. ``password=None`` leaves them unable to sign in with a
    password until one is set."""
    _require_manager(actor)
    if is_superuser and not getattr(actor, "is_superuser", False):
        raise NotAllowed("Only a superuser can make another superuser.", field="is_superuser")
    person = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=User.objects.normalize_email(email),
        title=title,
        function=function,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    try:
        person.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise_invalid(exc)
    person.save()
    if is_executive:
        person.groups.add(_executive_group())
    record_event(actor=actor, verb="person.created", obj=person, after=_person_snapshot(person))
    return person


@transaction.atomic
def person_update(*, actor, person: User, is_executive: bool = _UNSET, **changes) -> User:
    """Change a person's details, home function, executive role or admin flags.

    Deactivate people instead of deleting them: their name stays on the governance records.
    """
    _require_manager(actor)
    unknown = set(changes) - set(PERSON_AUDIT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown person field(s): {', '.join(sorted(unknown))}.")
    person = User.objects.select_for_update().get(pk=person.pk)
    before = _person_snapshot(person)
    superuser_change = changes.get("is_superuser", person.is_superuser) != person.is_superuser
    if superuser_change and not getattr(actor, "is_superuser", False):
        raise NotAllowed("Only a superuser can grant or remove superuser status.")
    if person.pk == getattr(actor, "pk", None) and (
        changes.get("is_active") is False or changes.get("is_staff") is False
    ):
        raise Invalid("You cannot deactivate yourself or remove your own administrator role.")
    for field, value in changes.items():
        setattr(person, field, value)
    if "email" in changes:
        person.email = User.objects.normalize_email(person.email)
    try:
        person.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise_invalid(exc)
    person.save()
    if is_executive is not _UNSET:
        if is_executive:
            person.groups.add(_executive_group())
        else:
            person.groups.remove(_executive_group())
    after = _person_snapshot(person)
    if after != before:
        record_event(actor=actor, verb="person.updated", obj=person, before=before, after=after)
    roles.forget(person)
    return person
