"""The charter in the admin: read-only records; actions go through the services."""

import pytest
from django.urls import reverse

from charter import services
from charter.models import Claim, RightAssignment
from engagement.audit.models import AuditEvent
from touchpoints.tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def touchpoint():
    return TouchpointFactory(name="Call-centre script")


@pytest.fixture
def conflict(admin_user, function_owner, touchpoint, function, other_function):
    services.right_assign(
        actor=admin_user, touchpoint=touchpoint, right="design", function=other_function
    )
    return services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function
    ).conflict


@pytest.mark.parametrize("model", ["rightassignment", "claim", "conflict"])
def test_admin_pages_render_read_only(admin_client, conflict, model):
    changelist = admin_client.get(reverse(f"admin:charter_{model}_changelist") + "?q=call")
    assert changelist.status_code == 200
    assert "Call-centre script" in changelist.content.decode()
    obj = {"rightassignment": RightAssignment, "claim": Claim}.get(model)
    pk = obj.objects.first().pk if obj else conflict.pk
    change = admin_client.get(reverse(f"admin:charter_{model}_change", args=[pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert admin_client.get(reverse(f"admin:charter_{model}_add")).status_code == 403
    assert admin_client.get(reverse(f"admin:charter_{model}_delete", args=[pk])).status_code == 403
    assert "delete_selected" not in changelist.content.decode()


def test_conflict_admin_links_to_the_resolution_page(admin_client, conflict):
    page = admin_client.get(reverse("admin:charter_conflict_change", args=[conflict.pk]))
    assert reverse("charter:conflict_detail", kwargs={"pk": conflict.pk}) in page.content.decode()


def test_admin_filters(admin_client, conflict):
    url = reverse("admin:charter_rightassignment_changelist")
    assert admin_client.get(url + "?active=yes&right__exact=design").status_code == 200
    assert admin_client.get(url + "?active=no").status_code == 200


def test_release_action_goes_through_the_service(admin_client, admin_user, touchpoint, function):
    held = services.right_assign(
        actor=admin_user, touchpoint=touchpoint, right="build", function=function
    )
    services.right_assign(
        actor=admin_user, touchpoint=touchpoint, right="operate", function=function
    )
    ended = RightAssignment.objects.get(right="operate")
    services.right_release(actor=admin_user, assignment=ended)
    response = admin_client.post(
        reverse("admin:charter_rightassignment_changelist"),
        {"action": "release_selected", "_selected_action": [held.pk, ended.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "1 right(s) released." in messages
    assert any("already released" in m for m in messages)  # the refused row, by name
    held.refresh_from_db()
    assert held.end_reason == "released"
    assert AuditEvent.objects.filter(verb="right.released").count() == 2


def test_approve_and_reject_actions(
    admin_client, admin_user, settings, function_owner, touchpoint, function
):
    settings.CHARTER_CLAIMS_NEED_APPROVAL = True
    first = services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function
    )
    second = services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="build", function=function
    )
    url = reverse("admin:charter_claim_changelist")
    admin_client.post(url, {"action": "approve_selected", "_selected_action": [first.pk]})
    response = admin_client.post(
        url, {"action": "reject_selected", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "1 claim(s) rejected." in messages
    assert any("already granted" in m for m in messages)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("granted", "rejected")
    assert second.decision_note == f"Rejected in the admin by {admin_user.get_full_name()}."
    assert RightAssignment.objects.active().get().claim == first
