import pytest
from django.db import transaction

from engagement.audit.models import AuditEvent
from engagement.core.errors import Conflict, Invalid, NotAllowed
from engagement.org import roles, services
from engagement.org.models import Function, User
from engagement.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_creates_a_function_with_one_audit_event(admin_user):
    head, delegate = UserFactory(), UserFactory()

    function = services.function_create(
        actor=admin_user, name="Customer Service", head=head, delegates=[delegate]
    )

    assert function.slug == "customer-service"
    assert list(function.delegates.all()) == [delegate]
    event = AuditEvent.objects.get()
    assert (event.actor, event.verb, event.object_id) == (
        admin_user,
        "function.created",
        str(function.pk),
    )
    assert event.before is None
    assert event.after["head"] == {"id": head.pk, "label": str(head)}
    assert event.after["delegates"] == [{"id": delegate.pk, "label": str(delegate)}]


def test_update_records_before_and_after(admin_user, function, function_owner):
    new_head = UserFactory()

    services.function_update(actor=admin_user, function=function, head=new_head)

    event = AuditEvent.objects.get(verb="function.updated")
    assert event.before["head"]["id"] == function_owner.pk
    assert event.after["head"]["id"] == new_head.pk
    assert [c[0] for c in event.changes()] == ["head"]


def test_update_that_changes_nothing_records_nothing(admin_user, function):
    services.function_update(actor=admin_user, function=function, name=function.name)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["executive", "function_owner", "member", "outsider"])
def test_only_administrators_change_the_organisation(request, who, function):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        services.function_update(actor=actor, function=function, name="Renamed")
    with pytest.raises(NotAllowed):
        services.function_create(actor=actor, name="New function")
    function.refresh_from_db()
    assert function.name == "Marketing"
    assert not AuditEvent.objects.exists()


def test_duplicate_name_is_a_conflict_and_changes_nothing(admin_user, function):
    with pytest.raises(Conflict) as exc:
        services.function_create(actor=admin_user, name="marketing", slug="marketing-2")
    assert "already exists" in str(exc.value)
    assert Function.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_head_cannot_also_be_a_delegate(admin_user, function, function_owner):
    with pytest.raises(Invalid) as exc:
        services.function_update(actor=admin_user, function=function, delegates=[function_owner])
    assert exc.value.field == "delegates"
    assert not function.delegates.exists()


def test_deactivated_person_cannot_head_a_function(admin_user, function):
    gone = UserFactory(is_active=False)
    with pytest.raises(Invalid):
        services.function_update(actor=admin_user, function=function, head=gone)


def test_blank_name_is_refused(admin_user):
    with pytest.raises(Invalid) as exc:
        services.function_create(actor=admin_user, name="   ")
    assert exc.value.field in {"name", "slug"}
    assert not Function.objects.exists()


def test_person_create_and_executive_role(admin_user, function):
    person = services.person_create(
        actor=admin_user,
        username="newcomer",
        password="a long enough password",
        first_name="Nia",
        last_name="Newcomer",
        function=function,
        is_executive=True,
    )
    assert person.check_password("a long enough password")
    assert roles.is_executive(person)
    event = AuditEvent.objects.get(verb="person.created")
    assert event.after["is_executive"] is True
    assert event.after["function"]["id"] == function.pk

    services.person_update(actor=admin_user, person=person, is_executive=False, title="CFO")
    person = User.objects.get(pk=person.pk)
    assert not roles.is_executive(person)
    update = AuditEvent.objects.get(verb="person.updated")
    assert {c[0] for c in update.changes()} == {"is executive", "title"}


def test_only_a_superuser_grants_superuser(executive, function):
    staff = UserFactory(is_staff=True)
    with pytest.raises(NotAllowed):
        services.person_update(actor=staff, person=executive, is_superuser=True)
    executive.refresh_from_db()
    assert not executive.is_superuser


def test_admin_cannot_lock_themselves_out(admin_user):
    with pytest.raises(Invalid):
        services.person_update(actor=admin_user, person=admin_user, is_active=False)


def test_unknown_person_field_is_refused(admin_user, member):
    with pytest.raises(Invalid):
        services.person_update(actor=admin_user, person=member, password="x")


def test_failed_change_in_an_outer_transaction_leaves_no_event(admin_user, function):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.function_update(actor=admin_user, function=function, name="Renamed")
        raise RuntimeError("something after the change failed")
    function.refresh_from_db()
    assert function.name == "Marketing"
    assert not AuditEvent.objects.exists()
