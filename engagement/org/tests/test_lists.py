"""The organisation's lists and their CSV exports: the people directory's filters (shared
with the API, ``q`` included) and the function and people exports, with the rows each list
shows."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from engagement.org.tests.factories import FunctionFactory, UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = reverse("org:person_list")
PEOPLE_EXPORT = reverse("org:person_export")
FUNCTIONS = reverse("org:function_list")
FUNCTION_EXPORT = reverse("org:function_export")
PEOPLE_EXPORT_QUERIES = 4  # session, user, the function filtered on, the people
FUNCTION_EXPORT_QUERIES = 4  # session, user, the functions, their delegates


def _csv(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    day = timezone.localdate()
    assert response["Content-Disposition"].endswith(f'-{day:%Y-%m-%d}.csv"')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def zelda(other_function):
    return UserFactory(first_name="Zelda", last_name="Quint", title="Store lead",
                       function=other_function)  # fmt: skip


def test_people_directory_filters_and_refuses_an_unknown_function(
    client, member, zelda, other_function
):
    archived = FunctionFactory(name="Old team", is_active=False)
    UserFactory(first_name="Olga", last_name="Old", function=archived)
    client.force_login(member)

    def names(query):
        response = client.get(PEOPLE + query)
        assert response.status_code == 200, response.content[:300]
        return [p.first_name for p in response.context["page"]]

    assert names("?q=store+lead") == ["Zelda"]
    assert names(f"?q=zelda&function={other_function.slug}") == ["Zelda"]
    assert names("?function=old-team") == ["Olga"]  # an archived function's people are listed
    response = client.get(PEOPLE + "?function=nobody")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Unknown function." in page
    # The API shares the filters, "q" included.
    body = client.get("/api/v1/people/?q=store+lead").json()
    assert [row["username"] for row in body["results"]] == [zelda.username]
    assert client.get("/api/v1/people/?function=nobody").status_code == 400


def test_people_export_has_the_rows_the_directory_shows(client, member, zelda, other_function):
    client.force_login(member)
    page = client.get(PEOPLE + "?q=zelda").content.decode()
    assert PEOPLE_EXPORT + "?q=zelda" in page
    header, *rows = _csv(client.get(PEOPLE_EXPORT + f"?function={other_function.slug}"))
    assert header == ["name", "username", "title", "home function", "link to function"]
    assert rows == [[
        "Zelda Quint", zelda.username, "Store lead", "Operations",
        "http://testserver" + other_function.get_absolute_url(),
    ]]  # fmt: skip
    _, *everyone = _csv(client.get(PEOPLE_EXPORT))
    assert len(everyone) == 2  # member and Zelda
    response = client.get(PEOPLE_EXPORT + "?function=nobody")
    assert response.status_code == 400 and "Unknown function." in response.content.decode()
    client.logout()
    response = client.get(PEOPLE_EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("size", [3, 30])
def test_people_export_query_count(client, member, other_function, size, django_assert_num_queries):
    for i in range(size):
        UserFactory(first_name=f"Person {i}", function=other_function)
    client.force_login(member)
    with django_assert_num_queries(PEOPLE_EXPORT_QUERIES):
        rows = _csv(client.get(PEOPLE_EXPORT + f"?function={other_function.slug}"))
    assert len(rows) == size + 1


def test_function_export_has_the_rows_the_list_shows(client, member, function_owner, delegate):
    archived = FunctionFactory(name="Old team", is_active=False)
    client.force_login(member)
    assert FUNCTION_EXPORT in client.get(FUNCTIONS).content.decode()
    assert FUNCTION_EXPORT + "?archived=1" in client.get(FUNCTIONS + "?archived=1").content.decode()
    header, *rows = _csv(client.get(FUNCTION_EXPORT))
    assert header == ["function", "slug", "head", "delegates", "members", "archived", "link"]
    assert rows == [[
        "Marketing", "marketing", function_owner.display_name, delegate.display_name, "3", "no",
        "http://testserver/org/functions/marketing/",
    ]]  # fmt: skip
    _, *all_rows = _csv(client.get(FUNCTION_EXPORT + "?archived=1"))
    assert [(row[0], row[5]) for row in all_rows] == [("Marketing", "no"), ("Old team", "yes")]
    assert archived.pk
    client.logout()
    assert client.get(FUNCTION_EXPORT).status_code == 302


@pytest.mark.parametrize("size", [3, 30])
def test_function_export_query_count(client, member, size, django_assert_num_queries):
    for _ in range(size):
        function = FunctionFactory(head=UserFactory())
        function.delegates.add(UserFactory(), UserFactory())
    client.force_login(member)
    with django_assert_num_queries(FUNCTION_EXPORT_QUERIES):
        rows = _csv(client.get(FUNCTION_EXPORT))
    assert len(rows) == size + 2  # and Marketing, the member's function
