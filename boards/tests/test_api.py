"""The boards API: every endpoint and action, who may use them, errors in the one format with
nothing changed, filters, and query budgets that do not grow with the number of rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from boards import services
from boards.models import (
    AgendaItem,
    Attendance,
    Board,
    Decision,
    DecisionFact,
    Escalation,
    Meeting,
    Membership,
)
from boards.tests.factories import BoardFactory, MeetingFactory, MembershipFactory
from charter import services as charter_services
from charter.models import Conflict, RightAssignment
from engagement.audit.models import AuditEvent
from engagement.org.tests.factories import FunctionFactory, UserFactory
from touchpoints.tests.factories import KpiFactory, MeasurementFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

LONG_AGO = date(2026, 1, 1)


# --- The scene -----------------------------------------------------------------------------------


def _state():
    """Everything a request could change, to compare before and after a refusal."""
    return (
        list(Board.objects.values_list("pk", "name", "purpose", "cadence", "is_active")),
        list(Membership.objects.values_list("pk", "role", "is_delegate", "ended_on")),
        list(Meeting.objects.values_list("pk", "status", "sequence", "minutes_approved_at")),
        list(AgendaItem.objects.values_list("pk", "position")),
        list(Attendance.objects.values_list("pk", "status")),
        list(Decision.objects.values_list("pk", "status")),
        list(Escalation.objects.values_list("pk", "status")),
        list(RightAssignment.objects.values_list("pk", "ended_at")),
        AuditEvent.objects.count(),
    )


def _past_meeting(board, **kwargs):
    start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    return MeetingFactory(board=board, starts_at=start, **kwargs)


def _decision(board, chair, **kwargs):
    kwargs.setdefault("title", "Shorter script")
    kwargs.setdefault("rationale", "Calls run long.")
    return services.decision_log(actor=chair, board=board, **kwargs)


def _assert_error(response, status_code, code, field=None):
    assert response.status_code == status_code, response.content[:500]
    body = response.json()
    assert body["code"] == code
    assert body["detail"]  # a sentence for a person
    if field:
        assert field in body["errors"], body


# --- Permission matrix ---------------------------------------------------------------------------

ROLES = ("chair", "board_delegate", "board_member", "executive", "outsider", "admin_user")
LEADERS = {"chair", "board_delegate"}
# Administrators may run meetings too (to put a calendar right), never decide.
RUNNERS = LEADERS | {"admin_user"}
ALLOWED = {
    "board_update": {"chair", "admin_user"},
    "membership_add": {"chair", "admin_user"},
    "meeting_create": RUNNERS,
    "meeting_cancel": RUNNERS,
    "agenda_add": RUNNERS,
    "minutes_approve": {"chair"},
    "decision_log": LEADERS,
    "decision_implemented": LEADERS | {"board_member"},
    "escalation_raise": LEADERS,
    "escalation_return": LEADERS,
}


@pytest.fixture
def request_for(board, chair, board_member, function, sub_board, sub_chair):
    """Builds what an action needs; returns (method, url, body, success status)."""

    def build(action):
        if action == "board_update":
            return "patch", f"/api/v1/boards/{board.pk}/", {"purpose": "New purpose."}, 200
        if action == "membership_add":
            body = {"board": board.pk, "person": UserFactory().pk, "function": function.pk}
            return "post", "/api/v1/memberships/", body, 201
        if action == "meeting_create":
            starts_at = timezone.now() + timedelta(days=30)
            body = {"board": board.pk, "starts_at": starts_at.isoformat()}
            return "post", "/api/v1/meetings/", body, 201
        if action == "meeting_cancel":
            meeting = MeetingFactory(board=board)
            return "post", f"/api/v1/meetings/{meeting.pk}/cancel/", {"reason": "None."}, 200
        if action == "agenda_add":
            meeting = MeetingFactory(board=board)
            return "post", f"/api/v1/meetings/{meeting.pk}/agenda/", {"title": "KPIs"}, 201
        if action == "minutes_approve":
            meeting = _past_meeting(board, status=Meeting.Status.HELD)
            return "post", f"/api/v1/meetings/{meeting.pk}/approve-minutes/", {}, 200
        if action == "decision_log":
            body = {"board": board.pk, "title": "Shorter script", "rationale": "Long calls."}
            return "post", "/api/v1/decisions/", body, 201
        if action == "decision_implemented":
            decision = _decision(board, chair, owner=board_member)
            return "post", f"/api/v1/decisions/{decision.pk}/implemented/", {}, 200
        if action == "escalation_raise":
            body = {"board": board.pk, "title": "Budget", "reason": "Needs money."}
            return "post", "/api/v1/escalations/", body, 201
        escalation = services.escalation_raise(
            actor=sub_chair, board=sub_board, title="Chat pilot", reason="Beyond our remit."
        )
        body = {"response": "Yours to decide."}
        return "post", f"/api/v1/escalations/{escalation.pk}/return/", body, 200

    return build


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_permission_matrix(request, api_client_for, request_for, action, role, board_delegate):
    # given
    method, url, body, success = request_for(action)
    user = request.getfixturevalue(role)
    before = _state()
    # when
    response = getattr(api_client_for(user), method)(url, body, format="json")
    # then
    if role in ALLOWED[action]:
        assert response.status_code == success, response.json()
        assert _state() != before
    else:
        _assert_error(response, 403, "not_allowed")
        assert _state() == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/boards/",
        "/api/v1/memberships/",
        "/api/v1/meetings/",
        "/api/v1/decisions/",
        "/api/v1/escalations/",
    ],
)
def test_anonymous_is_401(api_client, url):
    assert api_client.get(url).status_code == 401
    assert api_client.post(url, {}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/boards/999999/"),
        ("patch", "/api/v1/boards/999999/"),
        ("get", "/api/v1/memberships/999999/"),
        ("post", "/api/v1/memberships/999999/end/"),
        ("get", "/api/v1/meetings/999999/"),
        ("post", "/api/v1/meetings/999999/cancel/"),
        ("post", "/api/v1/meetings/999999/hold/"),
        ("post", "/api/v1/meetings/999999/agenda/"),
        ("post", "/api/v1/meetings/999999/attendance/"),
        ("post", "/api/v1/meetings/999999/approve-minutes/"),
        ("delete", "/api/v1/agenda-items/999999/"),
        ("post", "/api/v1/agenda-items/999999/move/"),
        ("get", "/api/v1/decisions/999999/"),
        ("post", "/api/v1/decisions/999999/supersede/"),
        ("post", "/api/v1/decisions/999999/implemented/"),
        ("get", "/api/v1/escalations/999999/"),
        ("post", "/api/v1/escalations/999999/acknowledge/"),
        ("post", "/api/v1/escalations/999999/resolve/"),
        ("post", "/api/v1/escalations/999999/return/"),
    ],
)
def test_unknown_ids_are_404(api_client_for, admin_user, method, url):
    body = {"reason": "x", "rationale": "x", "response": "x", "direction": "up"}
    response = getattr(api_client_for(admin_user), method)(url, body, format="json")
    _assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", "/api/v1/boards/{board}/"),
        ("delete", "/api/v1/boards/{board}/"),
        ("put", "/api/v1/decisions/{decision}/"),
        ("patch", "/api/v1/decisions/{decision}/"),
        ("delete", "/api/v1/decisions/{decision}/"),
        ("put", "/api/v1/escalations/{escalation}/"),
        ("delete", "/api/v1/escalations/{escalation}/"),
        ("delete", "/api/v1/memberships/{membership}/"),
        ("delete", "/api/v1/meetings/{meeting}/"),
    ],
)
def test_append_only_and_archived_not_deleted(
    api_client_for, admin_user, board, chair, board_member, method, url
):
    decision = _decision(board, chair)
    escalation = services.escalation_raise(actor=chair, board=board, title="T", reason="R")
    ids = {
        "board": board.pk, "decision": decision.pk, "escalation": escalation.pk,
        "meeting": MeetingFactory(board=board).pk,
        "membership": Membership.objects.get(person=board_member).pk,
    }  # fmt: skip
    before = _state()
    response = getattr(api_client_for(admin_user), method)(
        url.format(**ids), {"title": "Changed"}, format="json"
    )
    assert response.status_code == 405
    assert _state() == before


# --- Boards --------------------------------------------------------------------------------------


def test_board_list_shows_members_scope_and_health(
    api_client_for, outsider, board, chair, board_member, board_delegate, touchpoint,
    other_function, admin_user,
):  # fmt: skip
    # Operations holds a right in scope but has nobody on the board: a gap
    charter_services.right_assign(
        actor=admin_user, touchpoint=touchpoint, right="operate", function=other_function
    )
    _decision(board, chair)
    body = api_client_for(outsider).get("/api/v1/boards/?active=true").json()
    rows = {row["name"]: row for row in body["results"]}
    assert set(rows) == {"Customer board", "Executive committee"}
    row = rows["Customer board"]
    assert row["chair"]["name"] == "Dana Chair"
    assert row["escalates_to"]["name"] == "Executive committee"
    assert row["scope_touchpoints"] == [touchpoint.pk]
    assert [(m["person"]["name"], m["role"], m["is_delegate"]) for m in row["members"]] == [
        ("Mem Ber", "core", False), ("Dele Gate", "member", True),
    ]  # fmt: skip
    assert (row["member_count"], row["open_decision_count"]) == (2, 1)
    health = row["health"]
    assert (health["core_size"], health["member_count"], health["open_decisions"]) == (1, 2, 1)
    assert [f["name"] for f in health["gaps"]] == ["Operations"]


def test_board_filters(api_client_for, outsider, board, chair, admin_user, top):
    services.board_update(actor=admin_user, board=top, is_active=False)
    client = api_client_for(outsider)

    def names(query):
        response = client.get(f"/api/v1/boards/?{query}")
        assert response.status_code == 200, response.json()
        return [row["name"] for row in response.json()["results"]]

    assert names("") == ["Customer board", "Executive committee"]
    assert names("active=true") == ["Customer board"]
    assert names("active=false") == ["Executive committee"]
    assert names(f"chair={chair.pk}") == ["Customer board"]
    assert names("q=customer") == ["Customer board", "Executive committee"]  # the purposes
    assert names("q=customer+board") == ["Customer board"]  # every word must match
    assert names("search=executive") == ["Executive committee"]
    assert names("ordering=-name") == ["Executive committee", "Customer board"]
    for query, field in (("active=maybe", "active"), ("chair=999999", "chair")):
        _assert_error(client.get(f"/api/v1/boards/?{query}"), 400, "invalid", field)


def test_board_retrieve(api_client_for, outsider, board):
    body = api_client_for(outsider).get(f"/api/v1/boards/{board.pk}/").json()
    assert (body["name"], body["cadence"], body["health"]["planned"]) == (
        "Customer board", "FREQ=WEEKLY;BYDAY=MO", 0,
    )  # fmt: skip


def _new_board(person, **changes):
    return {
        "name": "Service board", "chair": person.pk, "cadence": "FREQ=MONTHLY;BYDAY=1TU",
        "starts_on": "2026-01-06", "start_time": "10:00", **changes,
    }  # fmt: skip


def test_board_create(api_client_for, admin_user, chair, top, touchpoint):
    count = AuditEvent.objects.count()
    body = _new_board(
        chair, escalates_to=top.pk, scope_touchpoints=[touchpoint.pk],
        scope_stages=[touchpoint.stage_id], time_zone="Europe/Paris",
    )  # fmt: skip
    response = api_client_for(admin_user).post("/api/v1/boards/", body, format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["name"], row["time_zone"], row["escalates_to"]["id"]) == (
        "Service board", "Europe/Paris", top.pk,
    )  # fmt: skip
    assert (row["scope_touchpoints"], row["scope_stages"]) == (
        [touchpoint.pk], [touchpoint.stage_id],
    )  # fmt: skip
    assert row["members"] == []
    assert AuditEvent.objects.count() == count + 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"cadence": "FREQ=SOMETIMES"}, "cadence", ""),
        ({"chair": 999999}, "chair", "There is no person with the id 999999."),
        ({"chair": "dana"}, "chair", "Give the person's id"),
        ({"scope_touchpoints": [999999]}, "scope_touchpoints", "no touchpoint"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", ""),
        ({"duration_minutes": 1}, "duration_minutes", ""),
        ({"name": ""}, "name", ""),
    ],
)
def test_bad_board_input_is_400(api_client_for, admin_user, chair, changes, field, words):
    before = _state()
    response = api_client_for(admin_user).post(
        "/api/v1/boards/", _new_board(chair, **changes), format="json"
    )
    _assert_error(response, 400, "invalid", field)
    assert words in response.json()["detail"]
    assert _state() == before


def test_a_duplicate_board_name_is_409(api_client_for, admin_user, chair, board):
    response = api_client_for(admin_user).post(
        "/api/v1/boards/", _new_board(chair, name=board.name), format="json"
    )
    _assert_error(response, 409, "conflict")


def test_board_patch(api_client_for, board, chair, outsider, touchpoint):
    client = api_client_for(chair)
    other = TouchpointFactory(name="Checkout")
    response = client.patch(
        f"/api/v1/boards/{board.pk}/",
        {"purpose": "Decides the service journey.", "scope_touchpoints": [touchpoint.pk, other.pk]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["purpose"] == "Decides the service journey."
    assert sorted(response.json()["scope_touchpoints"]) == sorted([touchpoint.pk, other.pk])
    # who chairs it is the administrators' to change
    before = _state()
    response = client.patch(f"/api/v1/boards/{board.pk}/", {"chair": outsider.pk}, format="json")
    _assert_error(response, 403, "not_allowed")
    assert "administrator" in response.json()["detail"]
    assert _state() == before


# --- Memberships ---------------------------------------------------------------------------------


def test_membership_flow(api_client_for, board, chair, function, other_function):
    client = api_client_for(chair)
    person = UserFactory(first_name="New", last_name="Member")
    body = {"board": board.pk, "person": person.pk, "function": function.pk, "role": "core"}
    response = client.post("/api/v1/memberships/", body, format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["board"]["id"], row["person"]["name"], row["role"], row["is_current"]) == (
        board.pk, "New Member", "core", True,
    )  # fmt: skip
    # seated twice: a conflict
    before = _state()
    _assert_error(client.post("/api/v1/memberships/", body, format="json"), 409, "conflict")
    assert _state() == before
    # made a delegate, for another function
    url = f"/api/v1/memberships/{row['id']}/"
    response = client.patch(
        url, {"is_delegate": True, "function": other_function.slug and other_function.pk},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    assert (response.json()["is_delegate"], response.json()["function"]["name"]) == (
        True, "Operations",
    )  # fmt: skip
    # ended
    response = client.post(f"{url}end/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["ended_on"] == timezone.localdate().isoformat()
    _assert_error(client.post(f"{url}end/", {}, format="json"), 409, "conflict")


def test_membership_filters(api_client_for, outsider, board, board_member, board_delegate, chair):
    past = MembershipFactory(
        board=board, person=UserFactory(), function=FunctionFactory(name="Sales"),
        started_on=LONG_AGO, ended_on=date(2026, 2, 1),
    )  # fmt: skip
    client = api_client_for(outsider)

    def ids(query):
        response = client.get(f"/api/v1/memberships/?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    everyone = set(Membership.objects.values_list("pk", flat=True))
    assert ids(f"board={board.pk}") == everyone
    assert ids("current=false") == {past.pk}
    assert past.pk not in ids("current=true")
    core = set(Membership.objects.filter(role="core").values_list("pk", flat=True))
    assert ids("role=core") == core
    assert ids("function=sales") == {past.pk}
    assert ids(f"person={board_member.pk}") == {Membership.objects.get(person=board_member).pk}
    for query, field in (("role=boss", "role"), ("current=yes", "current"), ("board=x", "board")):
        _assert_error(client.get(f"/api/v1/memberships/?{query}"), 400, "invalid", field)


def test_bad_membership_input_is_400(api_client_for, chair, board, function):
    body = {"board": board.pk, "person": 999999, "function": function.pk}
    response = api_client_for(chair).post("/api/v1/memberships/", body, format="json")
    _assert_error(response, 400, "invalid", "person")
    assert "There is no person with the id 999999." in response.json()["errors"]["person"]


# --- Meetings ------------------------------------------------------------------------------------


def test_ad_hoc_meeting_create_and_clash(api_client_for, board, board_delegate):
    client = api_client_for(board_delegate)
    starts_at = (timezone.now() + timedelta(days=20)).replace(microsecond=0)
    body = {"board": board.pk, "starts_at": starts_at.isoformat(), "location": "Room 4"}
    response = client.post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["is_ad_hoc"], row["status"], row["location"], row["agenda"]) == (
        True, "scheduled", "Room 4", [],
    )  # fmt: skip
    assert row["minutes"]["board"] == "Customer board"
    # another one half an hour later clashes
    before = _state()
    body["starts_at"] = (starts_at + timedelta(minutes=30)).isoformat()
    response = client.post("/api/v1/meetings/", body, format="json")
    _assert_error(response, 409, "conflict", "starts_at")
    assert _state() == before
    # a time that is not a time
    body["starts_at"] = "next tuesday"
    response = client.post("/api/v1/meetings/", body, format="json")
    _assert_error(response, 400, "invalid", "starts_at")


def test_meeting_patch_cancel_and_hold(api_client_for, board, chair):
    client = api_client_for(chair)
    meeting = MeetingFactory(board=board)
    url = f"/api/v1/meetings/{meeting.pk}/"
    later = meeting.starts_at + timedelta(hours=2)
    response = client.patch(url, {"starts_at": later.isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["sequence"] == 1
    # holding a meeting that has not started
    _assert_error(client.post(f"{url}hold/"), 400, "invalid")
    # cancelling without a reason, then with one
    _assert_error(client.post(f"{url}cancel/", {}, format="json"), 400, "invalid", "reason")
    response = client.post(f"{url}cancel/", {"reason": "Nothing to decide."}, format="json")
    assert (response.json()["status"], response.json()["status_note"]) == (
        "cancelled", "Nothing to decide.",
    )  # fmt: skip
    response = client.post(f"{url}cancel/", {"reason": "Again."}, format="json")
    _assert_error(response, 409, "conflict")
    past = _past_meeting(board)
    response = client.post(f"/api/v1/meetings/{past.pk}/hold/")
    assert response.json()["status"] == "held"


def test_agenda_attendance_and_minutes(
    api_client_for, board, chair, board_delegate, board_member, admin_user, function_owner,
    touchpoint, function, other_function,
):  # fmt: skip
    conflict = _open_conflict(admin_user, function_owner, touchpoint, function, other_function)
    meeting = _past_meeting(board)
    url = f"/api/v1/meetings/{meeting.pk}/"
    client = api_client_for(board_delegate)
    # the agenda
    response = client.post(f"{url}agenda/", {"title": "KPIs", "duration_minutes": 20})
    assert response.status_code == 201, response.json()
    response = client.post(
        f"{url}agenda/", {"conflict": conflict.pk, "presenter": board_member.pk}, format="json"
    )
    agenda = response.json()["agenda"]
    assert [(i["title"], i["position"]) for i in agenda] == [
        ("KPIs", 0), (f"Conflict: {conflict}", 1),
    ]  # fmt: skip
    assert agenda[1]["touchpoint"]["id"] == touchpoint.pk
    assert agenda[1]["conflict"] == conflict.pk
    # attendance and quorum
    response = client.post(
        f"{url}attendance/", {"person": board_member.pk, "status": "present"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    rows = {row["person"]["name"]: row for row in body["attendance"]}
    assert set(rows) == {"Dana Chair", "Mem Ber", "Dele Gate"}
    assert (rows["Mem Ber"]["status"], rows["Mem Ber"]["is_core"]) == ("present", True)
    assert (rows["Dana Chair"]["membership"], rows["Dana Chair"]["status"]) == (None, "")
    assert body["quorum"] == {"core": 1, "present": 1, "needed": 1, "reached": True}
    _assert_error(
        client.post(f"{url}attendance/", {"person": board_member.pk, "status": "late"}),
        400, "invalid", "status",
    )  # fmt: skip
    # live minutes before approval
    body = client.get(url).json()
    assert [p["name"] for p in body["minutes"]["present"]] == ["Mem Ber"]
    assert body["minutes_approved_at"] is None
    # only the chair approves, once the meeting is held
    _assert_error(client.post(f"{url}approve-minutes/", {}), 403, "not_allowed")
    _assert_error(api_client_for(chair).post(f"{url}approve-minutes/", {}), 409, "conflict")
    assert client.post(f"{url}hold/").status_code == 200
    response = api_client_for(chair).post(
        f"{url}approve-minutes/", {"notes": "Pilot agreed."}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["minutes_approved_by"]["name"] == "Dana Chair"
    assert body["minutes"]["notes"] == "Pilot agreed."
    assert [a["title"] for a in body["minutes"]["agenda"]] == ["KPIs", f"Conflict: {conflict}"]
    # frozen: the record is closed, and what is shown is what was approved
    before = _state()
    _assert_error(
        client.post(f"{url}attendance/", {"person": board_member.pk, "status": "absent"}),
        409, "conflict",
    )  # fmt: skip
    assert _state() == before
    assert client.get(url).json()["minutes"] == body["minutes"]


def test_agenda_item_move_and_delete(api_client_for, board, chair, outsider):
    meeting = MeetingFactory(board=board)
    first = services.agenda_item_add(actor=chair, meeting=meeting, title="First")
    services.agenda_item_add(actor=chair, meeting=meeting, title="Second")
    client = api_client_for(chair)
    response = client.post(f"/api/v1/agenda-items/{first.pk}/move/", {"direction": "down"})
    assert response.status_code == 200, response.json()
    assert [i["title"] for i in response.json()] == ["Second", "First"]
    _assert_error(
        client.post(f"/api/v1/agenda-items/{first.pk}/move/", {"direction": "left"}),
        400, "invalid", "direction",
    )  # fmt: skip
    before = _state()
    _assert_error(api_client_for(outsider).delete(f"/api/v1/agenda-items/{first.pk}/"), 403,
                  "not_allowed")  # fmt: skip
    assert _state() == before
    assert client.delete(f"/api/v1/agenda-items/{first.pk}/").status_code == 204
    agenda = client.get(f"/api/v1/meetings/{meeting.pk}/").json()["agenda"]
    assert [i["title"] for i in agenda] == ["Second"]


def test_agenda_item_about_a_conflict_outside_the_scope_is_400(
    api_client_for, board, chair, admin_user, function_owner, function, other_function
):
    conflict = _open_conflict(
        admin_user, function_owner, TouchpointFactory(), function, other_function
    )
    meeting = MeetingFactory(board=board)
    before = _state()
    response = api_client_for(chair).post(
        f"/api/v1/meetings/{meeting.pk}/agenda/", {"conflict": conflict.pk}, format="json"
    )
    _assert_error(response, 400, "invalid", "conflict")
    assert "outside the scope" in response.json()["detail"]
    assert _state() == before


def test_meeting_filters(api_client_for, outsider, board, top, chair):
    upcoming = MeetingFactory(board=board)
    past = _past_meeting(board, status=Meeting.Status.HELD)
    other = MeetingFactory(board=top, starts_at=timezone.now() + timedelta(days=40))
    client = api_client_for(outsider)

    def ids(query):
        response = client.get(f"/api/v1/meetings/?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [past.pk, upcoming.pk, other.pk]
    assert ids("upcoming=true") == [upcoming.pk, other.pk]
    assert ids("upcoming=false") == [past.pk]
    assert ids(f"board={top.pk}") == [other.pk]
    assert ids("status=held") == [past.pk]
    day = timezone.localtime(upcoming.starts_at).date()
    assert ids(f"starts_after={day}&starts_before={day}") == [upcoming.pk]
    assert ids("ordering=-starts_at") == [other.pk, upcoming.pk, past.pk]
    for query, field in (
        ("starts_after=2026-02-30", "starts_after"), ("status=postponed", "status"),
        ("upcoming=soon", "upcoming"),
    ):  # fmt: skip
        _assert_error(client.get(f"/api/v1/meetings/?{query}"), 400, "invalid", field)


# --- Decisions -----------------------------------------------------------------------------------


def _open_conflict(admin, function_owner, touchpoint, function, other_function):
    charter_services.right_assign(
        actor=admin, touchpoint=touchpoint, right="design", function=other_function
    )
    claim = charter_services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function,
        rationale="Scripts are brand voice.",
    )  # fmt: skip
    return claim.conflict


def test_log_a_decision_with_facts(api_client_for, board, board_delegate, board_member, touchpoint):
    kpi = KpiFactory(touchpoint=touchpoint, name="First-call resolution", target=Decimal("80"))
    MeasurementFactory(kpi=kpi, period=date(2026, 10, 1), value=Decimal("62"))
    meeting = _past_meeting(board)
    due = timezone.localdate() + timedelta(days=30)
    body = {
        "board": board.pk, "meeting": meeting.pk, "title": "Rewrite the script",
        "rationale": "Resolution is off target.", "outcome": "Marketing rewrites it.",
        "owner": board_member.pk, "due_on": due.isoformat(), "kpis": [kpi.pk],
    }  # fmt: skip
    count = AuditEvent.objects.count()
    response = api_client_for(board_delegate).post("/api/v1/decisions/", body, format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["board"]["name"], row["meeting"], row["status"], row["is_overdue"]) == (
        "Customer board", meeting.pk, "open", False,
    )  # fmt: skip
    assert (row["owner"]["name"], row["due_on"], row["logged_by"]["name"]) == (
        "Mem Ber", due.isoformat(), "Dele Gate",
    )  # fmt: skip
    assert [t["name"] for t in row["touchpoints"]] == ["Call-centre script"]
    (fact,) = row["facts"]
    assert (fact["kpi"]["name"], fact["value"], fact["target"], fact["kpi_status"]) == (
        "First-call resolution", "62.0000", "80.0000", "off_target",
    )  # fmt: skip
    assert (row["conflict"], row["supersedes"], row["superseded_by"]) == (None, None, None)
    assert AuditEvent.objects.count() == count + 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"rationale": "   "}, "rationale"),
        ({"kpis": [999999]}, "kpis"),
        ({"kpis": "7"}, "kpis"),
        ({"board": 999999}, "board"),
        ({"owner": 999999}, "owner"),
        ({"due_on": "2020-01-01"}, "due_on"),
        ({"due_on": "soon"}, "due_on"),
        ({"winner": "FUNCTION"}, None),
    ],
)
def test_bad_decision_input_is_400(api_client_for, board, chair, function, changes, field):
    if changes.get("winner") == "FUNCTION":
        changes = {"winner": function.pk}
    body = {"board": board.pk, "title": "T", "rationale": "R", **changes}
    before = _state()
    response = api_client_for(chair).post("/api/v1/decisions/", body, format="json")
    _assert_error(response, 400, "invalid", field)
    assert _state() == before


def test_a_decision_resolves_a_conflict_in_scope(
    api_client_for, board, chair, admin_user, function_owner, touchpoint, function, other_function
):
    conflict = _open_conflict(admin_user, function_owner, touchpoint, function, other_function)
    body = {
        "board": board.pk, "title": "Marketing designs the script", "rationale": "Brand voice.",
        "conflict": conflict.pk, "winner": function.pk,
    }  # fmt: skip
    response = api_client_for(chair).post("/api/v1/decisions/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["conflict"] == {
        "id": conflict.pk, "touchpoint": touchpoint.pk, "right": "design", "status": "resolved",
        "winner": function.pk,
    }  # fmt: skip
    assert RightAssignment.objects.active().get().function == function
    # deciding it again clashes
    body["winner"] = other_function.pk
    before = _state()
    _assert_error(
        api_client_for(chair).post("/api/v1/decisions/", body, format="json"), 409, "conflict"
    )
    assert _state() == before


def test_a_chair_cannot_resolve_through_the_charter_api(
    api_client_for, board, chair, admin_user, function_owner, touchpoint, function, other_function
):
    conflict = _open_conflict(admin_user, function_owner, touchpoint, function, other_function)
    response = api_client_for(chair).post(
        f"/api/v1/conflicts/{conflict.pk}/resolve/",
        {"winner": function.pk, "rationale": "Brand voice."},
        format="json",
    )
    _assert_error(response, 403, "not_allowed")
    assert Conflict.objects.get().status == Conflict.Status.OPEN


def test_supersede_and_implemented(api_client_for, board, chair, board_member, touchpoint):
    old = _decision(board, chair, owner=board_member, touchpoints=[touchpoint])
    client = api_client_for(chair)
    response = client.post(
        f"/api/v1/decisions/{old.pk}/supersede/",
        {"title": "Shorter script, by May", "rationale": "The pilot needs time."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    new = response.json()
    assert (new["supersedes"], new["owner"]["name"], new["status"]) == (old.pk, "Mem Ber", "open")
    assert [t["id"] for t in new["touchpoints"]] == [touchpoint.pk]
    old_row = client.get(f"/api/v1/decisions/{old.pk}/").json()
    assert (old_row["status"], old_row["superseded_by"], old_row["title"]) == (
        "superseded", new["id"], "Shorter script",
    )  # fmt: skip
    before = _state()
    response = client.post(
        f"/api/v1/decisions/{old.pk}/supersede/", {"title": "Again", "rationale": "Again."}
    )
    _assert_error(response, 409, "conflict")
    _assert_error(client.post(f"/api/v1/decisions/{old.pk}/implemented/"), 409, "conflict")
    assert _state() == before
    # the owner says the new one is done
    response = api_client_for(board_member).post(f"/api/v1/decisions/{new['id']}/implemented/")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["implemented_by"]["name"]) == (
        "implemented", "Mem Ber",
    )  # fmt: skip


def test_decision_filters(api_client_for, outsider, board, chair, top, top_chair, board_member):
    today = timezone.localdate()
    soon = _decision(board, chair, title="Soon", due_on=today + timedelta(days=1))
    later = _decision(
        board, chair, title="Later", rationale="Budget", due_on=today + timedelta(days=60),
        owner=board_member,
    )  # fmt: skip
    undated = _decision(board, chair, title="Undated", outcome="Nothing due")
    theirs = _decision(top, top_chair, title="Theirs")
    done = _decision(board, chair, title="Done", due_on=today + timedelta(days=1))
    services.decision_mark_implemented(actor=chair, decision=done)
    client = api_client_for(outsider)

    def titles(query):
        response = client.get(f"/api/v1/decisions/?{query}")
        assert response.status_code == 200, response.json()
        return [row["title"] for row in response.json()["results"]]

    assert titles("") == ["Done", "Theirs", "Undated", "Later", "Soon"]  # newest first
    assert titles(f"board={top.pk}") == ["Theirs"]
    assert titles("status=implemented") == ["Done"]
    assert titles("status=overdue") == []
    assert titles(f"owner={board_member.pk}") == ["Later"]
    assert titles("q=budget") == ["Later"]
    assert titles("q=nothing due") == ["Undated"]
    assert titles("search=theirs") == ["Theirs"]
    in_a_week = today + timedelta(days=7)
    assert titles(f"due_before={in_a_week}") == ["Done", "Soon"]
    assert titles(f"due_after={in_a_week}") == ["Later"]
    # undated decisions come last whichever way the due dates run
    assert titles("ordering=due_on&status=open") == ["Soon", "Later", "Theirs", "Undated"]
    assert titles("ordering=-due_on&status=open") == ["Later", "Soon", "Theirs", "Undated"]
    assert titles("ordering=title") == ["Done", "Later", "Soon", "Theirs", "Undated"]
    # three days on, before the nightly job: "Soon" is overdue, not open
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert titles("status=overdue") == ["Soon"]
        assert titles("status=open") == ["Theirs", "Undated", "Later"]
        row = client.get(f"/api/v1/decisions/{soon.pk}/").json()
        assert (row["status"], row["is_overdue"]) == ("open", True)
    for query, field in (
        ("status=late", "status"), ("due_before=someday", "due_before"),
        ("owner=999999", "owner"), ("owner_function=nobody", "owner_function"),
        ("ordering=colour", "ordering"), ("meeting=x", "meeting"),
    ):  # fmt: skip
        _assert_error(client.get(f"/api/v1/decisions/?{query}"), 400, "invalid", field)
    assert later.pk and undated.pk and theirs.pk


# --- Escalations ---------------------------------------------------------------------------------


def test_escalation_raise_and_return(api_client_for, board, chair, top, top_chair):
    decision = _decision(board, chair)
    client = api_client_for(chair)
    response = client.post(
        "/api/v1/escalations/",
        {"board": board.pk, "decision": decision.pk, "reason": "Needs money."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["from_board"]["name"], row["to_board"]["name"], row["title"]) == (
        "Customer board", "Executive committee", "Shorter script",
    )  # fmt: skip
    assert (row["decision"], row["status"], row["is_open"]) == (decision.pk, "open", True)
    assert client.get(f"/api/v1/decisions/{decision.pk}/").json()["status"] == "escalated"
    url = f"/api/v1/escalations/{row['id']}/"
    # the board that raised it does not answer it
    _assert_error(client.post(f"{url}acknowledge/"), 403, "not_allowed")
    top_client = api_client_for(top_chair)
    response = top_client.post(f"{url}acknowledge/")
    assert (response.json()["status"], response.json()["acknowledged_by"]["name"]) == (
        "acknowledged", "Catherine Moreau",
    )  # fmt: skip
    _assert_error(top_client.post(f"{url}return/", {}), 400, "invalid", "response")
    response = top_client.post(f"{url}return/", {"response": "Find it in your budget."})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["response"]) == (
        "returned", "Find it in your budget.",
    )  # fmt: skip
    assert client.get(f"/api/v1/decisions/{decision.pk}/").json()["status"] == "open"


def test_escalation_resolve(api_client_for, board, chair, sub_board, sub_chair, board_member):
    escalation = services.escalation_raise(
        actor=sub_chair, board=sub_board, title="Chat pilot", reason="Beyond our remit."
    )
    url = f"/api/v1/escalations/{escalation.pk}/resolve/"
    client = api_client_for(chair)
    _assert_error(client.post(url, {}), 400, "invalid", "rationale")
    response = client.post(url, {"rationale": "Go ahead.", "owner": board_member.pk}, format="json")
    assert response.status_code == 200, response.json()
    row = response.json()
    assert (row["status"], row["closed_by"]["name"], row["response"]) == (
        "resolved", "Dana Chair", "Go ahead.",
    )  # fmt: skip
    decision = client.get(f"/api/v1/decisions/{row['resolution']}/").json()
    assert (decision["board"]["name"], decision["title"], decision["owner"]["name"]) == (
        "Customer board", "Chat pilot", "Mem Ber",
    )  # fmt: skip
    _assert_error(client.post(url, {"rationale": "Again."}), 409, "conflict")


@pytest.mark.parametrize("target", ["sub_board", "board", 999999])
def test_escalation_to_a_body_not_above_is_400(request, api_client_for, board, chair, target):
    target_id = target if isinstance(target, int) else request.getfixturevalue(target).pk
    before = _state()
    response = api_client_for(chair).post(
        "/api/v1/escalations/",
        {"board": board.pk, "title": "T", "reason": "R", "to_board": target_id},
        format="json",
    )
    _assert_error(response, 400, "invalid", "to_board")
    assert _state() == before


def test_the_top_board_cannot_escalate(api_client_for, top, top_chair):
    response = api_client_for(top_chair).post(
        "/api/v1/escalations/", {"board": top.pk, "title": "T", "reason": "R"}, format="json"
    )
    _assert_error(response, 400, "invalid")
    assert "top of the ladder" in response.json()["detail"]
    assert not Escalation.objects.exists()


def test_escalation_filters(
    api_client_for, board, chair, board_delegate, sub_board, sub_chair, top, top_chair
):
    to_board = services.escalation_raise(actor=sub_chair, board=sub_board, title="A", reason="R")
    to_top = services.escalation_raise(actor=chair, board=board, title="B", reason="R")
    answered = services.escalation_raise(actor=sub_chair, board=sub_board, title="C", reason="R")
    services.escalation_return(actor=chair, escalation=answered, response="No.")

    def titles(user, query):
        response = api_client_for(user).get(f"/api/v1/escalations/?{query}")
        assert response.status_code == 200, response.json()
        return [row["title"] for row in response.json()["results"]]

    assert titles(chair, "") == ["C", "B", "A"]
    assert titles(chair, "mine=true") == ["A"]
    assert titles(board_delegate, "mine=true") == ["A"]  # delegates lead too
    assert titles(top_chair, "mine=true") == ["B"]
    assert titles(sub_chair, "mine=true") == []
    assert titles(chair, "mine=false") == ["C", "B"]
    assert titles(chair, "open=true") == ["B", "A"]
    assert titles(chair, "open=false") == ["C"]
    assert titles(chair, "status=returned") == ["C"]
    assert titles(chair, f"from_board={sub_board.pk}") == ["C", "A"]
    assert titles(chair, f"to_board={top.pk}") == ["B"]
    assert titles(chair, "ordering=raised_at") == ["A", "B", "C"]
    client = api_client_for(chair)
    for query, field in (("status=lost", "status"), ("mine=1", "mine"), ("to_board=0", "to_board")):
        _assert_error(client.get(f"/api/v1/escalations/?{query}"), 400, "invalid", field)
    assert to_board.pk and to_top.pk


# --- Query budgets -------------------------------------------------------------------------------


def _populate(n, admin):
    """n boards under one top, each fully furnished: a chair, a delegate and a core member
    (of different functions), scope, a right held by an absent function (a gap), a past
    meeting with agenda and attendance, a decision with a KPI fact, an escalation."""
    top = Board.objects.get(name="Top")
    for _ in range(n):
        chair = UserFactory(function=FunctionFactory())
        board = BoardFactory(chair=chair, escalates_to=top)
        touchpoint = TouchpointFactory()
        board.scope_touchpoints.add(touchpoint)
        board.scope_stages.add(touchpoint.stage)
        charter_services.right_assign(
            actor=admin, touchpoint=touchpoint, right="design", function=FunctionFactory()
        )
        delegate = MembershipFactory(board=board, is_delegate=True, started_on=LONG_AGO).person
        member = MembershipFactory(board=board, role="core", started_on=LONG_AGO).person
        meeting = _past_meeting(board)
        services.agenda_item_add(actor=delegate, meeting=meeting, title="KPIs", presenter=member)
        services.attendance_record(actor=chair, meeting=meeting, person=member, status="present")
        kpi = KpiFactory(touchpoint=touchpoint)
        MeasurementFactory(kpi=kpi)
        decision = services.decision_log(
            actor=chair, board=board, meeting=meeting, title="T", rationale="R", owner=member,
            owner_function=member.board_memberships.get().function, kpis=[kpi],
            touchpoints=[touchpoint], due_on=timezone.localdate() + timedelta(days=9),
        )  # fmt: skip
        services.decision_mark_implemented(actor=chair, decision=decision)
        services.escalation_raise(actor=delegate, board=board, title="E", reason="R")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response.json()


# Pinned, so a change that adds a query to a list shows here first. Each count includes the
# page's COUNT(*); the test client signs in with force_authenticate (no session queries).
QUERY_BUDGET = {
    # page, scope (2), current members, and board health for the whole page (12)
    "/api/v1/boards/": 16,
    "/api/v1/memberships/": 2,
    # page, agenda, attendance recorded, and the members expected at every meeting (1)
    "/api/v1/meetings/": 5,
    # page, touchpoints, facts
    "/api/v1/decisions/": 4,
    "/api/v1/escalations/": 2,
}


@pytest.mark.parametrize("url", sorted(QUERY_BUDGET))
def test_list_query_count_is_constant(api_client_for, admin_user, url):
    BoardFactory(name="Top")
    client = api_client_for(UserFactory())
    _populate(3, admin_user)
    small, body = _count(client, url)
    assert body["count"] >= 3
    _populate(27, admin_user)
    large, body = _count(client, url)
    assert body["count"] >= 30
    assert len(body["results"]) >= 30
    assert small == large == QUERY_BUDGET[url]


def test_board_detail_and_meeting_detail_queries_do_not_grow(api_client_for, admin_user):
    BoardFactory(name="Top")
    client = api_client_for(UserFactory())
    _populate(1, admin_user)
    board = Board.objects.exclude(name="Top").get()
    meeting = Meeting.objects.get()
    board_small, _ = _count(client, f"/api/v1/boards/{board.pk}/")
    meeting_small, _ = _count(client, f"/api/v1/meetings/{meeting.pk}/")
    for _ in range(5):
        MembershipFactory(board=board, role="core", started_on=LONG_AGO)
        services.agenda_item_add(actor=board.chair, meeting=meeting, title="More")
    assert _count(client, f"/api/v1/boards/{board.pk}/")[0] == board_small
    assert _count(client, f"/api/v1/meetings/{meeting.pk}/")[0] == meeting_small
    assert DecisionFact.objects.count() == 1
