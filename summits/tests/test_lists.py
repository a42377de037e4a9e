"""The summits' lists as the dashboard drills into them, and their CSV exports: each filter of
the action-item list narrows it (and the API), and the summit export has exactly the rows the
summit list shows, with how each summit's action items stand."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from boards.tests.factories import BoardFactory
from engagement.org.tests.factories import UserFactory
from summits.models import ActionItem, Summit
from summits.tests.factories import ActionItemFactory, ParticipantFactory, SummitFactory
from touchpoints.tests.factories import JourneyStageFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

ACTIONS = reverse("summits:action_item_list")
MY_ACTIONS = reverse("summits:my_actions")
SUMMITS = reverse("summits:summit_list")
SUMMIT_EXPORT = reverse("summits:summit_export")
SUMMIT_EXPORT_QUERIES = 4  # session, user, summits with their counts, their completion


def _today():
    return timezone.localdate()


def _csv(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].endswith(f'-{_today():%Y-%m-%d}.csv"')
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def _titles(response):
    assert response.status_code == 200, response.content[:300]
    return sorted(item.title for item in response.context["items"])


# --- Action items ------------------------------------------------------------------------------


@pytest.fixture
def items(item, summit, board, other_function, touchpoint):
    """Besides ``item`` (Marketing, ``board``, the call-centre script at "Buy", due in a
    month): one overdue for Operations about the web form ("Consider") and another
    touchpoint at "Buy", followed up by another board, at another summit."""
    web_form = TouchpointFactory(name="Web form", stage=JourneyStageFactory(name="Consider"))
    second = TouchpointFactory(name="Second script", stage=touchpoint.stage)
    later = SummitFactory(title="Autumn summit")
    late = ActionItemFactory(
        summit=later, board=BoardFactory(name="Web council"), owner_function=other_function,
        title="Fix the web form",
    )  # fmt: skip
    late.touchpoints.set([web_form])
    ActionItem.objects.filter(pk=late.pk).update(due_on=_today() - timedelta(days=3))
    both = ActionItemFactory(summit=later, board=board, owner_function=other_function,
                             title="Align both scripts")  # fmt: skip
    both.touchpoints.set([touchpoint, second])
    return later


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("overdue=true", ["Fix the web form"]),
        ("board={board}", ["Align both scripts", "Rewrite the call-centre script"]),
        ("function=operations", ["Align both scripts", "Fix the web form"]),
        ("function=marketing", ["Rewrite the call-centre script"]),
        ("summit={summit}", ["Rewrite the call-centre script"]),
        ("summit={later}", ["Align both scripts", "Fix the web form"]),
        ("stage=buy", ["Align both scripts", "Rewrite the call-centre script"]),
        ("stage=consider", ["Fix the web form"]),
        ("overdue=true&function=operations&stage=consider", ["Fix the web form"]),
    ],
)
def test_action_item_list_filters(client, member, items, summit, board, query, expected):
    query = query.format(board=board.pk, summit=summit.pk, later=items.pk)
    client.force_login(member)
    assert _titles(client.get(f"{ACTIONS}?{query}")) == expected
    body = client.get(f"/api/v1/action-items/?{query}").json()
    assert sorted(row["title"] for row in body["results"]) == expected


def test_action_item_export_follows_the_stage(client, member, items):
    client.force_login(member)
    page = client.get(ACTIONS + "?stage=buy").content.decode()
    assert reverse("summits:action_item_export") + "?stage=buy" in page
    response = client.get(reverse("summits:action_item_export") + "?stage=buy")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row[2] for row in rows[1:]) == [
        "Align both scripts", "Rewrite the call-centre script",
    ]  # fmt: skip
    page = client.get(MY_ACTIONS + "?stage=buy").content.decode()
    assert reverse("summits:action_item_export") + "?stage=buy&amp;mine=true" in page


def test_action_item_list_refuses_an_unknown_stage(client, member, items):
    client.force_login(member)
    response = client.get(ACTIONS + "?stage=nowhere")
    assert response.status_code == 400
    assert "Unknown journey stage." in response.content.decode()
    assert client.get("/api/v1/action-items/?stage=nowhere").status_code == 400
    export = client.get(reverse("summits:action_item_export") + "?stage=nowhere")
    assert export.status_code == 400 and "Unknown journey stage." in export.content.decode()


# --- Summits -----------------------------------------------------------------------------------


def test_summit_export_has_the_rows_the_list_shows(client, member, item, items, summit):
    held = SummitFactory(title="Spring review", location="=cmd|' /C calc'!A0")
    Summit.objects.filter(pk=held.pk).update(status=Summit.Status.HELD)
    ParticipantFactory(summit=summit)
    client.force_login(member)
    page = client.get(SUMMITS + "?status=planning").content.decode()
    assert SUMMIT_EXPORT + "?status=planning" in page
    header, *rows = _csv(client.get(SUMMIT_EXPORT + "?status=planning"))
    assert header == [
        "id", "summit", "starts on", "ends on", "place", "status", "chair", "participants",
        "action items", "done", "overdue", "completion %", "link",
    ]  # fmt: skip
    by_title = {row[1]: row for row in rows}
    assert sorted(by_title) == ["Autumn summit", "Engagement summit 2026"]
    autumn = by_title["Autumn summit"]
    assert autumn[8:12] == ["2", "0", "1", "0"]  # two items, none done, one overdue: 0 %
    ours = by_title["Engagement summit 2026"]
    assert ours[5] == "Planning" and ours[6] == "Sam Summit" and ours[7] == "1"
    assert ours[-1].endswith(summit.get_absolute_url())
    _, *everything = _csv(client.get(SUMMIT_EXPORT))
    spring = next(row for row in everything if row[1] == "Spring review")
    assert spring[4] == "'=cmd|' /C calc'!A0"  # a formula stays text in a spreadsheet


def test_summit_export_refuses_bad_filters_and_strangers(client, member, summit):
    client.force_login(member)
    response = client.get(SUMMIT_EXPORT + "?status=someday&chair=999999")
    assert response.status_code == 400
    text = response.content.decode()
    assert "cannot be exported" in text and "status:" in text and "Unknown person." in text
    client.logout()
    response = client.get(SUMMIT_EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("size", [3, 30])
def test_summit_export_query_count(client, member, size, django_assert_num_queries):
    chair = UserFactory()
    for i in range(size):
        summit = SummitFactory(title=f"Summit {i}", chair=chair)
        ParticipantFactory(summit=summit)
        ActionItemFactory(summit=summit)
    client.force_login(member)
    with django_assert_num_queries(SUMMIT_EXPORT_QUERIES):
        rows = _csv(client.get(SUMMIT_EXPORT + "?q=summit"))
    assert len(rows) == size + 1
