import pytest
from django.db import DatabaseError, connection, transaction

from engagement.audit.models import AppendOnlyError, AuditEvent
from engagement.audit.services import record_event
from engagement.org import services

pytestmark = pytest.mark.django_db


def test_one_event_per_change(admin_user, function):
    services.function_update(actor=admin_user, function=function, name="Brand & Marketing")
    services.function_update(actor=admin_user, function=function, description="Owns the brand")
    assert list(AuditEvent.objects.values_list("verb", flat=True)) == [
        "function.updated",
        "function.updated",
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_event_outside_a_transaction_is_refused(admin_user, function):
    with pytest.raises(RuntimeError):
        record_event(actor=admin_user, verb="function.poked", obj=function)
    assert not AuditEvent.objects.exists()


def test_rolled_back_change_leaves_no_event(admin_user, function):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record_event(actor=admin_user, verb="function.poked", obj=function)
        1 / 0  # noqa: B018
    assert not AuditEvent.objects.exists()


def test_events_cannot_be_changed_or_deleted_through_the_orm(admin_user, function):
    with transaction.atomic():
        event = record_event(actor=admin_user, verb="function.poked", obj=function)
    event.verb = "function.tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(verb="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().verb == "function.poked"


def test_the_database_refuses_an_update_from_any_client(admin_user, function):
    with transaction.atomic():
        record_event(actor=admin_user, verb="function.poked", obj=function)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET verb = 'tampered'")
    assert AuditEvent.objects.get().verb == "function.poked"


def test_system_actor_is_recorded_as_none(function):
    from django.contrib.auth.models import AnonymousUser

    with transaction.atomic():
        event = record_event(actor=AnonymousUser(), verb="function.scanned", obj=function)
    assert event.actor is None
    assert event.actor_label == "system"


def test_visibility_of_the_log(admin_user, executive, member, function):
    services.function_update(actor=admin_user, function=function, name="Renamed")
    assert AuditEvent.objects.visible_to(admin_user).count() == 1
    assert AuditEvent.objects.visible_to(executive).count() == 1
    assert AuditEvent.objects.visible_to(member).count() == 0
