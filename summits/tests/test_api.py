"""The summits API: every endpoint and action, who may use them, errors in the one format with
nothing changed, filters, query budgets that do not grow with the number of rows, and a
schema that validates."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from boards.models import AgendaItem, Decision
from boards.tests.factories import BoardFactory, MeetingFactory
from charter import services as charter_services
from engagement.audit.models import AuditEvent
from engagement.org.tests.factories import FunctionFactory, UserFactory
from summits import services
from summits.models import (
    ActionItem,
    ActionItemUpdate,
    Capability,
    JourneyReview,
    Participant,
    ReviewEvidence,
    Summit,
)
from summits.tests.factories import (
    CapabilityFactory,
    JourneyReviewFactory,
    ParticipantFactory,
    SummitFactory,
)
from touchpoints.tests.factories import (
    JourneyStageFactory,
    KpiFactory,
    MeasurementFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db


# --- The scene -----------------------------------------------------------------------------------


def _today():
    return timezone.localdate()


def _in(days: int) -> str:
    return (_today() + timedelta(days=days)).isoformat()


def _state():
    """Everything a request could change, to compare before and after a refusal."""
    return (
        list(Summit.objects.values_list(
            "pk", "title", "purpose", "starts_on", "ends_on", "location", "chair", "status",
        )),
        list(Participant.objects.values_list("pk", "person", "function", "note")),
        list(JourneyReview.objects.values_list("pk", "current_level", "target_level", "notes")),
        list(ReviewEvidence.objects.values_list("pk", "kpi", "value")),
        list(Capability.objects.values_list("pk", "area", "sourcing", "partners", "gap", "owner")),
        list(ActionItem.objects.values_list(
            "pk", "title", "description", "priority", "status", "due_on", "owner",
            "owner_function", "completed_on", "board",
        )),
        list(ActionItem.touchpoints.through.objects.values_list("pk")),
        list(ActionItem.agenda_items.through.objects.values_list("pk")),
        ActionItemUpdate.objects.count(),
        Decision.objects.count(),
        AgendaItem.objects.count(),
        AuditEvent.objects.count(),
    )  # fmt: skip


def _assert_error(response, status_code, code, field=None):
    assert response.status_code == status_code, response.content[:500]
    body = response.json()
    assert body["code"] == code
    assert body["detail"]  # a sentence for a person
    if field:
        assert field in body["errors"], body


def _new_item(summit, person, function, board, /, **changes):
    return {
        "summit": summit.pk, "title": "Shorter call-centre script", "owner": person.pk,
        "owner_function": function.pk, "board": board.pk, "due_on": _in(30), **changes,
    }  # fmt: skip


# --- Permission matrix ---------------------------------------------------------------------------

ROLES = ("summit_chair", "participant", "member", "chair", "executive", "outsider", "admin_user")
MANAGERS = {"summit_chair", "executive", "admin_user"}
REVIEWERS = {"summit_chair", "participant"}
STEERERS = {"summit_chair", "chair"}  # the summit's chair, the following board's leaders
ALLOWED = {
    "summit_create": {"executive", "admin_user"},
    "summit_update": MANAGERS,
    "summit_hold": {"summit_chair"},
    "summit_close": {"summit_chair"},
    "participant_add": MANAGERS,
    "participant_remove": MANAGERS,
    "review_add": REVIEWERS,
    "review_update": REVIEWERS,
    "review_remove": REVIEWERS,
    "capability_add": REVIEWERS,
    "capability_update": REVIEWERS,
    "capability_remove": REVIEWERS,
    "item_create": {"summit_chair"},
    "item_update": STEERERS,
    "item_start": {"member"},
    "item_complete": {"member"},
    "item_cancel": STEERERS,
    "item_replan": STEERERS,
    "item_progress": STEERERS | {"member"},
    "item_decide": {"chair"},
    # who may run the board's meetings: its leaders, and administrators
    "item_agenda": {"chair", "admin_user"},
}


@pytest.fixture
def request_for(summit, summit_chair, participant, item, member, function, board, touchpoint):
    """Builds what an action needs; returns (method, url, body, success status)."""
    summit_url = f"/api/v1/summits/{summit.pk}/"
    item_url = f"/api/v1/action-items/{item.pk}/"

    def build(action):
        if action == "summit_create":
            body = {"title": "Summit 2027", "starts_on": _in(300), "chair": summit_chair.pk}
            return "post", "/api/v1/summits/", body, 201
        if action == "summit_update":
            return "patch", summit_url, {"location": "Lisbon"}, 200
        if action == "summit_hold":
            return "post", f"{summit_url}hold/", {}, 200
        if action == "summit_close":
            services.summit_hold(actor=summit_chair, summit=summit)
            return "post", f"{summit_url}close/", {}, 200
        if action == "participant_add":
            body = {"person": UserFactory(function=function).pk, "function": function.pk}
            return "post", f"{summit_url}participants/", body, 201
        if action == "participant_remove":
            other = ParticipantFactory(summit=summit)
            return "delete", f"{summit_url}participants/{other.pk}/", None, 204
        if action == "review_add":
            body = {"summit": summit.pk, "touchpoint": touchpoint.pk, "current_level": 2,
                    "target_level": 4}  # fmt: skip
            return "post", "/api/v1/journey-reviews/", body, 201
        if action in ("review_update", "review_remove"):
            review = JourneyReviewFactory(summit=summit)
            url = f"/api/v1/journey-reviews/{review.pk}/"
            if action == "review_update":
                return "patch", url, {"target_level": 5}, 200
            return "delete", url, None, 204
        if action == "capability_add":
            body = {"summit": summit.pk, "area": "data", "sourcing": "internal", "gap": 3,
                    "owner": member.pk}  # fmt: skip
            return "post", "/api/v1/capabilities/", body, 201
        if action in ("capability_update", "capability_remove"):
            capability = CapabilityFactory(summit=summit, owner=member)
            url = f"/api/v1/capabilities/{capability.pk}/"
            if action == "capability_update":
                return "patch", url, {"gap": 1}, 200
            return "delete", url, None, 204
        if action == "item_create":
            return "post", "/api/v1/action-items/", _new_item(summit, member, function, board), 201
        if action == "item_update":
            return "patch", item_url, {"priority": "critical"}, 200
        if action == "item_start":
            return "post", f"{item_url}start/", {}, 200
        if action == "item_complete":
            services.action_item_start(actor=member, item=item)
            return "post", f"{item_url}complete/", {}, 200
        if action == "item_cancel":
            return "post", f"{item_url}cancel/", {"reason": "Overtaken by the CRM."}, 200
        if action == "item_replan":
            return "post", f"{item_url}replan/", {"due_on": _in(60), "reason": "Later."}, 200
        if action == "item_progress":
            return "post", f"{item_url}updates/", {"note": "Half way."}, 201
        if action == "item_decide":
            body = {"outcome": "cancel", "rationale": "Overtaken by the CRM."}
            return "post", f"{item_url}decide/", body, 200
        meeting = MeetingFactory(board=board)
        return "post", f"{item_url}agenda/", {"meeting": meeting.pk}, 200

    return build


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_permission_matrix(request, api_client_for, request_for, action, role):
    # given
    method, url, body, success = request_for(action)
    user = request.getfixturevalue(role)
    before = _state()
    # when
    response = getattr(api_client_for(user), method)(url, body, format="json")
    # then
    if role in ALLOWED[action]:
        assert response.status_code == success, response.content[:500]
        assert _state() != before
    else:
        _assert_error(response, 403, "not_allowed")
        assert _state() == before


@pytest.mark.parametrize(
    "url",
    ["/api/v1/summits/", "/api/v1/journey-reviews/", "/api/v1/capabilities/",
     "/api/v1/action-items/"],
)  # fmt: skip
def test_anonymous_is_401(api_client, url):
    assert api_client.get(url).status_code == 401
    assert api_client.post(url, {}, format="json").status_code == 401


def test_anonymous_cannot_act_on_an_item(api_client, item):
    before = _state()
    for action in ("start", "complete", "cancel", "replan", "decide", "agenda", "updates"):
        response = api_client.post(f"/api/v1/action-items/{item.pk}/{action}/", {}, format="json")
        assert response.status_code == 401
    assert api_client.get(f"/api/v1/action-items/{item.pk}/updates/").status_code == 401
    assert _state() == before


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/summits/999999/"),
        ("patch", "/api/v1/summits/999999/"),
        ("post", "/api/v1/summits/999999/hold/"),
        ("post", "/api/v1/summits/999999/close/"),
        ("post", "/api/v1/summits/999999/participants/"),
        ("delete", "/api/v1/summits/999999/participants/1/"),
        ("delete", "/api/v1/summits/{summit}/participants/999999/"),
        ("get", "/api/v1/summits/abc/"),
        ("get", "/api/v1/journey-reviews/999999/"),
        ("patch", "/api/v1/journey-reviews/999999/"),
        ("delete", "/api/v1/journey-reviews/999999/"),
        ("get", "/api/v1/capabilities/999999/"),
        ("patch", "/api/v1/capabilities/999999/"),
        ("delete", "/api/v1/capabilities/999999/"),
        ("get", "/api/v1/action-items/999999/"),
        ("get", "/api/v1/action-items/abc/"),
        ("patch", "/api/v1/action-items/999999/"),
        ("post", "/api/v1/action-items/999999/start/"),
        ("post", "/api/v1/action-items/999999/complete/"),
        ("post", "/api/v1/action-items/999999/cancel/"),
        ("post", "/api/v1/action-items/999999/replan/"),
        ("post", "/api/v1/action-items/999999/decide/"),
        ("post", "/api/v1/action-items/999999/agenda/"),
        ("get", "/api/v1/action-items/999999/updates/"),
        ("post", "/api/v1/action-items/999999/updates/"),
    ],
)
def test_unknown_ids_are_404(api_client_for, admin_user, summit, method, url):
    body = {"reason": "x", "rationale": "x", "note": "x", "outcome": "cancel"}
    response = getattr(api_client_for(admin_user), method)(
        url.format(summit=summit.pk), body, format="json"
    )
    assert response.status_code == 404
    if not url.endswith("abc/"):  # the router's own 404 page is not the API's
        _assert_error(response, 404, "not_found")


def test_a_participant_of_another_summit_is_404_here(api_client_for, summit_chair, summit):
    elsewhere = ParticipantFactory(summit=SummitFactory(chair=summit_chair))
    before = _state()
    response = api_client_for(summit_chair).delete(
        f"/api/v1/summits/{summit.pk}/participants/{elsewhere.pk}/"
    )
    _assert_error(response, 404, "not_found")
    assert _state() == before


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", "/api/v1/summits/{summit}/"),
        ("delete", "/api/v1/summits/{summit}/"),
        ("put", "/api/v1/journey-reviews/{review}/"),
        ("put", "/api/v1/capabilities/{capability}/"),
        ("put", "/api/v1/action-items/{item}/"),
        ("delete", "/api/v1/action-items/{item}/"),
        ("delete", "/api/v1/action-items/{item}/updates/"),
    ],
)
def test_no_put_and_summits_and_items_are_never_deleted(
    api_client_for, admin_user, summit, summit_chair, item, method, url
):
    ids = {
        "summit": summit.pk, "item": item.pk,
        "review": JourneyReviewFactory(summit=summit).pk,
        "capability": CapabilityFactory(summit=summit).pk,
    }  # fmt: skip
    before = _state()
    for user in (admin_user, summit_chair):
        response = getattr(api_client_for(user), method)(
            url.format(**ids), {"title": "Changed"}, format="json"
        )
        assert response.status_code == 405
    assert _state() == before


# --- Summits -------------------------------------------------------------------------------------


def test_summit_create(api_client_for, executive, summit_chair):
    count = AuditEvent.objects.count()
    body = {
        "title": "Engagement summit 2027", "starts_on": _in(200), "ends_on": _in(201),
        "chair": summit_chair.pk, "location": "Head office", "purpose": "Walk the journey.",
    }  # fmt: skip
    response = api_client_for(executive).post("/api/v1/summits/", body, format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["title"], row["status"], row["chair"]["name"], row["ends_on"]) == (
        "Engagement summit 2027", "planning", "Sam Summit", _in(201),
    )  # fmt: skip
    assert (row["participants"], row["reviews"], row["action_items"]) == ([], [], [])
    assert [c["area"] for c in row["capabilities"]] == [a for a, _ in Capability.Area.choices]
    assert all(c["plan"] is None for c in row["capabilities"])
    assert row["completion"] == {
        "done_on_time": 0, "done_late": 0, "open": 0, "overdue": 0, "cancelled": 0, "total": 0,
        "completion_rate": None,
    }  # fmt: skip
    assert AuditEvent.objects.count() == count + 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": ""}, "title", ""),
        ({"chair": 999999}, "chair", "There is no person with the id 999999."),
        ({"chair": "sam"}, "chair", "Give the person's id"),
        ({"starts_on": "someday"}, "starts_on", ""),
        ({"ends_on": "2020-01-01"}, "ends_on", "cannot end before it starts"),
        ({"status": "closed"}, "status", "hold/ and close/"),
    ],
)
def test_bad_summit_input_is_400(api_client_for, executive, summit_chair, changes, field, words):
    body = {"title": "Summit", "starts_on": _in(10), "chair": summit_chair.pk, **changes}
    before = _state()
    response = api_client_for(executive).post("/api/v1/summits/", body, format="json")
    _assert_error(response, 400, "invalid", field if field != "ends_on" else None)
    assert words in response.json()["detail"]
    assert _state() == before


def test_an_inactive_chair_is_refused(api_client_for, executive):
    gone = UserFactory(first_name="Gone", last_name="Away", is_active=False)
    body = {"title": "Summit", "starts_on": _in(10), "chair": gone.pk}
    response = api_client_for(executive).post("/api/v1/summits/", body, format="json")
    _assert_error(response, 400, "invalid", "chair")
    assert response.json()["detail"] == "Gone Away is no longer active in the organisation."


def _furnish(summit, summit_chair, participant, member, function, board, touchpoint):
    """A review of a stage and one of a touchpoint (with KPI evidence), a plan row, and an
    item done late, one done on time, one open, one overdue and one cancelled."""
    kpi = KpiFactory(touchpoint=touchpoint, name="First-call resolution", target=Decimal("80"))
    MeasurementFactory(kpi=kpi, period=date(2026, 10, 1), value=Decimal("62"))
    services.review_add(
        actor=participant, summit=summit, touchpoint=touchpoint, current_level=2,
        target_level=5, kpis=[kpi], notes="Customers repeat themselves.",
    )  # fmt: skip
    services.review_add(
        actor=summit_chair, summit=summit, stage=JourneyStageFactory(name="Use"),
        current_level=3, target_level=4,
    )  # fmt: skip
    services.capability_add(
        actor=summit_chair, summit=summit, area="data", sourcing="mixed", gap=4, owner=member,
        partners="Acme Analytics,  Northwind ",
    )  # fmt: skip

    def item(title, due_in):
        return services.action_item_create(
            actor=summit_chair, summit=summit, title=title, owner=member,
            owner_function=function, board=board, due_on=_today() + timedelta(days=due_in),
        )  # fmt: skip

    late, on_time, overdue = item("Late", 1), item("On time", 5), item("Overdue", 2)
    item("Open", 40)
    services.action_item_cancel(actor=summit_chair, item=item("Dropped", 50), reason="No.")
    for done in (late, on_time):
        services.action_item_start(actor=member, item=done)
    services.action_item_complete(actor=member, item=on_time)
    return late, overdue


def test_summit_detail_is_the_summit_page(
    api_client_for, outsider, summit, summit_chair, participant, member, function, board,
    touchpoint, other_function, admin_user,
):  # fmt: skip
    # given: last year's summit with one item done, and this one furnished
    last_year = SummitFactory(
        title="Summit 2025", chair=summit_chair, starts_on=_today() - timedelta(days=365)
    )
    services.summit_hold(actor=summit_chair, summit=last_year)
    ActionItem.objects.create(
        summit=last_year, title="Old", owner=member, owner_function=function, board=board,
        due_on=last_year.starts_on, status="done", completed_on=last_year.starts_on,
        created_by=summit_chair,
    )  # fmt: skip
    late, overdue = _furnish(summit, summit_chair, participant, member, function, board,
                             touchpoint)  # fmt: skip
    # Marketing holds a right on the reviewed touchpoint and has no participant: uncovered
    charter_services.right_assign(
        actor=admin_user, touchpoint=touchpoint, right="design", function=function
    )
    # when: three days on, "Late" is done and "Overdue" is past its date
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        services.action_item_complete(actor=member, item=late)
        body = api_client_for(outsider).get(f"/api/v1/summits/{summit.pk}/").json()
    # then
    assert [(p["person"]["name"], p["function"]["name"]) for p in body["participants"]] == [
        ("Pat Participant", "Operations"),
    ]  # fmt: skip
    assert [f["name"] for f in body["uncovered_functions"]] == ["Marketing"]
    reviews = {(r["stage"] or r["touchpoint"])["name"]: r for r in body["reviews"]}
    assert set(reviews) == {"Call-centre script", "Use"}
    (evidence,) = reviews["Call-centre script"]["evidence"]
    assert (evidence["kpi"]["name"], evidence["value"], evidence["period"]) == (
        "First-call resolution", "62.0000", "2026-10-01",
    )  # fmt: skip
    assert (evidence["target"], evidence["kpi_status"]) == ("80.0000", "off_target")
    assert reviews["Call-centre script"]["gap"] == 3
    # the gap per stage, the largest first (the touchpoint counts at its stage, "Buy")
    assert [(g["stage"]["name"], g["gap"], g["review_count"]) for g in body["stage_gaps"]] == [
        ("Buy", 3.0, 1), ("Use", 1.0, 1),
    ]  # fmt: skip
    rows = {c["area"]: c for c in body["capabilities"]}
    assert rows["data"]["plan"]["partner_names"] == ["Acme Analytics", "Northwind"]
    assert rows["data"]["plan"]["owner"]["id"] == member.pk
    assert rows["brand"]["plan"] is None
    assert [i["title"] for i in body["action_items"]] == [
        "Late", "Overdue", "On time", "Open", "Dropped",
    ]  # fmt: skip
    assert body["completion"] == {
        "done_on_time": 1, "done_late": 1, "open": 1, "overdue": 1, "cancelled": 1, "total": 5,
        "completion_rate": 50,
    }  # fmt: skip
    assert body["previous"]["summit"]["title"] == "Summit 2025"
    assert body["previous"]["completion"]["done_on_time"] == 1
    assert (body["participant_count"], body["item_count"]) == (1, 5)
    assert overdue.pk in {i["id"] for i in body["action_items"] if i["is_overdue"]}


def test_summit_list_filters_and_completion(api_client_for, outsider, summit, summit_chair, item):
    other_chair = UserFactory()
    old = SummitFactory(title="Retro summit", chair=other_chair, location="Lisbon",
                        starts_on=date(2025, 3, 1))  # fmt: skip
    old.status = Summit.Status.CLOSED
    old.save()
    client = api_client_for(outsider)

    def titles(query):
        response = client.get(f"/api/v1/summits/?{query}")
        assert response.status_code == 200, response.json()
        return [row["title"] for row in response.json()["results"]]

    rows = client.get("/api/v1/summits/").json()["results"]
    assert [r["title"] for r in rows] == ["Engagement summit 2026", "Retro summit"]
    assert (rows[0]["item_count"], rows[0]["completion"]["open"], rows[0]["completion"]["total"]) \
        == (1, 1, 1)  # fmt: skip
    assert "participants" not in rows[0]  # the list is light; the detail has the page
    assert titles("status=closed") == ["Retro summit"]
    assert titles(f"chair={summit_chair.pk}") == ["Engagement summit 2026"]
    assert titles("q=lisbon") == ["Retro summit"]
    assert titles("q=retro+lisbon") == ["Retro summit"]
    assert titles("q=retro+paris") == []
    assert titles("search=engagement") == ["Engagement summit 2026"]
    assert titles("ordering=starts_on") == ["Retro summit", "Engagement summit 2026"]
    assert titles("ordering=-title") == ["Retro summit", "Engagement summit 2026"]
    for query, field in (
        ("status=nope", "status"), ("chair=999999", "chair"), ("ordering=colour", "ordering"),
    ):  # fmt: skip
        _assert_error(client.get(f"/api/v1/summits/?{query}"), 400, "invalid", field)


def test_summit_patch(api_client_for, summit, summit_chair, executive, outsider, item):
    client = api_client_for(summit_chair)
    url = f"/api/v1/summits/{summit.pk}/"
    response = client.patch(url, {"location": "Lisbon", "ends_on": _in(1)}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["location"], response.json()["ends_on"]) == ("Lisbon", _in(1))
    # who chairs it is for executives and administrators
    before = _state()
    _assert_error(client.patch(url, {"chair": outsider.pk}, format="json"), 403, "not_allowed")
    assert _state() == before
    # the start cannot move past an item already due
    response = client.patch(url, {"starts_on": _in(40), "ends_on": _in(41)}, format="json")
    _assert_error(response, 400, "invalid", "starts_on")
    assert "re-plan it first" in response.json()["detail"]
    # nor does the status move by a PATCH
    _assert_error(client.patch(url, {"status": "held"}, format="json"), 400, "invalid", "status")
    assert _state() == before
    response = api_client_for(executive).patch(url, {"chair": outsider.pk}, format="json")
    assert response.json()["chair"]["id"] == outsider.pk


def test_hold_and_close(api_client_for, summit, summit_chair, participant, touchpoint):
    client = api_client_for(summit_chair)
    url = f"/api/v1/summits/{summit.pk}/"
    _assert_error(client.post(f"{url}close/"), 409, "conflict")  # held before closed
    response = client.post(f"{url}hold/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "held"
    assert response.json()["held_at"]
    _assert_error(client.post(f"{url}hold/"), 409, "conflict")
    response = client.post(f"{url}close/")
    assert (response.json()["status"], bool(response.json()["closed_at"])) == ("closed", True)
    # a closed summit's record is frozen
    before = _state()
    body = {"summit": summit.pk, "touchpoint": touchpoint.pk, "current_level": 1,
            "target_level": 2}  # fmt: skip
    for client_, method, path, data in (
        (api_client_for(participant), "post", "/api/v1/journey-reviews/", body),
        (client, "post", f"{url}participants/", {"person": participant.pk, "function": 1}),
        (client, "patch", url, {"title": "Renamed"}),
    ):
        response = getattr(client_, method)(path, data, format="json")
        assert response.status_code in (400, 409), response.json()
    assert client.patch(url, {"title": "Renamed"}, format="json").json()["code"] == "conflict"
    assert _state() == before


def test_a_summit_cannot_be_held_before_it_starts(api_client_for, summit_chair):
    later = SummitFactory(chair=summit_chair, starts_on=_today() + timedelta(days=5))
    response = api_client_for(summit_chair).post(f"/api/v1/summits/{later.pk}/hold/")
    _assert_error(response, 409, "conflict")
    assert Summit.objects.get(pk=later.pk).status == "planning"


def test_participants_add_and_remove(
    api_client_for, summit, summit_chair, function, other_function, function_owner
):
    client = api_client_for(summit_chair)
    url = f"/api/v1/summits/{summit.pk}/participants/"
    person = UserFactory(first_name="New", last_name="Comer", function=function)
    body = {"person": person.pk, "function": function.pk, "note": "Facilitator"}
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    (row,) = response.json()["participants"]
    assert (row["person"]["name"], row["function"]["name"], row["note"]) == (
        "New Comer", "Marketing", "Facilitator",
    )  # fmt: skip
    # invited twice: a conflict
    before = _state()
    _assert_error(client.post(url, body, format="json"), 409, "conflict")
    # for a function they neither work in nor act for
    response = client.post(url, {"person": person.pk, "function": other_function.pk})
    _assert_error(response, 400, "invalid", "person")
    assert "neither works in nor acts for Operations" in response.json()["detail"]
    response = client.post(url, {"person": 999999, "function": function.pk})
    _assert_error(response, 400, "invalid", "person")
    assert response.json()["errors"]["person"] == ["There is no person with the id 999999."]
    _assert_error(client.post(url, {"person": person.pk}), 400, "invalid", "function")
    assert _state() == before
    # a function's head acts for it, though they sit elsewhere
    function_owner.function = None
    function_owner.save()
    response = client.post(url, {"person": function_owner.pk, "function": function.pk})
    assert response.status_code == 201, response.json()
    # removed
    response = client.delete(f"{url}{row['id']}/")
    assert response.status_code == 204
    assert list(Participant.objects.values_list("person", flat=True)) == [function_owner.pk]


# --- Journey reviews -----------------------------------------------------------------------------


def test_journey_review_add_update_remove(api_client_for, participant, summit, touchpoint):
    kpi = KpiFactory(touchpoint=touchpoint, name="First-call resolution")
    MeasurementFactory(kpi=kpi, period=date(2026, 9, 1), value=Decimal("70"))
    MeasurementFactory(kpi=kpi, period=date(2026, 10, 1), value=Decimal("62"))
    client = api_client_for(participant)
    body = {"summit": summit.pk, "touchpoint": touchpoint.pk, "current_level": 2,
            "target_level": 4, "notes": "Repeats.", "kpis": [kpi.pk]}  # fmt: skip
    response = client.post("/api/v1/journey-reviews/", body, format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["summit"]["id"], row["touchpoint"]["name"], row["stage"], row["gap"]) == (
        summit.pk, "Call-centre script", None, 2,
    )  # fmt: skip
    assert row["updated_by"]["name"] == "Pat Participant"
    (evidence,) = row["evidence"]
    assert (evidence["value"], evidence["period"]) == ("62.0000", "2026-10-01")  # the latest
    url = f"/api/v1/journey-reviews/{row['id']}/"
    # a later measurement does not rewrite what the summit saw; a new KPI is captured now
    MeasurementFactory(kpi=kpi, period=date(2026, 11, 1), value=Decimal("90"))
    other = KpiFactory(touchpoint=touchpoint, name="Wait time")
    response = client.patch(url, {"target_level": 5, "kpis": [kpi.pk, other.pk]}, format="json")
    assert response.status_code == 200, response.json()
    values = {e["kpi"]["name"]: e["value"] for e in response.json()["evidence"]}
    assert values == {"First-call resolution": "62.0000", "Wait time": None}
    assert (response.json()["target_level"], response.json()["gap"]) == (5, 3)
    # reviewing the same touchpoint twice clashes
    before = _state()
    _assert_error(client.post("/api/v1/journey-reviews/", body, format="json"), 409, "conflict")
    assert _state() == before
    assert client.get(url).json()["notes"] == "Repeats."
    assert client.delete(url).status_code == 204
    assert not JourneyReview.objects.exists() and not ReviewEvidence.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"current_level": 6}, "current_level"),
        ({"target_level": 0}, "target_level"),
        ({"stage": "STAGE"}, "stage"),  # both a stage and a touchpoint
        ({"touchpoint": None}, "stage"),  # neither
        ({"touchpoint": 999999}, "touchpoint"),
        ({"kpis": [999999]}, "kpis"),
        ({"kpis": "KPI_ELSEWHERE"}, "kpis"),  # a KPI of another touchpoint
        ({"summit": 999999}, "summit"),
    ],
)
def test_bad_review_input_is_400(api_client_for, summit_chair, summit, touchpoint, changes, field):
    if changes.get("stage") == "STAGE":
        changes["stage"] = touchpoint.stage_id
    if changes.get("kpis") == "KPI_ELSEWHERE":
        changes["kpis"] = [KpiFactory().pk]
    body = {"summit": summit.pk, "touchpoint": touchpoint.pk, "current_level": 2,
            "target_level": 4, **changes}  # fmt: skip
    before = _state()
    response = api_client_for(summit_chair).post("/api/v1/journey-reviews/", body, format="json")
    _assert_error(response, 400, "invalid", field)
    assert _state() == before


def test_journey_review_filters(api_client_for, outsider, summit, touchpoint):
    at_stage = JourneyReviewFactory(summit=summit, stage=touchpoint.stage)
    of_touchpoint = JourneyReviewFactory(summit=summit, stage=None, touchpoint=touchpoint)
    elsewhere = JourneyReviewFactory(current_level=1)
    client = api_client_for(outsider)

    def ids(query):
        response = client.get(f"/api/v1/journey-reviews/?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {at_stage.pk, of_touchpoint.pk, elsewhere.pk}
    assert ids(f"summit={summit.pk}") == {at_stage.pk, of_touchpoint.pk}
    assert ids(f"stage={touchpoint.stage_id}") == {at_stage.pk, of_touchpoint.pk}
    assert ids(f"touchpoint={touchpoint.pk}") == {of_touchpoint.pk}
    response = client.get("/api/v1/journey-reviews/?ordering=current_level")
    assert response.json()["results"][0]["id"] == elsewhere.pk
    for query, field in (("summit=999999", "summit"), ("stage=x", "stage"),
                         ("touchpoint=999999", "touchpoint")):  # fmt: skip
        _assert_error(client.get(f"/api/v1/journey-reviews/?{query}"), 400, "invalid", field)


# --- Capability plan -----------------------------------------------------------------------------


def test_capability_add_update_remove(api_client_for, summit_chair, summit, member):
    client = api_client_for(summit_chair)
    body = {"summit": summit.pk, "area": "data", "sourcing": "external", "gap": 4,
            "owner": member.pk, "partners": "Acme, Northwind"}  # fmt: skip
    response = client.post("/api/v1/capabilities/", body, format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["area_label"], row["partner_names"], row["owner"]["id"], row["summit"]["id"]) == (
        "data analysis and insights", ["Acme", "Northwind"], member.pk, summit.pk,
    )  # fmt: skip
    before = _state()
    _assert_error(client.post("/api/v1/capabilities/", body, format="json"), 409, "conflict")
    assert _state() == before
    url = f"/api/v1/capabilities/{row['id']}/"
    response = client.patch(url, {"sourcing": "internal", "partners": "", "gap": 2})
    assert response.status_code == 200, response.json()
    assert (response.json()["sourcing"], response.json()["partners"], response.json()["gap"]) == (
        "internal", "", 2,
    )  # fmt: skip
    assert client.delete(url).status_code == 204
    assert not Capability.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"sourcing": "internal", "partners": "Acme"}, "partners", "no partners"),
        ({"sourcing": "external", "partners": " , "}, "partners", "Name the external partner"),
        ({"area": "finance"}, "area", ""),
        ({"sourcing": "outsourced"}, "sourcing", ""),
        ({"gap": 9}, "gap", ""),
        ({"owner": 999999}, "owner", "There is no person with the id 999999."),
        ({"owner": "GONE"}, "owner", "is no longer active in the organisation"),
    ],
)
def test_bad_capability_input_is_400(
    api_client_for, summit_chair, summit, member, changes, field, words
):
    if changes.get("owner") == "GONE":
        changes["owner"] = UserFactory(is_active=False).pk
    body = {"summit": summit.pk, "area": "data", "sourcing": "mixed", "gap": 3,
            "owner": member.pk, "partners": "Acme", **changes}  # fmt: skip
    before = _state()
    response = api_client_for(summit_chair).post("/api/v1/capabilities/", body, format="json")
    _assert_error(response, 400, "invalid", field)
    assert words in response.json()["detail"]
    assert _state() == before


def test_capability_filters(api_client_for, outsider, summit, member):
    data = CapabilityFactory(summit=summit, area="data", sourcing="internal", owner=member)
    brand = CapabilityFactory(summit=summit, area="brand", sourcing="external", partners="Acme")
    elsewhere = CapabilityFactory(area="data", gap=5)
    client = api_client_for(outsider)

    def ids(query):
        response = client.get(f"/api/v1/capabilities/?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert set(ids(f"summit={summit.pk}")) == {data.pk, brand.pk}
    assert set(ids("area=data")) == {data.pk, elsewhere.pk}
    assert ids("sourcing=external") == [brand.pk]
    assert ids(f"owner={member.pk}") == [data.pk]
    assert ids("ordering=-gap")[0] == elsewhere.pk
    for query, field in (("area=finance", "area"), ("sourcing=x", "sourcing"),
                         ("summit=abc", "summit")):  # fmt: skip
        _assert_error(client.get(f"/api/v1/capabilities/?{query}"), 400, "invalid", field)


# --- Action items --------------------------------------------------------------------------------


def test_item_create(api_client_for, summit_chair, summit, member, function, board, touchpoint):
    count = AuditEvent.objects.count()
    body = _new_item(summit, member, function, board, priority="high",
                     touchpoints=[touchpoint.pk], description="Pilot first.")  # fmt: skip
    response = api_client_for(summit_chair).post("/api/v1/action-items/", body, format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["title"], row["status"], row["priority"], row["due_on"]) == (
        "Shorter call-centre script", "open", "high", _in(30),
    )  # fmt: skip
    assert (row["owner"]["id"], row["owner_function"]["name"], row["board"]["name"]) == (
        member.pk, "Marketing", "Customer board",
    )  # fmt: skip
    assert [t["name"] for t in row["touchpoints"]] == ["Call-centre script"]
    assert (row["is_open"], row["is_overdue"], row["was_late"], row["completed_on"]) == (
        True, False, False, None,
    )  # fmt: skip
    assert row["next_statuses"] == ["in_progress", "cancelled"]
    assert row["created_by"]["name"] == "Sam Summit"
    assert [(u["kind"], u["status_after"], u["due_after"]) for u in row["updates"]] == [
        ("created", "open", _in(30)),
    ]  # fmt: skip
    assert AuditEvent.objects.count() == count + 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"due_on": "BEFORE_SUMMIT"}, "due_on", "cannot be before the summit"),
        ({"due_on": "someday"}, "due_on", ""),
        ({"owner": "OUTSIDER"}, "owner", "neither works in nor acts for Marketing"),
        ({"owner": "GONE"}, "owner", "is no longer active in the organisation"),
        ({"owner": 999999}, "owner", "There is no person with the id 999999."),
        ({"owner_function": 999999}, "owner_function", "There is no function with the id"),
        ({"board": 999999}, "board", "There is no board with the id 999999."),
        ({"board": "ARCHIVED"}, "board", "archived"),
        ({"touchpoints": [999999]}, "touchpoints", "There is no touchpoint with the id"),
        ({"title": "  "}, "title", "Give the action item a title."),
        ({"priority": "urgent"}, "priority", ""),
        ({"summit": 999999}, "summit", "There is no summit with the id 999999."),
    ],
)
def test_bad_item_input_is_400(
    api_client_for, summit_chair, summit, member, function, board, outsider, changes, field, words
):
    if changes.get("due_on") == "BEFORE_SUMMIT":
        changes["due_on"] = (summit.starts_on - timedelta(days=1)).isoformat()
    if changes.get("owner") == "OUTSIDER":
        changes["owner"] = outsider.pk
    if changes.get("owner") == "GONE":
        changes["owner"] = UserFactory(function=function, is_active=False).pk
    if changes.get("board") == "ARCHIVED":
        changes["board"] = BoardFactory(is_active=False).pk
    before = _state()
    response = api_client_for(summit_chair).post(
        "/api/v1/action-items/", _new_item(summit, member, function, board, **changes),
        format="json",
    )  # fmt: skip
    _assert_error(response, 400, "invalid", field)
    assert words in response.json()["detail"]
    assert _state() == before


def test_item_lifecycle(api_client_for, item, member, summit_chair, outsider):
    url = f"/api/v1/action-items/{item.pk}/"
    owner = api_client_for(member)
    # completing an item that was never started skips the lifecycle: 409, nothing changed
    before = _state()
    response = owner.post(f"{url}complete/", {}, format="json")
    _assert_error(response, 409, "conflict")
    assert "start it before completing it" in response.json()["detail"]
    assert _state() == before
    response = owner.post(f"{url}start/", {"note": "Drafting."}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["next_statuses"]) == (
        "in_progress", ["done", "cancelled"],
    )  # fmt: skip
    _assert_error(owner.post(f"{url}start/", {}, format="json"), 409, "conflict")
    # someone else's item is not theirs to complete
    before = _state()
    for someone in (outsider, summit_chair):
        response = api_client_for(someone).post(f"{url}complete/", {}, format="json")
        _assert_error(response, 403, "not_allowed")
    assert _state() == before
    # progress, then the timeline
    response = owner.post(f"{url}updates/", {"note": "Pilot team trained."}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["kind"], response.json()["author"]["id"]) == ("progress", member.pk)
    _assert_error(owner.post(f"{url}updates/", {"note": " "}, format="json"), 400, "invalid",
                  "note")  # fmt: skip
    # a completion date in the future is refused
    response = owner.post(f"{url}complete/", {"completed_on": _in(2)}, format="json")
    _assert_error(response, 400, "invalid", "completed_on")
    response = owner.post(f"{url}complete/", {"note": "Live."}, format="json")
    assert response.status_code == 200, response.json()
    row = response.json()
    assert (row["status"], row["completed_on"], row["was_late"], row["is_open"]) == (
        "done", _in(0), False, False,
    )  # fmt: skip
    timeline = api_client_for(outsider).get(f"{url}updates/").json()
    assert [(u["kind"], u["note"]) for u in timeline] == [
        ("created", ""), ("started", "Drafting."), ("progress", "Pilot team trained."),
        ("completed", "Live."),
    ]  # fmt: skip
    assert [u["kind"] for u in row["updates"]] == [u["kind"] for u in timeline]
    # done is final
    before = _state()
    _assert_error(owner.post(f"{url}updates/", {"note": "More."}), 409, "conflict")
    _assert_error(api_client_for(summit_chair).post(f"{url}cancel/", {"reason": "x"}), 409,
                  "conflict")  # fmt: skip
    assert _state() == before


def test_item_patch(api_client_for, item, chair, member, touchpoint):
    url = f"/api/v1/action-items/{item.pk}/"
    other = TouchpointFactory(name="Checkout")
    response = api_client_for(chair).patch(
        url, {"title": "Rewrite the script", "priority": "critical", "touchpoints": [other.pk]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    row = response.json()
    assert (row["title"], row["priority"], [t["name"] for t in row["touchpoints"]]) == (
        "Rewrite the script", "critical", ["Checkout"],
    )  # fmt: skip
    # status, due date and owner move through the actions, which leave a trace
    before = _state()
    for changes, field in (
        ({"status": "done"}, "status"), ({"due_on": _in(90)}, "due_on"),
        ({"owner": chair.pk}, "owner"), ({"completed_on": _in(0)}, "completed_on"),
    ):  # fmt: skip
        response = api_client_for(chair).patch(url, changes, format="json")
        _assert_error(response, 400, "invalid", field)
        assert "/" in response.json()["detail"]  # names the action to use
    # the owner carries it out but does not edit it
    _assert_error(api_client_for(member).patch(url, {"title": "Mine"}), 403, "not_allowed")
    assert _state() == before


def test_item_cancel_and_replan(api_client_for, item, chair, summit, summit_chair, delegate):
    url = f"/api/v1/action-items/{item.pk}/"
    client = api_client_for(chair)
    before = _state()
    _assert_error(client.post(f"{url}cancel/", {}, format="json"), 400, "invalid", "reason")
    _assert_error(client.post(f"{url}replan/", {"reason": "Later."}), 400, "invalid", "due_on")
    early = (summit.starts_on - timedelta(days=1)).isoformat()
    response = client.post(f"{url}replan/", {"due_on": early, "reason": "x"}, format="json")
    _assert_error(response, 400, "invalid", "due_on")
    assert "cannot be before the summit" in response.json()["detail"]
    outsider = UserFactory(first_name="Out", last_name="Sider")
    response = client.post(f"{url}replan/", {"owner": outsider.pk, "reason": "x"})
    _assert_error(response, 400, "invalid", "owner")
    assert _state() == before
    # a new owner acting for the function (its delegate), and a new date
    response = client.post(
        f"{url}replan/", {"due_on": _in(60), "owner": delegate.pk, "reason": "Handed over."},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    row = response.json()
    assert (row["due_on"], row["owner"]["id"]) == (_in(60), delegate.pk)
    replanned = row["updates"][-1]
    assert (replanned["kind"], replanned["due_before"], replanned["due_after"]) == (
        "replanned", _in(30), _in(60),
    )  # fmt: skip
    assert (replanned["owner_before"]["id"], replanned["owner_after"]["id"]) == (
        item.owner_id, delegate.pk,
    )  # fmt: skip
    response = api_client_for(summit_chair).post(f"{url}cancel/", {"reason": "Overtaken."})
    assert (response.json()["status"], response.json()["updates"][-1]["note"]) == (
        "cancelled", "Overtaken.",
    )  # fmt: skip


def test_item_decide(api_client_for, item, chair, board_delegate, member, board):
    url = f"/api/v1/action-items/{item.pk}/"
    meeting = MeetingFactory(board=board)
    client = api_client_for(board_delegate)
    before = _state()
    # an open item cannot be closed as done; a decision needs a rationale and an outcome
    body = {"outcome": "complete", "rationale": "Checked."}
    _assert_error(client.post(f"{url}decide/", body, format="json"), 409, "conflict")
    _assert_error(client.post(f"{url}decide/", {"outcome": "cancel"}), 400, "invalid",
                  "rationale")  # fmt: skip
    _assert_error(client.post(f"{url}decide/", {"outcome": "approve", "rationale": "x"}), 400,
                  "invalid", "outcome")  # fmt: skip
    _assert_error(
        client.post(f"{url}decide/", {"outcome": "replan", "rationale": "x", "meeting": 999999}),
        400,
        "invalid",
        "meeting",
    )
    assert _state() == before
    # re-planned by a decision, then closed as done by another
    response = client.post(
        f"{url}decide/",
        {"outcome": "replan", "rationale": "Needs the new CRM.", "due_on": _in(45),
         "meeting": meeting.pk},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    entry = response.json()["updates"][-1]
    decision = Decision.objects.get(pk=entry["decision"]["id"])
    assert (entry["kind"], decision.board, decision.meeting, decision.status) == (
        "replanned", board, meeting, "implemented",
    )  # fmt: skip
    services.action_item_start(actor=member, item=item)
    response = client.post(f"{url}decide/", body, format="json")
    assert response.status_code == 200, response.json()
    row = response.json()
    assert (row["status"], row["completed_on"], row["updates"][-1]["kind"]) == (
        "done", _in(0), "completed",
    )  # fmt: skip
    assert row["updates"][-1]["decision"]["title"] == f"Close as done: {item.title}"


def test_a_refused_replan_by_decision_logs_no_decision(api_client_for, item, chair, summit):
    """The board's decision and the item's re-plan happen together or not at all."""
    before = _state()
    early = (summit.starts_on - timedelta(days=1)).isoformat()
    response = api_client_for(chair).post(
        f"/api/v1/action-items/{item.pk}/decide/",
        {"outcome": "replan", "rationale": "Sooner.", "due_on": early},
        format="json",
    )
    _assert_error(response, 400, "invalid", "due_on")
    assert _state() == before  # no decision, no timeline entry, no audit event


def test_item_agenda(api_client_for, item, chair, board, top):
    url = f"/api/v1/action-items/{item.pk}/agenda/"
    meeting = MeetingFactory(board=board)
    client = api_client_for(chair)
    response = client.post(url, {"meeting": meeting.pk, "notes": "Status check."}, format="json")
    assert response.status_code == 200, response.json()
    row = response.json()
    assert [(a["meeting"], a["title"]) for a in row["agenda_items"]] == [
        (meeting.pk, f"Action item: {item.title}"),
    ]  # fmt: skip
    entry = row["updates"][-1]
    assert (entry["kind"], entry["meeting"]["id"], entry["meeting"]["board"]["name"]) == (
        "agenda", meeting.pk, "Customer board",
    )  # fmt: skip
    before = _state()
    _assert_error(client.post(url, {"meeting": meeting.pk}), 409, "conflict")  # twice
    elsewhere = MeetingFactory(board=top)
    _assert_error(client.post(url, {"meeting": elsewhere.pk}), 400, "invalid", "meeting")
    _assert_error(client.post(url, {}), 400, "invalid", "meeting")
    assert _state() == before


def test_item_list_filters(
    api_client_for, outsider, item, summit, summit_chair, member, function, other_function,
    participant, board, top, touchpoint,
):  # fmt: skip
    soon = services.action_item_create(
        actor=summit_chair, summit=summit, title="Soon: survey", owner=participant,
        owner_function=other_function, board=top, due_on=_today() + timedelta(days=3),
        priority="critical",
    )  # fmt: skip
    other_summit = SummitFactory(chair=summit_chair, title="Other")
    closed = services.action_item_create(
        actor=summit_chair, summit=other_summit, title="Done thing", owner=member,
        owner_function=function, board=board, due_on=_today() + timedelta(days=10),
        description="Survey the branch network.",
    )  # fmt: skip
    services.action_item_cancel(actor=summit_chair, item=closed, reason="No.")
    client = api_client_for(outsider)

    def titles(query):
        response = client.get(f"/api/v1/action-items/?{query}")
        assert response.status_code == 200, response.json()
        return [row["title"] for row in response.json()["results"]]

    everything = ["Soon: survey", "Done thing", item.title]
    assert titles("") == everything  # soonest due first
    assert titles(f"summit={summit.pk}") == ["Soon: survey", item.title]
    assert titles(f"board={top.pk}") == ["Soon: survey"]
    assert titles(f"owner={member.pk}") == ["Done thing", item.title]
    assert titles("function=operations") == ["Soon: survey"]
    assert titles(f"function={function.pk}") == ["Done thing", item.title]
    assert titles("status=cancelled") == ["Done thing"]
    assert titles("open=true") == ["Soon: survey", item.title]
    assert titles("open=false") == ["Done thing"]
    assert titles("due_soon=true") == ["Soon: survey"]
    assert titles("priority=critical") == ["Soon: survey"]
    assert titles(f"touchpoint={touchpoint.pk}") == [item.title]
    assert titles(f"due_before={_in(10)}") == ["Soon: survey", "Done thing"]
    assert titles(f"due_after={_in(10)}") == ["Done thing", item.title]
    assert titles("q=survey") == ["Soon: survey", "Done thing"]  # title or description
    assert titles("q=survey+branch") == ["Done thing"]
    assert titles("search=customer+board") == ["Done thing", item.title]
    assert titles("ordering=-due_on") == list(reversed(everything))
    assert titles("ordering=title") == sorted(everything)
    assert titles("overdue=true") == [] and titles("status=overdue") == []
    # five days on, "Soon" is overdue: a fact of the date, not a status
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        assert titles("status=overdue") == ["Soon: survey"]
        assert titles("overdue=true") == ["Soon: survey"]
        assert titles("overdue=false") == ["Done thing", item.title]
        assert titles("status=open") == ["Soon: survey", item.title]
        row = client.get(f"/api/v1/action-items/{soon.pk}/").json()
        assert (row["status"], row["is_overdue"]) == ("open", True)
    rows = {r["title"]: r for r in client.get("/api/v1/action-items/").json()["results"]}
    assert rows["Done thing"]["latest_update"]["kind"] == "cancelled"
    assert rows[item.title]["latest_update"]["kind"] == "created"
    assert "updates" not in rows[item.title]  # the list is light; the detail has the timeline
    for query, field in (
        ("open=maybe", "open"), ("status=nope", "status"), ("due_soon=1", "due_soon"),
        ("overdue=yes", "overdue"), ("priority=urgent", "priority"), ("owner=999999", "owner"),
        ("summit=999999", "summit"), ("board=x", "board"), ("function=nobody", "function"),
        ("due_before=someday", "due_before"), ("due_after=2026-02-30", "due_after"),
        ("touchpoint=x", "touchpoint"), ("ordering=colour", "ordering"),
    ):  # fmt: skip
        _assert_error(client.get(f"/api/v1/action-items/?{query}"), 400, "invalid", field)


# --- Query budgets -------------------------------------------------------------------------------


def _populate_items(n, summit, board):
    """n items of different owners, functions and boards, each with touchpoints and a
    timeline of several entries."""
    for _ in range(n):
        function = FunctionFactory()
        owner = UserFactory(function=function)
        item = services.action_item_create(
            actor=summit.chair, summit=summit, title="T", owner=owner, owner_function=function,
            board=BoardFactory(), due_on=_today() + timedelta(days=20),
            touchpoints=[TouchpointFactory(), TouchpointFactory()],
        )  # fmt: skip
        services.action_item_start(actor=owner, item=item)
        services.action_item_progress(actor=owner, item=item, note="Going.")


def _populate_summits(n, board):
    """n summits, each with a different chair, a participant, an item, a review of a
    touchpoint with KPI evidence and a capability-plan row."""
    for _ in range(n):
        summit = SummitFactory()
        ParticipantFactory(summit=summit)
        _populate_items(1, summit, board)
        touchpoint = TouchpointFactory(stage=JourneyStageFactory())
        kpis = [KpiFactory(touchpoint=touchpoint), KpiFactory(touchpoint=touchpoint)]
        services.review_add(actor=summit.chair, summit=summit, touchpoint=touchpoint,
                            current_level=2, target_level=4, kpis=kpis)  # fmt: skip
        CapabilityFactory(summit=summit, owner=UserFactory())


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response.json()


# Pinned, so a change that adds a query shows here first. Each list count includes the page's
# COUNT(*); the test client signs in with force_authenticate (no session queries).
QUERY_BUDGET = {
    # page, touchpoints, latest timeline entries
    "/api/v1/action-items/": 4,
    # page, completion of the page's summits
    "/api/v1/summits/": 3,
    # page, evidence
    "/api/v1/journey-reviews/": 3,
    "/api/v1/capabilities/": 2,
}


@pytest.mark.parametrize("url", sorted(QUERY_BUDGET))
def test_list_query_count_is_constant(api_client_for, url, board):
    client = api_client_for(UserFactory())
    _populate_summits(3, board)
    small, body = _count(client, url)
    assert body["count"] == 3
    _populate_summits(27, board)
    large, body = _count(client, url)
    assert body["count"] == len(body["results"]) == 30
    assert small == large == QUERY_BUDGET[url]


def _furnish_more(summit, n, admin):
    """n more participants, reviews (with evidence), rights on the reviewed touchpoints and
    action items (with touchpoints) on ``summit``."""
    for _ in range(n):
        function = FunctionFactory()
        ParticipantFactory(summit=summit, function=function)
        touchpoint = TouchpointFactory(stage=JourneyStageFactory())
        kpi = KpiFactory(touchpoint=touchpoint)
        MeasurementFactory(kpi=kpi)
        services.review_add(actor=summit.chair, summit=summit, touchpoint=touchpoint,
                            current_level=2, target_level=4, kpis=[kpi])  # fmt: skip
        charter_services.right_assign(
            actor=admin, touchpoint=touchpoint, right="design", function=FunctionFactory()
        )
        owner = UserFactory(function=function)
        services.action_item_create(
            actor=summit.chair, summit=summit, title="T", owner=owner, owner_function=function,
            board=BoardFactory(), due_on=_today() + timedelta(days=20),
            touchpoints=[touchpoint],
        )  # fmt: skip


# get, participants, uncovered functions, reviews, evidence, capabilities, items, their
# touchpoints, the previous summit, completion of both
SUMMIT_DETAIL_BUDGET = 10


def test_summit_detail_query_count_is_constant(api_client_for, admin_user, summit_chair):
    SummitFactory(chair=summit_chair, starts_on=_today() - timedelta(days=365))  # the previous
    summit = SummitFactory(chair=summit_chair)
    CapabilityFactory(summit=summit, owner=UserFactory())
    client = api_client_for(UserFactory())
    url = f"/api/v1/summits/{summit.pk}/"
    _furnish_more(summit, 3, admin_user)
    small, body = _count(client, url)
    assert (len(body["participants"]), len(body["reviews"]), len(body["action_items"])) == (3,) * 3
    assert len(body["uncovered_functions"]) == 3
    _furnish_more(summit, 27, admin_user)
    large, body = _count(client, url)
    assert (len(body["participants"]), len(body["reviews"]), len(body["action_items"])) == (
        30, 30, 30,
    )  # fmt: skip
    assert small == large == SUMMIT_DETAIL_BUDGET


# the item, touchpoints, timeline (authors, owners, decisions and meetings joined), agendas
ITEM_DETAIL_BUDGET = 4


def test_item_detail_query_count_is_constant(api_client_for, item, member, chair, board):
    client = api_client_for(UserFactory())
    url = f"/api/v1/action-items/{item.pk}/"
    services.action_item_start(actor=member, item=item)
    small, body = _count(client, url)
    for n in range(30):
        author = (member, chair)[n % 2]
        services.action_item_progress(actor=author, item=item, note=f"Step {n}")
    services.action_item_put_on_agenda(actor=chair, item=item, meeting=MeetingFactory(board=board))
    services.action_item_replan(
        actor=chair, item=item, reason="Later.", due_on=_today() + timedelta(days=50),
        owner=UserFactory(function=item.owner_function),
    )  # fmt: skip
    large, body = _count(client, url)
    # created, started, 30 progress notes, agenda, re-planned
    assert len(body["updates"]) == 34
    assert small == large == ITEM_DETAIL_BUDGET
    assert _count(client, f"{url}updates/")[0] == ITEM_DETAIL_BUDGET


# --- Schema --------------------------------------------------------------------------------------


def test_the_schema_validates_without_warnings():
    """What CI runs (`spectacular --validate --fail-on-warn`): every endpoint documented, no
    component or enum name clashes."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)
