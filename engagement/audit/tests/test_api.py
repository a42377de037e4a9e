import pytest

from engagement.org import services
from engagement.org.tests.factories import FunctionFactory

pytestmark = pytest.mark.django_db


def test_cursor_pagination_walks_every_event_once(api_client_for, admin_user):
    function = FunctionFactory()
    for i in range(7):
        services.function_update(actor=admin_user, function=function, description=f"v{i}")
    client = api_client_for(admin_user)
    url, seen = "/api/v1/audit-events/?page_size=3", []
    while url:
        body = client.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]
    assert len(seen) == len(set(seen)) == 7
    assert seen == sorted(seen, reverse=True)


def test_filter_by_object(api_client_for, admin_user):
    a, b = FunctionFactory(name="A"), FunctionFactory(name="B")
    services.function_update(actor=admin_user, function=a, description="x")
    services.function_update(actor=admin_user, function=b, description="y")
    body = (
        api_client_for(admin_user)
        .get(f"/api/v1/audit-events/?object_type=org.function&object_id={a.pk}")
        .json()
    )
    assert [r["object_repr"] for r in body["results"]] == ["A"]
    assert body["results"][0]["object_type"] == "org.function"
    assert body["results"][0]["after"]["description"] == "x"


def test_members_see_only_their_own_actions(api_client_for, admin_user, member):
    services.function_update(actor=admin_user, function=FunctionFactory(), description="x")
    assert api_client_for(member).get("/api/v1/audit-events/").json()["results"] == []
    other_event = api_client_for(admin_user).get("/api/v1/audit-events/").json()["results"][0]
    assert (
        api_client_for(member).get(f"/api/v1/audit-events/{other_event['id']}/").status_code == 404
    )
