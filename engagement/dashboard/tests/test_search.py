"""Global search: the page (/search/), the API (/api/v1/search/) and the header's box."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from boards.models import Decision
from boards.tests.factories import BoardFactory
from engagement.dashboard.search import PER_KIND, excerpt, highlight
from engagement.org.tests.factories import UserFactory
from summits.tests.factories import ActionItemFactory
from touchpoints.tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

URL = "/search/"
API = "/api/v1/search/"
KINDS = ["touchpoints", "boards", "decisions", "action_items", "people"]
# Two queries per kind (the rows shown and the total), after the session and the person.
SEARCH_QUERIES = 2 + 2 * len(KINDS)


def decision(board, title, **kwargs) -> Decision:
    return Decision.objects.create(
        board=board, title=title, rationale=kwargs.pop("rationale", "Facts."),
        logged_by=board.chair, **kwargs,
    )  # fmt: skip


def search(client, user, q, **extra):
    client.force_login(user)
    return client.get(URL, {"q": q, **extra})


def groups(response) -> dict:
    return {group.kind: group for group in response.context["results"].groups}


@pytest.fixture
def scene():
    """One record of each kind about onboarding, and some that are not."""
    chair = UserFactory(first_name="Dana", last_name="Okafor", title="Chief Marketing Officer")
    board = BoardFactory(name="Onboarding board", chair=chair, purpose="Steers the journey.")
    return {
        "touchpoint": TouchpointFactory(name="Onboarding e-mail series"),
        "other_touchpoint": TouchpointFactory(name="Store layout"),
        "board": board,
        "decision": decision(board, "Send the onboarding e-mails weekly", due_on=None),
        "item": ActionItemFactory(title="Rewrite the ONBOARDING questions", board=board),
        "person": UserFactory(first_name="Olga", last_name="Onboardova", username="oonb"),
        "chair": chair,
    }


# --- The page ----------------------------------------------------------------------------------


def test_every_kind_is_found_in_any_case_and_the_match_is_highlighted(client, member, scene):
    response = search(client, member, "onboard")
    assert response.status_code == 200
    found = groups(response)
    assert [hit.title for hit in found["touchpoints"].hits] == ["Onboarding e-mail series"]
    assert [hit.title for hit in found["boards"].hits] == ["Onboarding board"]
    assert [hit.title for hit in found["decisions"].hits] == ["Send the onboarding e-mails weekly"]
    assert [hit.title for hit in found["action_items"].hits] == ["Rewrite the ONBOARDING questions"]
    assert [hit.title for hit in found["people"].hits] == ["Olga Onboardova"]
    html = response.content.decode()
    assert "<mark>Onboard</mark>ing e-mail series" in html
    assert "Rewrite the <mark>ONBOARD</mark>ING questions" in html
    assert "Store layout" not in html
    assert f'href="{scene["touchpoint"].get_absolute_url()}"' in html
    assert "5 results for “onboard”" in html


def test_every_word_must_match_somewhere_in_the_record(client, member, scene):
    found = groups(search(client, member, "series onboarding"))
    assert [hit.title for hit in found["touchpoints"].hits] == ["Onboarding e-mail series"]
    assert found["decisions"].total == 0


def test_a_match_outside_the_title_shows_where_it_was_found(client, member, scene):
    board = scene["board"]
    decision(board, "Publish the prices", rationale="Customers asked twice about refunds.")
    response = search(client, member, "refunds")
    (hit,) = groups(response)["decisions"].hits
    assert hit.excerpt_text == "Customers asked twice about refunds."
    assert "asked twice about <mark>refunds</mark>." in response.content.decode()


def test_people_are_found_by_title_and_username_as_the_directory_finds_them(client, member, scene):
    found = groups(search(client, member, "marketing officer"))
    assert [hit.title for hit in found["people"].hits] == ["Dana Okafor"]
    assert found["people"].list_url == "/org/people/?q=marketing+officer"
    found = groups(search(client, member, "oonb"))
    assert [hit.title for hit in found["people"].hits] == ["Olga Onboardova"]


def test_names_that_hold_every_word_come_first(client, member):
    TouchpointFactory(name="Checkout page", description="Where onboarding customers pay.")
    TouchpointFactory(name="Onboarding call", description="")
    found = groups(search(client, member, "onboarding"))
    assert [hit.title for hit in found["touchpoints"].hits] == ["Onboarding call", "Checkout page"]


def test_what_a_list_leaves_out_search_leaves_out(client, member):
    TouchpointFactory(name="Onboarding kiosk", is_archived=True)
    BoardFactory(name="Onboarding task force", is_active=False)
    UserFactory(first_name="Otto", last_name="Onboarder", is_active=False)
    response = search(client, member, "onboard")
    assert response.context["results"].total == 0
    html = response.content.decode()
    assert "kiosk" not in html and "task force" not in html and "Otto" not in html
    assert "Nothing matches “onboard”." in html


def test_the_list_behind_see_all_shows_the_same_total(client, member):
    board = BoardFactory(name="Retention board")
    for n in range(PER_KIND + 4):
        TouchpointFactory(name=f"Renewal letter {n}")
        ActionItemFactory(title=f"Send renewal letter {n}")
        decision(board, f"Renewal price {n}")
        UserFactory(first_name="Renewal", last_name=f"Clerk {n}")
    TouchpointFactory(name="Renewal letter archived", is_archived=True)
    UserFactory(first_name="Renewal", last_name="Retired", is_active=False)
    response = search(client, member, "renewal")
    found = groups(response)
    html = response.content.decode()
    for kind in ("touchpoints", "decisions", "action_items", "people"):
        group = found[kind]
        assert len(group.hits) == PER_KIND and group.total == PER_KIND + 4
        listed = client.get(group.list_url)
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == group.total, kind
        assert f'href="{group.list_url}"' in html
    assert f"See all {PER_KIND + 4} touchpoints matching “renewal” in the list" in html
    assert f"{PER_KIND} of {PER_KIND + 4} shown." in html


def test_the_board_list_behind_see_all_shows_the_same_boards(client, member, scene):
    BoardFactory(name="Onboarding steering group", is_active=False)
    group = groups(search(client, member, "onboarding"))["boards"]
    assert group.list_url == "/boards/?q=onboarding" and group.total == 1
    listed = client.get(group.list_url)
    assert [board.name for board in listed.context["boards"]] == ["Onboarding board"]


def test_titles_are_escaped_around_the_marks(client, member):
    TouchpointFactory(name="<b>Bold</b> onboarding")
    html = search(client, member, "bold").content.decode()
    assert "&lt;b&gt;<mark>Bold</mark>&lt;/b&gt; onboarding" in html
    assert "<b>Bold" not in html


@pytest.mark.parametrize("q", ["o", " o ", "x" * 101])
def test_a_query_too_short_or_too_long_is_refused_and_nothing_is_searched(client, member, q):
    client.force_login(member)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": q})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Type at least 2 characters to search." in html or (
        "Type at most 100 characters to search." in html
    )
    assert response.context["results"] is None
    assert not [q for q in queries if "touchpoints_touchpoint" in q["sql"]]


def test_an_empty_box_says_how_to_search(client, member):
    client.force_login(member)
    for params in ({}, {"q": "   "}):
        response = client.get(URL, params)
        assert response.status_code == 200
        assert response.context["results"] is None
        assert "Type at least 2 characters to search." in response.content.decode()


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(URL, {"q": "onboard"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_search_is_in_no_area_of_the_navigation(client, member):
    response = search(client, member, "onboard")
    assert not [item for item in response.context["nav_items"] if item["current"]]


def test_every_page_has_a_labelled_search_box_that_works_without_script(client, member):
    client.force_login(member)
    html = client.get("/my-work/").content.decode()
    assert '<form class="site-search" method="get" action="/search/" role="search"' in html
    assert '<label class="visually-hidden" for="site-search-q">' in html
    assert 'name="q"' in html and 'aria-keyshortcuts="/"' in html


def test_query_count_is_fixed(client, member, django_assert_num_queries):
    def populate(size, start):
        board = BoardFactory(name=f"Renewal board {start}")
        for n in range(start, start + size):
            TouchpointFactory(name=f"Renewal letter {n}")
            BoardFactory(name=f"Renewal board {n}-{start}")
            decision(board, f"Renewal decision {n}")
            ActionItemFactory(title=f"Renewal action {n}", board=board)
            UserFactory(first_name="Renewal", last_name=f"Clerk {n}")

    client.force_login(member)
    populate(3, 0)
    with django_assert_num_queries(SEARCH_QUERIES):
        small = client.get(URL, {"q": "renewal"})
    populate(27, 100)
    with django_assert_num_queries(SEARCH_QUERIES):
        large = client.get(URL, {"q": "renewal"})
    assert small.context["results"].total < large.context["results"].total
    assert groups(large)["touchpoints"].total == 30


# --- The API -----------------------------------------------------------------------------------


def test_the_api_returns_the_same_grouped_results(api_client_for, member, scene):
    response = api_client_for(member).get(API, {"q": "Onboard"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "Onboard" and body["total"] == 5
    assert set(body) == {"query", "total", *KINDS}
    touchpoints = body["touchpoints"]
    assert touchpoints["total"] == 1
    assert touchpoints["list_url"] == "/touchpoints/?q=Onboard"
    assert touchpoints["results"] == [
        {
            "id": scene["touchpoint"].pk,
            "title": "Onboarding e-mail series",
            "url": scene["touchpoint"].get_absolute_url(),
            "summary": "Buy · Web · active",
            "excerpt": "",
        }
    ]
    assert body["boards"]["list_url"] == "/boards/?q=Onboard"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Give the words to search for in q."),
        ({"q": ""}, "Type at least 2 characters to search."),
        ({"q": "a"}, "Type at least 2 characters to search."),
        ({"q": "a" * 101}, "Type at most 100 characters to search."),
        ({"q": "on\x00board"}, "Null characters are not allowed."),
    ],
)
def test_the_api_refuses_a_bad_query_with_a_clear_message(api_client_for, member, params, message):
    response = api_client_for(member).get(API, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"]["q"] == [message]


def test_the_api_needs_a_signed_in_caller(api_client):
    assert api_client.get(API, {"q": "onboard"}).status_code == 401


def test_a_null_character_on_the_page_is_a_400(client, member):
    assert search(client, member, "on\x00board").status_code == 400


# --- Highlighting ------------------------------------------------------------------------------


def test_highlight_marks_every_occurrence_of_every_word_in_any_case():
    assert highlight("Board onboarding BOARD", ["board"]) == [
        ("Board", True), (" on", False), ("board", True), ("ing ", False), ("BOARD", True),
    ]  # fmt: skip
    # The longest word wins where two overlap; regex characters are plain text.
    assert highlight("a.b onboarding", ["onboard", "on", "a.b"]) == [
        ("a.b", True), (" ", False), ("onboard", True), ("ing", False),
    ]  # fmt: skip


def test_an_excerpt_is_cut_at_spaces_around_the_first_match():
    text = " ".join(f"word{n}" for n in range(60)) + " refunds " + "tail " * 60
    parts = excerpt(text, ["refunds"])
    joined = "".join(piece for piece, _ in parts)
    assert joined.startswith("… word") and joined.endswith("tail …")
    assert ("refunds", True) in parts
    assert len(joined) < 200
    assert excerpt("nothing here", ["refunds"]) == []


def test_due_dates_in_the_summary_use_the_reminders_words(client, member, scene):
    ActionItemFactory(title="Onboarding survey", due_on=timezone.localdate() - timedelta(days=2))
    found = groups(search(client, member, "survey"))
    (hit,) = found["action_items"].hits
    assert "2 days overdue" in hit.summary
