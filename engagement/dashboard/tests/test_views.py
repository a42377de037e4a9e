"""The executive dashboard page: who sees it, what it shows, the filters (plain GET and
htmx), refused filter values, and the page's query budget. The CSV export: test_export."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from boards.models import Decision
from boards.tests.factories import BoardFactory
from engagement.dashboard import selectors
from engagement.dashboard.figures import TrendPoint
from engagement.dashboard.permissions import can_view_dashboard
from engagement.dashboard.services import snapshot_take
from engagement.dashboard.tests.scenes import dashboard_scene, section, text, tiles
from engagement.dashboard.tests.test_selectors import DASHBOARD_QUERIES, build
from engagement.org.tests.factories import UserFactory
from touchpoints.tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:dashboard")
EXPORT = reverse("dashboard:export")
HTMX = {"HTTP_HX_REQUEST": "true"}

# What the page costs besides the figures (``DASHBOARD_QUERIES``): the session and the user,
# one query per filter given (to read it), and the filter bar's three choice lists. An htmx
# filter change costs the same: the bar comes along, out of band, to show the choice made.
SESSION = 2
CHOICE_LISTS = 3


@pytest.fixture
def scene(function, other_function, executive):
    return dashboard_scene(function, other_function, executive)


def page_of(client, user, params=None, status=200, **extra) -> str:
    client.force_login(user)
    response = client.get(URL, params or {}, **extra)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


# --- Who sees it -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["executive", "admin_user", "function_owner", "delegate", "member", "outsider"]
)
def test_everyone_signed_in_sees_the_dashboard(client, role, request):
    user = request.getfixturevalue(role)

    page = page_of(client, user)

    assert "<h1>Executive dashboard</h1>" in page
    assert can_view_dashboard(user)


def test_a_board_chair_sees_the_dashboard(client, scene):
    page = page_of(client, scene["board"].chair)

    assert "Customer board" in page


def test_nobody_signed_out_or_inactive_may_see_it(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not can_view_dashboard(AnonymousUser())
    assert not can_view_dashboard(UserFactory(is_active=False))


def test_only_get_is_answered(client, executive):
    client.force_login(executive)

    assert client.post(URL).status_code == 405


# --- What it shows ---------------------------------------------------------------------------


def test_headline_tiles_say_in_words_what_their_colour_says(client, executive, scene):
    found = tiles(page_of(client, executive))

    assert found["Charter coverage"] == (
        "warn",
        "Charter coverage 25% of rights held 2 of 8 rights held · 6 vacant · 1 contested ! Watch",
    )
    assert found["Open conflicts"] == (
        "bad",
        "Open conflicts 1 open conflict 1 open over 30 days ✕ Act now",
    )
    assert found["Overdue decisions"][0] == "bad"
    assert found["Overdue decisions"][1].startswith("Overdue decisions 1 overdue decision past")
    assert found["Overdue action items"][1].endswith("✕ Act now")
    assert found["Waiting for the CEO"][1].startswith("Waiting for the CEO 1 escalation waiting")
    assert found["Board meetings held"][1].startswith("Board meetings held 1 of 2")
    assert found["Board meetings held"][0] == "warn"
    assert found["KPIs off target"][1].startswith("KPIs off target 1 ")


def test_every_number_links_to_the_rows_behind_it(client, executive, scene, function):
    page = page_of(client, executive)
    summary = selectors.dashboard_summary(user=executive)

    for link in (
        summary.coverage.link, summary.coverage.vacant_link, summary.coverage.contested_link,
        summary.conflicts.link, summary.overdue_decisions.link, summary.overdue_actions.link,
        summary.ceo_escalations.link, summary.summits.summits[0].link,
        summary.kpi_status.stages[0].link, summary.at_risk[0].link,
        summary.overdue_decisions.by_function[0].link, summary.cadence.boards[0].link,
    ):  # fmt: skip
        assert f'href="{link.url.replace("&", "&amp;")}"' in page, link.url
    decisions = section(page, "dash-overdue-decisions-title")
    assert "/boards/decisions/?status=overdue&amp;owner_function=marketing" in decisions


def test_sections_answer_where_engagement_is_not_governed(client, executive, scene):
    page = page_of(client, executive)

    conflicts = text(section(page, "dash-conflicts-title"))
    assert "1 open conflict ; the oldest has waited 1 month" in conflicts
    assert "Over 30 days 1 100%" in conflicts
    cadence = text(section(page, "dash-cadence-title"))
    assert "1 of 2 planned meetings held (50%)" in cadence
    assert "Customer board 1 2 50% short" in cadence
    escalations = text(section(page, "dash-escalations-title"))
    assert "Budget for the sign-up page" in escalations and "Customer board" in escalations
    kpis = text(section(page, "dash-kpi-title"))
    assert "Buy 0 0 1 0" in kpis
    risk = text(section(page, "dash-risk-title"))
    assert "Sign-up page" in risk and "Completion is off target" in risk
    summits = text(section(page, "dash-summits-title"))
    assert "Summit 2026" in summits


def test_the_page_says_when_the_summarised_figures_were_counted(client, executive, scene):
    page = text(page_of(client, executive))

    assert "Charter coverage, KPI status and the ranking of the touchpoints most at risk as of" in (
        page
    )
    assert "are not counted yet" not in page


def test_before_the_first_summary_refresh_the_page_says_why_coverage_is_empty(
    client, executive, function
):
    TouchpointFactory(name="Sign-up page")

    page = page_of(client, executive)

    assert "Charter coverage, KPI status and the touchpoints most at risk are not counted yet" in (
        text(page)
    )
    assert tiles(page)["Charter coverage"][1].startswith("Charter coverage —")


def test_trend_says_when_there_is_none_yet(client, executive, scene):
    page = page_of(client, executive)

    assert "Trends appear after the first weekly snapshot." in page
    assert "dash-spark__svg" not in page


def test_trend_from_the_weekly_snapshots(client, executive, scene, function):
    snapshot_take(now=timezone.now() - timedelta(weeks=1))
    Decision.objects.create(
        board=scene["board"], title="Another late one", rationale="Facts.",
        logged_by=scene["board"].chair, due_on=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    snapshot_take()

    words = text(section(page_of(client, executive), "dash-trend-title"))

    assert "the last 2 weeks" in words
    # A week ago neither decision was past its due date yet.
    assert "Overdue decisions 2 ▲ up 2, worse" in words
    assert "Rights held (%) 25 unchanged" in words

    # One filter has its own trend; several at once have none, and the page says why.
    assert "Overdue decisions" in text(
        section(page_of(client, executive, {"function": "marketing"}), "dash-trend-title")
    )
    combined = page_of(client, executive, {"function": "marketing", "stage": "buy"})
    assert "No trend for several filters at once" in text(section(combined, "dash-trend-title"))


def test_trend_draws_a_line_per_figure_with_its_numbers_in_a_table(
    client, executive, scene, monkeypatch
):
    weeks = [date(2026, 3, 2) + timedelta(weeks=i) for i in range(3)]
    trend = [
        TrendPoint(week, coverage, 6, 1, conflicts, 1, 0, 1)
        for week, coverage, conflicts in zip(weeks, (40, 45, 50), (3, 2, 2), strict=True)
    ]
    real = selectors.dashboard_summary
    monkeypatch.setattr(
        "engagement.dashboard.views.board.dashboard_summary",
        lambda **kwargs: replace(real(**kwargs), trend=trend),
    )

    trend_section = section(page_of(client, executive), "dash-trend-title")

    assert trend_section.count('class="dash-spark__svg"') == 6
    words = text(trend_section)
    assert "Rights held (%) 50 ▲ up 10, better" in words
    assert "Open conflicts 2 ▼ down 1, better" in words  # fewer conflicts is better news
    assert "Vacant rights 6 unchanged" in words
    assert "From 40 in the week of 2 Mar to 50 in the week of 16 Mar; lowest 40, highest 50." in (
        words
    )
    assert "16 Mar 2026 50% 6 1 2 1 0 1" in words


def test_the_figures_are_only_what_the_person_may_see(client, outsider, scene):
    page = page_of(client, outsider)

    # Governance records are open to everyone signed in: the same figures as an executive's.
    assert tiles(page)["Open conflicts"][1].startswith("Open conflicts 1 ")


# --- Filters ---------------------------------------------------------------------------------


def test_filter_by_function_narrows_the_figures_and_keeps_the_choice(
    client, executive, scene, function
):
    page = page_of(client, executive, {"function": "marketing"})

    assert "Showing: Function: Marketing" in text(page)
    assert '<option value="marketing" selected>Marketing</option>' in page
    found = tiles(page)
    assert found["Overdue decisions"][1].startswith("Overdue decisions 1 ")
    assert found["Overdue action items"][1].startswith("Overdue action items 0 ")
    assert "/dashboard/export.csv?function=marketing" in page


def test_a_function_given_by_id_is_shown_by_its_slug(client, executive, scene, function):
    page = page_of(client, executive, {"function": str(function.pk)})

    assert '<option value="marketing" selected>Marketing</option>' in page
    assert "Showing: Function: Marketing" in text(page)

    # Beside an error elsewhere, the id the address gave stays chosen.
    page = page_of(client, executive, {"function": str(function.pk), "period": "x"}, status=400)
    assert f'<option value="{function.pk}" selected>Marketing</option>' in page


def test_filter_by_board_says_which_lists_cannot_apply_it_and_offers_the_pack(
    client, executive, scene
):
    board = scene["board"]

    page = page_of(client, executive, {"board": str(board.pk), "period": "30d"})

    assert "The linked list cannot filter by board: it shows more rows than counted here." in page
    pack = reverse("dashboard:board_pack", kwargs={"pk": board.pk})
    assert f'href="{pack}?period=30d"' in page
    assert "Printable board pack of Customer board" in page


def test_the_choices_are_the_active_functions_stages_and_boards(client, executive, scene):
    scene["consider"].is_active = False
    scene["consider"].save()
    BoardFactory(name="Old board", is_active=False)

    page = page_of(client, executive)
    assert '<option value="buy">Buy</option>' in page
    assert "Consider</option>" not in page
    assert "Old board" not in page

    # A retired stage named in the address still shows as chosen.
    page = page_of(client, executive, {"stage": "consider"})
    assert '<option value="consider" selected>Consider</option>' in page


def test_htmx_swaps_the_figures_and_pushes_the_filters_own_address(
    client, executive, scene, function
):
    client.force_login(executive)

    response = client.get(
        URL, {"function": str(function.pk), "stage": "", "board": "", "period": "90d"}, **HTMX
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and 'id="dash-figures"' in page
    assert 'id="dash-filter-fields" class="dash-filters__fields" hx-swap-oob="true"' in page
    assert '<span id="dash-announce" hx-swap-oob="innerHTML">The figures are updated.' in page
    assert response["HX-Push-Url"] == f"{URL}?function=marketing"
    assert "HX-Request" in response["Vary"]


def test_unknown_filter_values_are_a_400_shown_next_to_each_filter(client, executive, scene):
    page = page_of(client, executive, {"function": "legal", "period": "7y"}, status=400)

    assert '<ul class="field__errors" id="id_function_error">' in page
    assert "Unknown function: legal." in page
    assert "Unknown period: 7y (choose one of 30d, 90d, 180d, 365d)." in page
    assert "There is a problem" in page
    assert '<option value="legal" selected>legal (unknown)</option>' in page
    assert "dash-tile" not in page  # no figure is shown for a view that does not exist


def test_unknown_filter_values_in_an_htmx_request_are_a_400_fragment(client, executive):
    client.force_login(executive)

    response = client.get(URL, {"board": "board-x"}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 400
    assert response["HX-Form-Fragment"] == "1"
    assert "<html" not in page
    assert "Unknown board: board-x (give the board&#x27;s id)." in page
    assert "The dashboard cannot be shown with these filters." in page


@pytest.mark.parametrize(
    "params",
    [
        {"board": "9" * 30},
        {"function": "9" * 30},
        {"board": "-1"},
        {"stage": "x" * 500},
        {"period": "<script>"},
        {"board": "²"},
        {"function": "²"},
    ],
)
def test_odd_filter_values_are_refused_with_a_400_never_a_500(client, executive, params):
    client.force_login(executive)

    assert client.get(URL, params).status_code == 400
    assert client.get(URL, params, **HTMX).status_code == 400
    assert client.get(EXPORT, params).status_code == 400


# --- Query budget ----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_the_page_costs_the_same_queries_at_3_and_30_rows(
    client, executive, rows, htmx, django_assert_num_queries
):
    made = build(rows, executive)
    client.force_login(executive)
    params = {"function": made["function"].slug, "period": "365d"}
    extra = HTMX if htmx else {}

    filters_read = 1  # the function; the period needs no query
    with django_assert_num_queries(SESSION + filters_read + DASHBOARD_QUERIES + CHOICE_LISTS):
        response = client.get(URL, params, **extra)

    assert response.status_code == 200
    assert "Showing: Function:" in text(response.content.decode())
