"""``GET /api/v1/dashboard/``: the dashboard's figures as data, its filters, its refusals
and its query budget."""

from __future__ import annotations

import pytest
from django.urls import reverse
from knox.models import AuthToken

from engagement.dashboard.tests.scenes import dashboard_scene
from engagement.dashboard.tests.test_selectors import DASHBOARD_QUERIES, build
from engagement.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("api:dashboard")


@pytest.fixture
def scene(function, other_function, executive):
    return dashboard_scene(function, other_function, executive)


def test_signed_out_is_401_with_the_token_scheme(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_a_token_opens_it(api_client, executive, scene):
    _, token = AuthToken.objects.create(executive)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api_client.get(URL)

    assert response.status_code == 200
    assert response.json()["conflicts"]["total"] == 1


def test_an_inactive_account_is_refused(api_client_for):
    gone = UserFactory(is_active=False)

    response = api_client_for(gone).get(URL)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    "role", ["executive", "admin_user", "function_owner", "member", "outsider"]
)
def test_everyone_signed_in_gets_the_figures(api_client_for, role, request, scene):
    response = api_client_for(request.getfixturevalue(role)).get(URL)

    assert response.status_code == 200
    assert response.json()["overdue_decisions"]["total"] == 1


def test_every_figure_with_the_address_of_the_rows_behind_it(api_client_for, executive, scene):
    data = api_client_for(executive).get(URL).json()

    assert data["filters"] == {"function": None, "stage": None, "board": None, "period": "90d"}
    coverage = data["coverage"]
    assert (coverage["touchpoints"], coverage["held"], coverage["vacant"]) == (2, 2, 6)
    assert (coverage["percent"], coverage["contested"]) == (25, 1)
    assert coverage["vacant_url"] == "http://testserver/charter/?state=vacant"
    assert data["conflicts"]["by_age"] == {
        "under_7_days": 0, "from_7_to_30_days": 0, "over_30_days": 1,
    }  # fmt: skip
    assert data["conflicts"]["by_board"] == [
        {"id": scene["board"].pk, "name": "Customer board", "count": 1,
         "url": f"http://testserver/boards/{scene['board'].pk}/", "over_30_days": 1},
    ]  # fmt: skip
    assert data["overdue_decisions"]["by_function"][0]["url"] == (
        "http://testserver/boards/decisions/?status=overdue&owner_function=marketing"
    )
    cadence = data["cadence"]
    assert (cadence["planned"], cadence["held"], cadence["held_share"]) == (2, 1, 50)
    waiting = data["ceo_escalations"]
    assert waiting["total"] == 1
    assert waiting["oldest"][0]["title"] == "Budget for the sign-up page"
    assert waiting["oldest"][0]["from_board"] == {"id": scene["board"].pk, "name": "Customer board"}
    buy = next(s for s in data["kpi_status"]["stages"] if s["slug"] == "buy")
    assert buy["counts"] == {"on_target": 0, "at_risk": 0, "off_target": 1, "stale": 0}
    assert buy["url"] == "http://testserver/touchpoints/?stage=buy"
    assert data["at_risk"][0]["name"] == "Billing letter"
    assert any("Completion is off target" in r for r in data["at_risk"][1]["reasons"])
    summit = data["summits"]["summits"][0]
    assert (summit["title"], summit["completion"]["overdue"]) == ("Summit 2026", 1)
    assert data["trend"] == []


def test_the_filters_narrow_the_figures_and_say_what_lists_cannot_apply(
    api_client_for, executive, scene, function
):
    board = scene["board"]

    response = api_client_for(executive).get(
        URL, {"function": str(function.pk), "board": board.pk, "period": "30d"}
    )

    data = response.json()
    assert data["filters"] == {
        "function": "marketing", "stage": None, "board": board.pk, "period": "30d",
    }  # fmt: skip
    assert data["overdue_actions"]["total"] == 0  # owned by Operations
    assert data["overdue_decisions"]["total"] == 1
    assert data["coverage"]["unapplied_filters"] == []
    assert data["overdue_decisions"]["unapplied_filters"] == []
    assert [b["name"] for b in data["cadence"]["boards"]] == ["Customer board"]


def test_unknown_filter_values_are_a_400_naming_each_parameter(api_client_for, executive):
    response = api_client_for(executive).get(
        URL, {"function": "legal", "stage": "nowhere", "board": "x", "period": "1y"}
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "function: Unknown function: legal."
    assert body["errors"] == {
        "function": ["Unknown function: legal."],
        "stage": ["Unknown journey stage: nowhere."],
        "board": ["Unknown board: x (give the board's id)."],
        "period": ["Unknown period: 1y (choose one of 30d, 90d, 180d, 365d)."],
    }


def test_only_get_is_offered(api_client_for, executive):
    assert api_client_for(executive).post(URL, {}).status_code == 405


@pytest.mark.parametrize("rows", [3, 30])
def test_the_same_queries_at_3_and_30_rows(
    api_client_for, executive, rows, django_assert_num_queries
):
    made = build(rows, executive)
    client = api_client_for(executive)
    params = {"stage": made["stage"].slug, "period": "365d"}

    with django_assert_num_queries(1 + DASHBOARD_QUERIES):  # the stage, then the figures
        response = client.get(URL, params)

    assert response.status_code == 200
    assert len(response.json()["cadence"]["boards"]) > 1
