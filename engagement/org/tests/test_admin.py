"""The admin goes through the organisation's services: same rules, same audit trail."""

import pytest
from django.urls import reverse

from engagement.audit.models import AuditEvent
from engagement.org import roles
from engagement.org.models import Function, User
from engagement.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _function_form(function=None, **overrides):
    data = {
        "name": function.name if function else "Pricing",
        "slug": function.slug if function else "pricing",
        "description": "",
        "head": "",
        "delegates": [],
        "is_active": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "url",
    [
        "admin:org_function_changelist",
        "admin:org_function_add",
        "admin:org_user_changelist",
        "admin:org_user_add",
        "admin:audit_auditevent_changelist",
    ],
)
def test_admin_pages_render(admin_client, url, function, function_owner):
    response = admin_client.get(reverse(url) + "?q=mark")
    assert response.status_code == 200


def test_admin_creates_a_function_through_the_service(admin_client, admin_user):
    head = UserFactory()
    response = admin_client.post(reverse("admin:org_function_add"), _function_form(head=head.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    function = Function.objects.get(slug="pricing")
    assert function.head == head
    event = AuditEvent.objects.get()
    assert (event.verb, event.actor) == ("function.created", admin_user)


def test_admin_change_records_before_and_after(admin_client, function):
    delegate = UserFactory()
    url = reverse("admin:org_function_change", args=[function.pk])
    response = admin_client.post(url, _function_form(function, delegates=[delegate.pk]))
    assert response.status_code == 302
    assert list(function.delegates.all()) == [delegate]
    event = AuditEvent.objects.get(verb="function.updated")
    assert event.after["delegates"] == [{"id": delegate.pk, "label": str(delegate)}]


def test_domain_rule_broken_in_the_admin_is_a_message_and_changes_nothing(
    admin_client, function, function_owner
):
    url = reverse("admin:org_function_change", args=[function.pk])
    response = admin_client.post(
        url,
        _function_form(function, head=function_owner.pk, delegates=[function_owner.pk]),
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("already acts for it" in m for m in messages)
    assert not function.delegates.exists()
    assert not AuditEvent.objects.exists()


def test_functions_and_people_cannot_be_deleted_in_the_admin(admin_client, function, member):
    assert (
        admin_client.get(reverse("admin:org_function_delete", args=[function.pk])).status_code
        == 403
    )
    assert admin_client.get(reverse("admin:org_user_delete", args=[member.pk])).status_code == 403


def test_admin_makes_a_person_an_executive(admin_client, member, function):
    url = reverse("admin:org_user_change", args=[member.pk])
    data = {
        "username": member.username,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "title": "Chief Customer Officer",
        "function": function.pk,
        "is_executive": "on",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    member = User.objects.get(pk=member.pk)
    assert roles.is_executive(member)
    assert member.title == "Chief Customer Officer"
    assert AuditEvent.objects.get(verb="person.updated").after["is_executive"] is True


def test_admin_adds_a_person(admin_client):
    response = admin_client.post(
        reverse("admin:org_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(username="newcomer").check_password("a long and unusual passphrase")
    assert AuditEvent.objects.filter(verb="person.created").count() == 1


def test_audit_events_are_read_only_in_the_admin(admin_client, admin_user, function):
    from engagement.org import services

    services.function_update(actor=admin_user, function=function, name="Brand")
    event = AuditEvent.objects.get()
    change = admin_client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    delete = admin_client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]))
    assert delete.status_code == 403
    assert AuditEvent.objects.count() == 1
