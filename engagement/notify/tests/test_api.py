"""The notifications API: a person's own notifications and preferences, errors in the one
format with nothing changed, who may do what, and query budgets that do not grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagement.audit.models import AuditEvent
from engagement.notify.models import Notification, Preference
from engagement.notify.tests.factories import (
    ChatWebhookFactory,
    NotificationFactory,
    PreferenceFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
READ_ALL = "/api/v1/notifications/read-all/"
UNREAD_COUNT = "/api/v1/notifications/unread-count/"
PREFERENCES = "/api/v1/notification-preferences/me/"


def _detail(row):
    return f"{LIST}{row.pk}/"


def _read(row):
    return f"{LIST}{row.pk}/read/"


def _state():
    return (
        list(Notification.objects.order_by("pk").values_list("pk", "read_at", "status")),
        list(Preference.objects.order_by("pk").values_list("person", "deliveries", "digest")),
        AuditEvent.objects.count(),
    )


def _assert_error(response, status_code, code, field=None):
    assert response.status_code == status_code, response.content[:500]
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    if field:
        assert field in body["errors"], body
    return body


# --- Notifications -----------------------------------------------------------------------------


def test_the_list_holds_the_persons_own_notifications_newest_first(
    api_client_for, member, outsider
):
    # given
    first = NotificationFactory(recipient=member, title="First")
    second = NotificationFactory(recipient=member, title="Second", url="/boards/decisions/3/")
    NotificationFactory(recipient=outsider, title="Theirs")
    NotificationFactory(recipient=None, webhook=ChatWebhookFactory(), title="A channel's")
    # when
    body = api_client_for(member).get(LIST).json()
    # then
    assert [row["id"] for row in body["results"]] == [second.pk, first.pk]
    assert set(body) == {"next", "previous", "results"}  # a cursor page
    row = body["results"][0]
    assert row == {
        "id": second.pk, "kind": "reminder", "title": "Second", "body": second.body,
        "url": "/boards/decisions/3/", "data": {}, "created_at": row["created_at"],
        "read_at": None, "is_read": False,
    }  # fmt: skip


@pytest.mark.parametrize(("value", "titles"), [("true", ["Unread"]), ("false", ["Read"])])
def test_the_list_filters_by_unread(api_client_for, member, value, titles):
    NotificationFactory(recipient=member, title="Read", read_at=timezone.now())
    NotificationFactory(recipient=member, title="Unread")
    body = api_client_for(member).get(LIST, {"unread": value}).json()
    assert [row["title"] for row in body["results"]] == titles


def test_an_invalid_filter_is_a_400_naming_it(api_client_for, member):
    response = api_client_for(member).get(LIST, {"unread": "maybe"})
    _assert_error(response, 400, "invalid", field="unread")


def test_the_list_pages_with_a_cursor(api_client_for, member):
    NotificationFactory.create_batch(5, recipient=member)
    client = api_client_for(member)
    page = client.get(LIST, {"page_size": 2}).json()
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert len(seen) == len(set(seen)) == 5


def test_the_detail_of_ones_own_notification(api_client_for, member):
    row = NotificationFactory(recipient=member)
    body = api_client_for(member).get(_detail(row)).json()
    assert body["id"] == row.pk


def test_someone_elses_notification_is_a_404_everywhere(api_client_for, member, outsider):
    row = NotificationFactory(recipient=outsider)
    client = api_client_for(member)
    before = _state()
    _assert_error(client.get(_detail(row)), 404, "not_found")
    _assert_error(client.post(_read(row)), 404, "not_found")
    _assert_error(client.post(f"{LIST}999999/read/"), 404, "not_found")
    assert client.get(f"{LIST}abc/").status_code == 404
    assert _state() == before


def test_read_marks_it_read_and_answers_with_it(api_client_for, member):
    row = NotificationFactory(recipient=member)
    client = api_client_for(member)
    body = client.post(_read(row)).json()
    assert body["is_read"] is True
    assert body["read_at"]
    again = client.post(_read(row)).json()
    assert again["read_at"] == body["read_at"]  # the first time is kept


def test_read_all_marks_only_ones_own(api_client_for, member, outsider):
    NotificationFactory.create_batch(3, recipient=member)
    theirs = NotificationFactory(recipient=outsider)
    response = api_client_for(member).post(READ_ALL)
    assert response.status_code == 200
    assert response.json() == {"marked": 3, "unread": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_unread_count(api_client_for, member, outsider):
    NotificationFactory.create_batch(2, recipient=member)
    NotificationFactory(recipient=member, read_at=timezone.now())
    NotificationFactory(recipient=outsider)
    assert api_client_for(member).get(UNREAD_COUNT).json() == {"unread": 2}


def test_nothing_is_written_through_the_list_or_detail(api_client_for, member):
    row = NotificationFactory(recipient=member)
    client = api_client_for(member)
    before = _state()
    assert client.post(LIST, {"title": "Mine"}, format="json").status_code == 405
    assert client.patch(_detail(row), {"title": "x"}, format="json").status_code == 405
    assert client.delete(_detail(row)).status_code == 405
    assert _state() == before


# --- Preferences -------------------------------------------------------------------------------


def test_preferences_default_to_email_for_every_kind(api_client_for, member):
    body = api_client_for(member).get(PREFERENCES).json()
    assert body == {
        "deliveries": {
            "reminder": "email", "meeting": "email", "escalation": "email", "cadence": "email",
            "charter_gaps": "email",
        },
        "digest": "none",
        "updated_at": None,
    }  # fmt: skip


def test_put_replaces_the_choice(api_client_for, member):
    PreferenceFactory(person=member, deliveries={"meeting": "inbox"})
    response = api_client_for(member).put(
        PREFERENCES, {"deliveries": {"reminder": "digest"}, "digest": "weekly"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["deliveries"]["reminder"] == "digest"
    assert body["deliveries"]["meeting"] == "email"  # left out: by e-mail
    assert body["digest"] == "weekly"
    assert body["updated_at"]
    assert Preference.objects.get(person=member).deliveries == {"reminder": "digest"}


def test_patch_changes_only_what_is_given(api_client_for, member):
    PreferenceFactory(person=member, deliveries={"meeting": "inbox"}, digest="daily")
    client = api_client_for(member)
    body = client.patch(PREFERENCES, {"deliveries": {"escalation": "digest"}}, format="json").json()
    assert body["deliveries"]["meeting"] == "inbox"
    assert body["deliveries"]["escalation"] == "digest"
    assert body["digest"] == "daily"
    body = client.patch(PREFERENCES, {"digest": "weekly"}, format="json").json()
    assert (body["deliveries"]["escalation"], body["digest"]) == ("digest", "weekly")


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"deliveries": {"newsletter": "email"}, "digest": "none"}, "deliveries",
         "Unknown kind(s) of notification: newsletter"),
        ({"deliveries": {"digest": "inbox"}, "digest": "none"}, "deliveries",
         "the digest itself always comes by e-mail"),
        ({"deliveries": {"reminder": "pigeon"}, "digest": "none"}, "deliveries",
         '"pigeon" is not a valid choice'),
        ({"deliveries": {}, "digest": "hourly"}, "digest", '"hourly" is not a valid choice'),
        ({"deliveries": {"reminder": "digest"}, "digest": "none"}, "digest",
         "You chose the digest for reminders of what comes due; choose a daily or weekly"),
        ({"digest": "daily"}, "deliveries", "required"),
    ],
)  # fmt: skip
def test_invalid_preferences_are_a_400_with_a_clear_message(
    api_client_for, member, payload, field, words
):
    PreferenceFactory(person=member, deliveries={"meeting": "inbox"})
    before = _state()
    response = api_client_for(member).put(PREFERENCES, payload, format="json")
    body = _assert_error(response, 400, "invalid", field=field)
    assert words in body["detail"], body
    assert _state() == before


# --- Who may -----------------------------------------------------------------------------------

ENDPOINTS = {
    "list": ("get", LIST, None, 200),
    "detail": ("get", "{detail}", None, 200),
    "read": ("post", "{read}", None, 200),
    "read_all": ("post", READ_ALL, None, 200),
    "unread_count": ("get", UNREAD_COUNT, None, 200),
    "preferences": ("get", PREFERENCES, None, 200),
    "preferences_put": ("put", PREFERENCES, {"deliveries": {}, "digest": "daily"}, 200),
    "preferences_patch": ("patch", PREFERENCES, {"digest": "weekly"}, 200),
}
ROLES = ("recipient", "member", "executive", "admin_user", "anonymous")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_permission_matrix(request, api_client, api_client_for, outsider, endpoint, role):
    """Everyone signed in reaches their own inbox and preferences; a notification is seen and
    read by its recipient only (others, administrators too, get a 404); anonymous is 401."""
    # given a notification of the outsider
    row = NotificationFactory(recipient=outsider)
    method, url, body, success = ENDPOINTS[endpoint]
    url = url.format(detail=_detail(row), read=_read(row))
    if role == "anonymous":
        client = api_client
    else:
        client = api_client_for(outsider if role == "recipient" else request.getfixturevalue(role))
    before = _state()
    # when
    response = getattr(client, method)(url, body, format="json")
    # then
    if role == "anonymous":
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert _state() == before
    elif endpoint in ("detail", "read") and role != "recipient":
        _assert_error(response, 404, "not_found")
        assert _state() == before
    else:
        assert response.status_code == success, response.content[:500]
    if endpoint == "read":
        assert Notification.objects.get(pk=row.pk).is_read == (role == "recipient")


def test_a_session_client_needs_the_csrf_token(member):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)
    row = NotificationFactory(recipient=member)
    assert client.get(LIST).status_code == 200
    _assert_error(client.post(_read(row)), 403, "permission_denied")
    assert Notification.objects.get(pk=row.pk).read_at is None


# --- Query budgets -----------------------------------------------------------------------------

# Pinned. The test client signs in with force_authenticate (no session queries). The list is
# one query for the page (a cursor needs no COUNT); preferences read one row.
QUERY_BUDGET = {LIST: 1, f"{LIST}?unread=true": 1, UNREAD_COUNT: 1, PREFERENCES: 1}


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response.json()


@pytest.mark.parametrize("url", sorted(QUERY_BUDGET))
def test_query_count_is_constant(api_client_for, member, url):
    client = api_client_for(member)
    NotificationFactory.create_batch(3, recipient=member)
    small, _ = _count(client, url)
    NotificationFactory.create_batch(27, recipient=member)
    large, body = _count(client, url)
    if url != UNREAD_COUNT and url != PREFERENCES:
        assert len(body["results"]) == 30
    assert small == large == QUERY_BUDGET[url]
