"""The charter's lists as the dashboard drills into them, and their CSV exports: the conflict
list's filters (and the API's), the claim and conflict exports with exactly the rows the list
shows, and the touchpoint list's ``function`` filter, which the charter adds to it."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from charter import services
from engagement.org.tests.factories import FunctionFactory, UserFactory
from touchpoints.tests.factories import JourneyStageFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

CONFLICTS = reverse("charter:conflict_list")
CONFLICT_EXPORT = reverse("charter:conflict_export")
CLAIMS = reverse("charter:claim_list")
CLAIM_EXPORT = reverse("charter:claim_export")
TOUCHPOINTS = reverse("touchpoints:touchpoint_list")
TOUCHPOINT_EXPORT = reverse("touchpoints:touchpoint_export")

# session, user, the function filtered on, the rows (each export selects its relations)
EXPORT_QUERIES = 4


def _csv(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    day = timezone.localdate()
    assert response["Content-Disposition"].endswith(f'-{day:%Y-%m-%d}.csv"')
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def _pks(response):
    assert response.status_code == 200, response.content[:300]
    return sorted(row.pk for row in response.context["page"].object_list)


# --- The scene ---------------------------------------------------------------------------------


@pytest.fixture
def script():
    return TouchpointFactory(name="Call-centre script")


@pytest.fixture
def web_form():
    return TouchpointFactory(name="Web form", stage=JourneyStageFactory(name="Consider"))


@pytest.fixture
def conflicts(admin_user, executive, function_owner, function, other_function, script, web_form):
    """Operations holds the right to build both touchpoints; Marketing claims both. The
    conflict over the script ("Buy") stays open; the one over the web form ("Consider") is
    resolved for Operations."""
    opened = {}
    for touchpoint in (script, web_form):
        services.right_assign(
            actor=admin_user, touchpoint=touchpoint, right="build", function=other_function
        )
        claim = services.right_claim(
            actor=function_owner, touchpoint=touchpoint, right="build", function=function,
            rationale="Brand voice.",
        )  # fmt: skip
        opened[touchpoint.name] = claim.conflict
    services.conflict_resolve(
        actor=executive, conflict=opened["Web form"], winner=other_function, rationale="Ops."
    )
    return opened


# --- The conflict list -------------------------------------------------------------------------


def test_conflict_list_filters_as_the_dashboard_links(client, member, conflicts, function):
    open_, resolved = conflicts["Call-centre script"].pk, conflicts["Web form"].pk
    client.force_login(member)
    assert _pks(client.get(CONFLICTS + "?status=open")) == [open_]
    assert _pks(client.get(CONFLICTS + f"?status=open&function={function.slug}")) == [open_]
    assert _pks(client.get(CONFLICTS + "?stage=buy")) == [open_]
    assert _pks(client.get(CONFLICTS + "?stage=consider")) == [resolved]
    other = FunctionFactory(name="Sales")
    assert _pks(client.get(CONFLICTS + f"?function={other.slug}")) == []
    body = client.get("/api/v1/conflicts/?stage=consider").json()
    assert [row["id"] for row in body["results"]] == [resolved]


def test_conflict_list_refuses_an_unknown_stage(client, member, conflicts):
    client.force_login(member)
    response = client.get(CONFLICTS + "?stage=nowhere")
    assert response.status_code == 400
    assert "Unknown journey stage." in response.content.decode()
    assert client.get("/api/v1/conflicts/?stage=nowhere").status_code == 400


def test_conflict_export_has_the_rows_the_list_shows(client, member, conflicts):
    client.force_login(member)
    page = client.get(CONFLICTS + "?status=open").content.decode()
    assert CONFLICT_EXPORT + "?status=open" in page
    header, *rows = _csv(client.get(CONFLICT_EXPORT + "?status=open"))
    assert header == [
        "conflict", "touchpoint", "journey stage", "right", "holding function",
        "claiming function", "claimed by", "status", "won by", "opened at", "decided at",
        "decided by", "link",
    ]  # fmt: skip
    (row,) = rows
    assert row[1:9] == [
        "Call-centre script", "Buy", "Build", "Operations", "Marketing",
        conflicts["Call-centre script"].claim.claimant.display_name, "Open", "",
    ]  # fmt: skip
    _, *resolved = _csv(client.get(CONFLICT_EXPORT + "?stage=consider"))
    assert [(r[1], r[8]) for r in resolved] == [("Web form", "Operations")]
    assert resolved[0][-1].endswith(conflicts["Web form"].get_absolute_url())
    _, *everything = _csv(client.get(CONFLICT_EXPORT))
    assert len(everything) == 2


def test_conflict_export_refuses_bad_filters_and_strangers(client, member, conflicts):
    client.force_login(member)
    response = client.get(CONFLICT_EXPORT + "?function=nobody&status=maybe")
    assert response.status_code == 400
    text = response.content.decode()
    assert "cannot be exported" in text and "Unknown function." in text and "status:" in text
    client.logout()
    response = client.get(CONFLICT_EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def _many_conflicts(n, admin):
    holder, claimant = FunctionFactory(name="Holder"), FunctionFactory(name="Claimant")
    head = UserFactory()
    claimant.head = head
    claimant.save()
    for _ in range(n):
        touchpoint = TouchpointFactory()
        services.right_assign(actor=admin, touchpoint=touchpoint, right="build", function=holder)
        services.right_claim(actor=head, touchpoint=touchpoint, right="build", function=claimant)
    return claimant


@pytest.mark.parametrize("size", [3, 30])
def test_conflict_export_query_count(client, admin_user, member, size, django_assert_num_queries):
    claimant = _many_conflicts(size, admin_user)
    client.force_login(member)
    with django_assert_num_queries(EXPORT_QUERIES):
        rows = _csv(client.get(CONFLICT_EXPORT + f"?function={claimant.slug}"))
    assert len(rows) == size + 1


# --- The claim list's export -------------------------------------------------------------------


def test_claim_export_has_the_rows_the_list_shows(client, member, conflicts, function):
    client.force_login(member)
    page = client.get(CLAIMS + "?status=contested").content.decode()
    assert CLAIM_EXPORT + "?status=contested" in page
    header, *rows = _csv(client.get(CLAIM_EXPORT + "?status=contested"))
    assert header == [
        "claim", "touchpoint", "journey stage", "right", "function", "claimed by", "status",
        "conflict", "claimed at", "decided at", "decided by", "rationale", "link",
    ]  # fmt: skip
    (row,) = rows
    conflict = conflicts["Call-centre script"]
    assert row[1] == "Call-centre script" and row[4] == "Marketing"
    assert row[6] == "Contested: a conflict is open" and row[7] == str(conflict.pk)
    assert row[11] == "Brand voice."
    _, *everything = _csv(client.get(CLAIM_EXPORT + f"?function={function.slug}"))
    assert len(everything) == 2
    response = client.get(CLAIM_EXPORT + "?right=own")
    assert response.status_code == 400 and "right:" in response.content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_claim_export_query_count(client, admin_user, member, size, django_assert_num_queries):
    claimant = _many_conflicts(size, admin_user)
    client.force_login(member)
    with django_assert_num_queries(EXPORT_QUERIES):
        rows = _csv(client.get(CLAIM_EXPORT + f"?function={claimant.slug}"))
    assert len(rows) == size + 1


# --- The touchpoint list's "function", added by the charter ------------------------------------


def test_touchpoint_list_filters_by_the_rights_a_function_holds(
    client, member, conflicts, function, other_function, script
):
    lonely = TouchpointFactory(name="Shop window")
    client.force_login(member)

    def names(query):
        response = client.get(TOUCHPOINTS + query)
        assert response.status_code == 200, response.content[:300]
        return sorted(tp.name for tp, _health in response.context["rows"])

    # Operations holds the right to build both; Marketing only claims (an open conflict).
    assert names(f"?function={other_function.slug}") == ["Call-centre script", "Web form"]
    assert names(f"?function={other_function.pk}") == ["Call-centre script", "Web form"]
    assert names(f"?function={function.slug}") == []
    assert "Shop window" in names("") and lonely.pk
    assert names(f"?function={other_function.slug}&stage=buy") == ["Call-centre script"]
    page = client.get(TOUCHPOINTS + f"?function={other_function.slug}").content.decode()
    assert TOUCHPOINT_EXPORT + f"?function={other_function.slug}" in page
    _, *rows = _csv(client.get(TOUCHPOINT_EXPORT + f"?function={other_function.slug}"))
    assert sorted(row[1] for row in rows) == ["Call-centre script", "Web form"]
    body = client.get(f"/api/v1/touchpoints/?function={other_function.slug}").json()
    assert sorted(row["name"] for row in body["results"]) == ["Call-centre script", "Web form"]


def test_touchpoint_list_refuses_an_unknown_function(client, member, conflicts):
    client.force_login(member)
    response = client.get(TOUCHPOINTS + "?function=nobody")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Unknown function." in page
    export = client.get(TOUCHPOINT_EXPORT + "?function=nobody")
    assert export.status_code == 400 and "Unknown function." in export.content.decode()
    assert client.get("/api/v1/touchpoints/?function=nobody").status_code == 400


@pytest.mark.parametrize("value", ["9" * 30, "1.5", "0", "²"])
def test_an_id_the_database_cannot_hold_is_a_400_not_a_500(client, member, conflicts, value):
    client.force_login(member)
    for url in (CONFLICTS, CONFLICT_EXPORT, CLAIMS, CLAIM_EXPORT, "/api/v1/conflicts/"):
        response = client.get(url, {"touchpoint": value})
        assert response.status_code == 400, (url, value)
