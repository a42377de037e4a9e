import pytest
from django.urls import reverse

from engagement.org import services
from engagement.org.tests.factories import FunctionFactory

pytestmark = pytest.mark.django_db


def history_url(app_label, model_name, object_id):
    return reverse(
        "audit:object_history",
        kwargs={"app_label": app_label, "model_name": model_name, "object_id": object_id},
    )


def test_object_history_shows_each_change(client, admin_user, member, function):
    services.function_update(actor=admin_user, function=function, name="Brand")
    services.function_update(actor=admin_user, function=function, description="Owns the brand")
    client.force_login(member)

    response = client.get(history_url("org", "function", function.pk))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2
    assert "Owns the brand" in response.content.decode()


@pytest.mark.parametrize(
    "args",
    [
        ("org", "function", "999999"),
        ("org", "function", "not-a-number"),
        ("org", "nosuchmodel", "1"),
        ("nosuchapp", "function", "1"),
        ("sessions", "session", "abc"),  # a model without visible_to(): no browsable history
    ],
)
def test_unknown_or_unbrowsable_objects_are_404(client, member, args):
    client.force_login(member)
    assert client.get(history_url(*args)).status_code == 404


def test_history_query_count_does_not_grow_with_events(
    client, admin_user, member, django_assert_max_num_queries
):
    client.force_login(member)
    small = FunctionFactory(name="Small")
    large = FunctionFactory(name="Large")
    for i in range(3):
        services.function_update(actor=admin_user, function=small, description=f"v{i}")
    for i in range(30):
        services.function_update(actor=admin_user, function=large, description=f"v{i}")

    def count(function):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(history_url("org", "function", function.pk)).status_code == 200
        return len(ctx.captured_queries)

    assert count(small) == count(large)


def test_activity_list_for_member_shows_only_their_own_actions(
    client, admin_user, member, function
):
    services.function_update(actor=admin_user, function=function, name="Brand")
    client.force_login(member)
    response = client.get(reverse("audit:event_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 0
    client.force_login(admin_user)
    response = client.get(reverse("audit:event_list"))
    assert len(response.context["page"].object_list) == 1
