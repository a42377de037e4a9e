import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.org import services
from engagement.org.tests.factories import FunctionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), response.json()


def _make_functions(n):
    for _ in range(n):
        head = UserFactory()
        f = FunctionFactory(head=head)
        f.delegates.add(UserFactory(), UserFactory())
        UserFactory(function=f)


def test_functions_list_shows_heads_and_delegates(api_client_for, member, function, delegate):
    body = api_client_for(member).get("/api/v1/functions/").json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["name"] == "Marketing"
    assert [d["id"] for d in row["delegates"]] == [delegate.pk]
    assert row["member_count"] == 2  # member and delegate sit in Marketing


def test_functions_list_query_count_is_constant(api_client_for):
    viewer = UserFactory()
    client = api_client_for(viewer)
    _make_functions(3)
    small, body = _count_queries(client, "/api/v1/functions/")
    assert body["count"] == 3
    _make_functions(27)
    large, body = _count_queries(client, "/api/v1/functions/")
    assert body["count"] == 30
    assert small == large


def test_people_list_query_count_is_constant(api_client_for):
    viewer = UserFactory()
    client = api_client_for(viewer)
    _make_functions(1)
    small, _ = _count_queries(client, "/api/v1/people/")
    _make_functions(10)
    large, body = _count_queries(client, "/api/v1/people/")
    assert body["count"] == 45
    assert small == large


def test_functions_filters_and_search(api_client_for, admin_user, member, function):
    other = services.function_create(actor=admin_user, name="Operations")
    services.function_update(actor=admin_user, function=other, is_active=False)
    client = api_client_for(member)
    assert client.get("/api/v1/functions/").json()["count"] == 2
    active = client.get("/api/v1/functions/?is_active=true").json()
    assert [r["name"] for r in active["results"]] == ["Marketing"]
    assert client.get("/api/v1/functions/?search=oper").json()["count"] == 1


def test_me_tells_roles_and_functions(api_client_for, function_owner, function, other_function):
    other_function.delegates.add(function_owner)
    body = api_client_for(function_owner).get("/api/v1/me/").json()
    assert body["username"] == function_owner.username
    assert body["is_executive"] is False
    assert body["roles"] == ["function_head", "function_delegate"]
    assert {(f["slug"], f["as"]) for f in body["acting_for"]} == {
        (function.slug, "head"),
        (other_function.slug, "delegate"),
    }
    assert body["function"]["slug"] == function.slug


def test_me_for_an_executive(api_client_for, executive):
    body = api_client_for(executive).get("/api/v1/me/").json()
    assert body["is_executive"] is True
    assert body["roles"] == ["executive"]
    assert body["acting_for"] == []


def test_functions_api_is_read_only(api_client_for, admin_user):
    client = api_client_for(admin_user)
    assert client.post("/api/v1/functions/", {"name": "X"}, format="json").status_code == 405
