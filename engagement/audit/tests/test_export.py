"""The activity log's CSV export: the events the list shows (its ``verb`` kept), each change in
words, and only the events the person may see."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.org import services
from engagement.org.tests.factories import FunctionFactory

pytestmark = pytest.mark.django_db

EVENTS = reverse("audit:event_list")
EXPORT = reverse("audit:event_export")
EXPORT_QUERIES = 5  # session, user, roles (executive? functions acted for), the events


def _csv(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    day = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="activity-{day:%Y-%m-%d}.csv"'
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_has_the_events_the_list_shows(client, admin_user, member, function):
    services.function_update(actor=admin_user, function=function, name="Brand")
    created = services.function_create(actor=admin_user, name="=Sales")
    client.force_login(admin_user)
    page = client.get(EVENTS + "?verb=function.updated").content.decode()
    assert EXPORT + "?verb=function.updated" in page
    header, *rows = _csv(client.get(EXPORT + "?verb=function.updated"))
    assert header == ["when", "who", "what", "object type", "object", "changes", "history"]
    (row,) = rows
    assert row[1:5] == [admin_user.display_name, "function.updated", "function", "Brand"]
    assert row[5] == "name: Marketing → Brand"
    assert row[6] == f"http://testserver/activity/org/function/{function.pk}/"
    _, *everything = _csv(client.get(EXPORT))
    assert [r[2] for r in everything] == ["function.created", "function.updated"]
    made = everything[0]
    assert made[4] == "'=Sales" and "name: =Sales" in made[5]  # formulas stay text
    assert created.pk


def test_export_shows_a_member_only_their_own_events(client, admin_user, member, function):
    services.function_update(actor=admin_user, function=function, name="Brand")
    client.force_login(member)
    header, *rows = _csv(client.get(EXPORT))
    assert header[0] == "when" and rows == []
    client.logout()
    assert client.get(EXPORT).status_code == 302


@pytest.mark.parametrize("size", [3, 30])
def test_export_query_count(client, admin_user, size, django_assert_num_queries):
    for i in range(size):
        function = FunctionFactory(name=f"Team {i}")
        services.function_update(actor=admin_user, function=function, name=f"Squad {i}")
    client.force_login(admin_user)
    with django_assert_num_queries(EXPORT_QUERIES):
        rows = _csv(client.get(EXPORT + "?verb=function.updated"))
    assert len(rows) == size + 1
