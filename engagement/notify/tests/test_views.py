"""The inbox page, the badge in the navigation and the preferences page: what a person sees and
does, refusals that change nothing, and query budgets that do not grow with the rows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from engagement.notify.models import Notification, Preference
from engagement.notify.tests.factories import NotificationFactory, PreferenceFactory

pytestmark = pytest.mark.django_db

# Pinned budgets: the session and the user, then the page's own reads. The inbox reads the
# page count, the page and the unread count; the badge only the count.
INBOX_QUERIES = 5
BADGE_QUERIES = 3
PREFERENCES_QUERIES = 3
INBOX = reverse("notify:inbox")
BADGE = reverse("notify:badge")
PREFERENCES = reverse("notify:preferences")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def person_client(client, member):
    client.force_login(member)
    return client


def _checked(html: str, name: str) -> list[str]:
    """The values of the radio buttons named ``name`` that are checked."""
    return re.findall(rf'<input type="radio" name="{name}" value="(\w+)"[^>]*\bchecked>', html)


def _unread(person):
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


# --- The inbox ---------------------------------------------------------------------------------


def test_the_inbox_lists_the_persons_notifications_newest_first(person_client, member, outsider):
    # given
    now = timezone.now()
    older = NotificationFactory(
        recipient=member, title="Reminder: “Pricing page” is due in 7 days",
        created_at=now - timedelta(days=3), read_at=now - timedelta(days=2),
    )  # fmt: skip
    newer = NotificationFactory(
        recipient=member, title="Escalated to you: “Churn KPI” is 8 days overdue",
        body="Decide it, or agree a new date with its owner. " * 20, url="/boards/decisions/4/",
    )  # fmt: skip
    NotificationFactory(recipient=outsider, title="Not for you")
    # when
    response = person_client.get(INBOX)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert list(response.context["notifications"]) == [newer, older]
    assert "Not for you" not in html
    assert html.index("Churn KPI") < html.index("Pricing page")
    assert 'href="/boards/decisions/4/"' in html
    assert "Decide it, or agree a new date" in html
    assert "Decide it, or agree a new date with its owner. " * 20 not in html  # an excerpt
    assert html.count("Mark read") == 1  # only the unread one has the button
    assert reverse("notify:read", kwargs={"pk": newer.pk}) in html
    assert reverse("notify:read_all") in html
    assert "csrfmiddlewaretoken" in html
    assert 'class="inbox__item inbox__item--unread"' in html


def test_the_unread_tab_keeps_the_unread_ones(person_client, member):
    NotificationFactory(recipient=member, title="Read one", read_at=timezone.now())
    unread = NotificationFactory(recipient=member, title="Unread one")
    response = person_client.get(INBOX, {"unread": "true"})
    assert list(response.context["notifications"]) == [unread]
    assert response.context["unread_only"] is True


def test_an_invalid_filter_is_an_error_not_everything(person_client, member):
    NotificationFactory(recipient=member)
    response = person_client.get(INBOX, {"unread": "maybe"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert list(response.context["notifications"]) == []


def test_an_empty_inbox_says_so(person_client):
    response = person_client.get(INBOX)
    assert "No notification yet." in response.content.decode()
    assert reverse("notify:read_all") not in response.content.decode()


def test_the_inbox_pages_through_many(person_client, member):
    NotificationFactory.create_batch(30, recipient=member)
    assert len(person_client.get(INBOX).context["notifications"]) == 25
    assert len(person_client.get(INBOX, {"page": 2}).context["notifications"]) == 5


def test_an_htmx_request_gets_only_the_results(person_client, member):
    NotificationFactory(recipient=member, title="Only the list")
    response = person_client.get(INBOX, {"page": 1}, **HTMX)
    html = response.content.decode()
    assert "Only the list" in html
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="inbox-results"')


# --- Mark read ---------------------------------------------------------------------------------


def test_mark_read_goes_back_where_the_person_was(person_client, member):
    row = NotificationFactory(recipient=member, title="Read me")
    response = person_client.post(
        reverse("notify:read", kwargs={"pk": row.pk}), {"next": f"{INBOX}?unread=true"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{INBOX}?unread=true"
    assert _unread(member) == 0


def test_mark_read_with_htmx_returns_the_row_read_and_the_new_badge(person_client, member):
    row = NotificationFactory(recipient=member, title="Read me")
    NotificationFactory(recipient=member)
    response = person_client.post(reverse("notify:read", kwargs={"pk": row.pk}), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="inbox__item" id="notification-{row.pk}"')
    assert "Mark read" not in html
    assert 'hx-swap-oob="innerHTML:#notify-badge"' in html
    assert "1 unread notification" in html
    assert "“Read me” is marked read." in html


def test_someone_elses_notification_is_not_found(person_client, outsider):
    row = NotificationFactory(recipient=outsider)
    response = person_client.post(reverse("notify:read", kwargs={"pk": row.pk}))
    assert response.status_code == 404
    assert _unread(outsider) == 1


def test_reading_needs_a_post_with_a_csrf_token(member):
    row = NotificationFactory(recipient=member)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url = reverse("notify:read", kwargs={"pk": row.pk})
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert client.post(reverse("notify:read_all")).status_code == 403
    assert _unread(member) == 1


def test_mark_all_read(person_client, member, outsider):
    NotificationFactory.create_batch(3, recipient=member)
    NotificationFactory(recipient=outsider)
    response = person_client.post(reverse("notify:read_all"), follow=True)
    assert response.redirect_chain == [(INBOX, 302)]
    assert "3 notifications are marked read." in response.content.decode()
    assert _unread(member) == 0
    assert _unread(outsider) == 1


def test_anonymous_people_are_sent_to_sign_in(client, member):
    row = NotificationFactory(recipient=member)
    for response in (
        client.get(INBOX),
        client.get(PREFERENCES),
        client.post(reverse("notify:read", kwargs={"pk": row.pk})),
        client.post(reverse("notify:read_all")),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert _unread(member) == 1


# --- The badge ---------------------------------------------------------------------------------


def test_the_badge_says_how_many_are_unread(person_client, member, outsider):
    NotificationFactory.create_batch(3, recipient=member)
    NotificationFactory(recipient=member, read_at=timezone.now())
    NotificationFactory(recipient=outsider)
    response = person_client.get(BADGE, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert ">3</span>" in html
    assert "3 unread notifications" in html
    assert "<html" not in html
    assert "no-cache" in response["Cache-Control"]


def test_the_badge_with_nothing_unread(person_client):
    html = person_client.get(BADGE).content.decode()
    assert "No unread notifications" in html
    assert "count--alert" not in html


def test_the_badge_stops_polling_once_signed_out(client):
    response = client.get(BADGE, **HTMX)
    assert response.status_code == 286  # htmx stops polling
    assert response.content == b""
    # Outside the badge's polling, the address asks to sign in like every other page.
    response = client.get(BADGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_navigation_loads_the_badge_for_signed_in_people_only(person_client, client):
    html = person_client.get(INBOX).content.decode()
    assert f'hx-get="{BADGE}"' in html
    assert 'hx-trigger="load, every 30s"' in html
    assert 'aria-live="polite"' in html
    assert f'href="{INBOX}" aria-current="page"' in html
    login = Client().get(reverse("login")).content.decode()
    assert BADGE not in login


# --- Preferences -------------------------------------------------------------------------------


def test_the_preferences_page_shows_the_current_choice(person_client, member):
    PreferenceFactory(person=member, deliveries={"escalation": "inbox"}, digest="weekly")
    html = person_client.get(PREFERENCES).content.decode()
    assert _checked(html, "escalation") == ["inbox"]
    assert _checked(html, "reminder") == ["email"]
    assert _checked(html, "digest") == ["weekly"]
    assert 'name="digest" value="digest"' not in html  # the digest is no kind to choose for


def _choice(**changes):
    data = dict.fromkeys(("reminder", "meeting", "escalation", "cadence", "charter_gaps"), "email")
    return {**data, "digest": "none", **changes}


def test_saving_preferences(person_client, member):
    response = person_client.post(PREFERENCES, _choice(reminder="digest", digest="daily"))
    assert response.status_code == 302
    assert response["Location"] == PREFERENCES
    preference = Preference.objects.get(person=member)
    assert preference.deliveries["reminder"] == "digest"
    assert preference.digest == "daily"


def test_a_refused_choice_is_shown_next_to_the_field_and_keeps_the_input(person_client, member):
    # when: reminders held for a digest that never goes out
    response = person_client.post(PREFERENCES, _choice(reminder="digest", meeting="inbox"))
    # then
    assert response.status_code == 400
    html = response.content.decode()
    form = response.context["form"]
    assert "choose a daily or weekly digest" in form.errors["digest"][0]
    assert 'class="error-summary"' in html
    assert 'href="#id_digest"' in html  # the summary links to the field
    assert 'id="id_digest_error"' in html  # the message next to the field
    assert _checked(html, "reminder") == ["digest"]
    assert _checked(html, "meeting") == ["inbox"]
    assert _checked(html, "digest") == ["none"]
    assert not Preference.objects.exists()


def test_an_unknown_way_is_an_error_on_its_field(person_client):
    response = person_client.post(PREFERENCES, _choice(escalation="pigeon"))
    assert response.status_code == 400
    assert "escalation" in response.context["form"].errors
    assert not Preference.objects.exists()


# --- Query budgets -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_inbox_query_count(person_client, member, size, django_assert_num_queries):
    NotificationFactory.create_batch(size, recipient=member)
    NotificationFactory.create_batch(size, recipient=member, read_at=timezone.now())
    with django_assert_num_queries(INBOX_QUERIES):
        response = person_client.get(INBOX)
    assert len(response.context["notifications"]) == min(2 * size, 25)


@pytest.mark.parametrize("size", [3, 30])
def test_unread_tab_query_count(person_client, member, size, django_assert_num_queries):
    NotificationFactory.create_batch(size, recipient=member)
    with django_assert_num_queries(INBOX_QUERIES):
        person_client.get(INBOX, {"unread": "true"})


@pytest.mark.parametrize("size", [3, 30])
def test_badge_query_count(person_client, member, size, django_assert_num_queries):
    NotificationFactory.create_batch(size, recipient=member)
    with django_assert_num_queries(BADGE_QUERIES):
        response = person_client.get(BADGE, **HTMX)
    assert f"{size} unread notifications" in response.content.decode()


def test_preferences_query_count(person_client, member, django_assert_num_queries):
    PreferenceFactory(person=member)
    with django_assert_num_queries(PREFERENCES_QUERIES):
        person_client.get(PREFERENCES)
