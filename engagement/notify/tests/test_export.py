"""The inbox's CSV export: the person's own notifications as the inbox shows them (``unread``
kept), never another person's."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.notify.tests.factories import NotificationFactory
from engagement.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("notify:inbox")
EXPORT = reverse("notify:notification_export")
EXPORT_QUERIES = 3  # session, user, the notifications


def _csv(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    day = timezone.localdate()
    assert response["Content-Disposition"].endswith(f'notifications-{day:%Y-%m-%d}.csv"')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_has_the_person_s_notifications_as_the_inbox_shows(client, member):
    read = NotificationFactory(recipient=member, title="Old news", url="/boards/1/")
    read.read_at = timezone.now()
    read.save()
    NotificationFactory(recipient=member, title="=Due soon", url="/summits/actions/3/")
    NotificationFactory(recipient=UserFactory(), title="Someone else's")
    client.force_login(member)
    page = client.get(INBOX + "?unread=true").content.decode()
    assert EXPORT + "?unread=true" in page
    header, *rows = _csv(client.get(EXPORT + "?unread=true"))
    assert header == ["recorded at", "kind", "title", "message", "read at", "link"]
    (row,) = rows
    assert row[2] == "'=Due soon" and row[4] == ""
    assert row[5] == "http://testserver/summits/actions/3/"
    _, *everything = _csv(client.get(EXPORT))
    assert sorted(r[2] for r in everything) == ["'=Due soon", "Old news"]
    assert next(r for r in everything if r[2] == "Old news")[4] != ""


def test_export_refuses_a_bad_filter_and_strangers(client, member):
    client.force_login(member)
    response = client.get(EXPORT + "?unread=maybe")
    assert response.status_code == 400 and "unread:" in response.content.decode()
    client.logout()
    assert client.get(EXPORT).status_code == 302


@pytest.mark.parametrize("size", [3, 30])
def test_export_query_count(client, member, size, django_assert_num_queries):
    for _ in range(size):
        NotificationFactory(recipient=member)
    client.force_login(member)
    with django_assert_num_queries(EXPORT_QUERIES):
        rows = _csv(client.get(EXPORT + "?unread=true"))
    assert len(rows) == size + 1
