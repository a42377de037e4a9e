"""The charter API: who may do what (roles by actions), the claim flows, errors and budgets."""

from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charter import services
from charter.models import Claim, Conflict, RightAssignment
from charter.tests.factories import ClaimFactory
from engagement.audit.models import AuditEvent
from engagement.org.tests.factories import FunctionFactory, UserFactory
from touchpoints.tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def touchpoint():
    return TouchpointFactory(name="Call-centre script")


@pytest.fixture
def other_head(other_function):
    """The head of Operations: acts for a function, but not for Marketing."""
    head = UserFactory(function=other_function)
    other_function.head = head
    other_function.save()
    return head


def _state():
    """Everything an action could change, to compare before and after a refusal."""
    return (
        list(RightAssignment.objects.values_list("pk", "function_id", "ended_at").order_by("pk")),
        list(Claim.objects.values_list("pk", "status", "decided_at").order_by("pk")),
        list(Conflict.objects.values_list("pk", "status", "winner_id").order_by("pk")),
        AuditEvent.objects.count(),
    )


def _verbs_since(count):
    return list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True)[count:])


# --- Setting the scene for each action, through the services --------------------------------


def _held_by_marketing(admin, touchpoint, function):
    return services.right_assign(
        actor=admin, touchpoint=touchpoint, right="design", function=function
    )


def _pending_claim(settings, function_owner, touchpoint, function):
    settings.CHARTER_CLAIMS_NEED_APPROVAL = True
    return services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function
    )


def _conflict(admin, function_owner, touchpoint, function, other_function):
    services.right_assign(
        actor=admin, touchpoint=touchpoint, right="design", function=other_function
    )
    claim = services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function,
        rationale="Marketing writes the scripts.",
    )  # fmt: skip
    return claim.conflict


ROLES = (
    "executive",
    "function_owner",
    "delegate",
    "member",
    "outsider",
    "admin_user",
    "other_head",
)

ALLOWED = {
    "claim": {"function_owner", "delegate"},
    "release": {"function_owner", "delegate", "admin_user"},
    "approve": {"executive", "admin_user"},
    "reject": {"executive", "admin_user"},
    "withdraw": {"function_owner", "delegate", "admin_user"},
    "resolve": {"executive", "admin_user"},
}


@pytest.fixture
def scene(settings, admin_user, function_owner, delegate, touchpoint, function, other_function):
    """Builds the state an action needs and returns (method, url, body, expected status)."""

    def build(action):
        if action == "claim":
            body = {"touchpoint": touchpoint.pk, "right": "build", "function": function.pk}
            return "/api/v1/claims/", body, 201
        if action == "release":
            assignment = _held_by_marketing(admin_user, touchpoint, function)
            return f"/api/v1/rights/{assignment.pk}/release/", {}, 200
        if action in ("approve", "reject", "withdraw"):
            claim = _pending_claim(settings, function_owner, touchpoint, function)
            return f"/api/v1/claims/{claim.pk}/{action}/", {"note": "Decided."}, 200
        conflict = _conflict(admin_user, function_owner, touchpoint, function, other_function)
        body = {"winner": function.pk, "rationale": "Brand voice."}
        return f"/api/v1/conflicts/{conflict.pk}/resolve/", body, 200

    return build


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_permission_matrix(request, api_client_for, scene, action, role, other_head):
    # given
    url, body, success = scene(action)
    user = request.getfixturevalue(role)
    before = _state()
    # when
    response = api_client_for(user).post(url, body, format="json")
    # then
    if role in ALLOWED[action]:
        assert response.status_code == success, response.json()
        assert _state() != before
    else:
        assert response.status_code == 403, response.json()
        assert response.json()["code"] == "not_allowed"
        assert _state() == before


def test_anonymous_is_401(api_client, touchpoint, function):
    response = api_client.post(
        "/api/v1/claims/", {"touchpoint": touchpoint.pk, "right": "design", "function": 1}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/rights/999999/release/",
        "/api/v1/claims/999999/approve/",
        "/api/v1/claims/999999/reject/",
        "/api/v1/claims/999999/withdraw/",
        "/api/v1/conflicts/999999/resolve/",
    ],
)
def test_unknown_ids_are_404(api_client_for, admin_user, url, function):
    body = {"note": "x", "winner": function.pk, "rationale": "x"}
    response = api_client_for(admin_user).post(url, body, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_detail_is_404(api_client_for, member):
    client = api_client_for(member)
    for url in ("/api/v1/rights/999999/", "/api/v1/claims/999999/", "/api/v1/conflicts/999999/"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"right": "own"}, "right"),
        ({"function": 999999}, "function"),
        ({"touchpoint": 999999}, "touchpoint"),
        ({"right": None}, "right"),
    ],
)
def test_bad_claim_input_is_400(
    api_client_for, function_owner, touchpoint, function, change, field
):
    body = {"touchpoint": touchpoint.pk, "right": "design", "function": function.pk, **change}
    before = _state()
    response = api_client_for(function_owner).post("/api/v1/claims/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert _state() == before


def test_claim_on_an_archived_touchpoint_is_400(api_client_for, function_owner, function):
    archived = TouchpointFactory(is_archived=True)
    body = {"touchpoint": archived.pk, "right": "design", "function": function.pk}
    response = api_client_for(function_owner).post("/api/v1/claims/", body, format="json")
    assert response.status_code == 400
    assert "archived" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"winner": "FUNCTION", "rationale": ""}, "rationale"),
        ({"winner": "FUNCTION"}, "rationale"),
        ({"winner": 999999, "rationale": "Because."}, "winner"),
        ({"winner": "THIRD", "rationale": "Because."}, "winner"),
        ({"rationale": "Because."}, "winner"),
    ],
)
def test_bad_resolve_input_is_400(
    api_client_for, executive, admin_user, function_owner, touchpoint, function, other_function,
    body, field,
):  # fmt: skip
    conflict = _conflict(admin_user, function_owner, touchpoint, function, other_function)
    third = FunctionFactory(name="Sales")
    winner = {"FUNCTION": function.pk, "THIRD": third.pk}.get(
        body.get("winner"), body.get("winner")
    )
    body = {**body, "winner": winner} if "winner" in body else body
    before = _state()
    response = api_client_for(executive).post(
        f"/api/v1/conflicts/{conflict.pk}/resolve/", body, format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert _state() == before


def test_reject_needs_a_note(
    api_client_for, settings, executive, function_owner, touchpoint, function
):
    claim = _pending_claim(settings, function_owner, touchpoint, function)
    response = api_client_for(executive).post(f"/api/v1/claims/{claim.pk}/reject/", {})
    assert response.status_code == 400
    assert "note" in response.json()["errors"]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PENDING


def test_claiming_a_right_the_function_holds_is_409(
    api_client_for, admin_user, function_owner, touchpoint, function
):
    _held_by_marketing(admin_user, touchpoint, function)
    body = {"touchpoint": touchpoint.pk, "right": "design", "function": function.pk}
    before = _state()
    response = api_client_for(function_owner).post("/api/v1/claims/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert _state() == before


def test_a_second_open_claim_is_409(api_client_for, settings, function_owner, touchpoint, function):
    _pending_claim(settings, function_owner, touchpoint, function)
    body = {"touchpoint": touchpoint.pk, "right": "design", "function": function.pk}
    before = _state()
    response = api_client_for(function_owner).post("/api/v1/claims/", body, format="json")
    assert response.status_code == 409
    assert _state() == before


def test_approving_a_decided_claim_is_409(
    api_client_for, settings, executive, function_owner, touchpoint, function
):
    claim = _pending_claim(settings, function_owner, touchpoint, function)
    client = api_client_for(executive)
    assert client.post(f"/api/v1/claims/{claim.pk}/approve/", {}).status_code == 200
    before = _state()
    for verb in ("approve", "reject", "withdraw"):
        response = client.post(f"/api/v1/claims/{claim.pk}/{verb}/", {"note": "Again."})
        assert response.status_code == 409, verb
    assert _state() == before


def test_releasing_an_ended_right_is_409(
    api_client_for, admin_user, function_owner, touchpoint, function
):
    assignment = _held_by_marketing(admin_user, touchpoint, function)
    client = api_client_for(function_owner)
    assert client.post(f"/api/v1/rights/{assignment.pk}/release/").status_code == 200
    assert client.post(f"/api/v1/rights/{assignment.pk}/release/").status_code == 409


# --- Flows ---------------------------------------------------------------------------------------


def test_claiming_a_vacant_right_grants_it(api_client_for, function_owner, touchpoint, function):
    count = AuditEvent.objects.count()
    client = api_client_for(function_owner)
    body = {"touchpoint": touchpoint.pk, "right": "design", "function": function.pk,
            "rationale": "We write it."}  # fmt: skip
    response = client.post("/api/v1/claims/", body, format="json")
    assert response.status_code == 201
    claim = response.json()
    assert (claim["status"], claim["conflict"], claim["rationale"]) == (
        "granted",
        None,
        "We write it.",
    )
    assert claim["function"]["slug"] == "marketing"
    rights = client.get(f"/api/v1/rights/?touchpoint={touchpoint.pk}&active=true").json()
    assert [(r["right"], r["function"]["name"]) for r in rights["results"]] == [
        ("design", "Marketing")
    ]
    assert _verbs_since(count) == ["claim.submitted", "right.granted"]


def test_with_approval_a_claim_waits_and_is_approved(
    api_client_for, settings, function_owner, executive, touchpoint, function
):
    settings.CHARTER_CLAIMS_NEED_APPROVAL = True
    body = {"touchpoint": touchpoint.pk, "right": "design", "function": function.pk}
    count = AuditEvent.objects.count()
    claim = api_client_for(function_owner).post("/api/v1/claims/", body, format="json").json()
    assert claim["status"] == "pending"
    assert not RightAssignment.objects.exists()

    response = api_client_for(executive).post(
        f"/api/v1/claims/{claim['id']}/approve/", {"note": "Fine."}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_note"]) == ("granted", "Fine.")
    assert RightAssignment.objects.active().get().function == function
    assert _verbs_since(count) == ["claim.submitted", "claim.approved", "right.granted"]


def test_with_approval_a_claim_can_be_rejected(
    api_client_for, settings, function_owner, executive, touchpoint, function
):
    claim = _pending_claim(settings, function_owner, touchpoint, function)
    count = AuditEvent.objects.count()
    response = api_client_for(executive).post(
        f"/api/v1/claims/{claim.pk}/reject/", {"note": "Operations runs it."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert not RightAssignment.objects.exists()
    assert _verbs_since(count) == ["claim.rejected"]


def test_withdrawing_a_claim(
    api_client_for, settings, function_owner, delegate, touchpoint, function
):
    claim = _pending_claim(settings, function_owner, touchpoint, function)
    count = AuditEvent.objects.count()
    response = api_client_for(delegate).post(f"/api/v1/claims/{claim.pk}/withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert _verbs_since(count) == ["claim.withdrawn"]


def test_claiming_a_held_right_opens_a_conflict_resolved_for_the_claimant(
    api_client_for, admin_user, function_owner, executive, touchpoint, function, other_function
):
    # given Operations holds the right
    services.right_assign(
        actor=admin_user, touchpoint=touchpoint, right="design", function=other_function
    )
    count = AuditEvent.objects.count()
    # when Marketing claims it
    body = {"touchpoint": touchpoint.pk, "right": "design", "function": function.pk,
            "rationale": "Scripts are brand voice."}  # fmt: skip
    claim = api_client_for(function_owner).post("/api/v1/claims/", body, format="json").json()
    # then a conflict is open, and the right stays with Operations meanwhile
    assert claim["status"] == "contested"
    conflict_id = claim["conflict"]
    conflict = api_client_for(executive).get(f"/api/v1/conflicts/{conflict_id}/").json()
    assert (conflict["status"], conflict["holder_function"]["name"]) == ("open", "Operations")
    assert _verbs_since(count) == ["claim.submitted", "conflict.opened"]

    # when the executive decides for Marketing
    count = AuditEvent.objects.count()
    response = api_client_for(executive).post(
        f"/api/v1/conflicts/{conflict_id}/resolve/",
        {"winner": function.pk, "rationale": "Brand voice is Marketing's."},
        format="json",
    )
    # then the right moves to Marketing, and the history shows both holders
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["winner"]["name"]) == (
        "resolved",
        "Marketing",
    )
    history = (
        api_client_for(executive)
        .get(f"/api/v1/rights/?touchpoint={touchpoint.pk}&right=design&ordering=started_at")
        .json()["results"]
    )
    assert [(h["function"]["name"], h["is_active"], h["end_reason"]) for h in history] == [
        ("Operations", False, "transferred"),
        ("Marketing", True, ""),
    ]
    assert Claim.objects.get(pk=claim["id"]).status == Claim.Status.GRANTED
    assert _verbs_since(count) == [
        "right.ended", "right.granted", "claim.granted", "conflict.resolved",
    ]  # fmt: skip


def test_conflict_resolved_for_the_holder_rejects_the_claim(
    api_client_for, admin_user, function_owner, executive, touchpoint, function, other_function
):
    conflict = _conflict(admin_user, function_owner, touchpoint, function, other_function)
    count = AuditEvent.objects.count()
    response = api_client_for(executive).post(
        f"/api/v1/conflicts/{conflict.pk}/resolve/",
        {"winner": other_function.pk, "rationale": "Operations runs the call centre."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["winner"]["name"] == "Operations"
    assert RightAssignment.objects.active().get().function == other_function
    assert RightAssignment.objects.count() == 1
    assert Claim.objects.get().status == Claim.Status.REJECTED
    assert _verbs_since(count) == ["claim.rejected", "conflict.resolved"]


def test_release_makes_the_right_vacant(api_client_for, admin_user, delegate, touchpoint, function):
    assignment = _held_by_marketing(admin_user, touchpoint, function)
    count = AuditEvent.objects.count()
    response = api_client_for(delegate).post(f"/api/v1/rights/{assignment.pk}/release/")
    assert response.status_code == 200
    assert (response.json()["is_active"], response.json()["end_reason"]) == (False, "released")
    assert not RightAssignment.objects.active().exists()
    assert _verbs_since(count) == ["right.released"]
    coverage = api_client_for(delegate).get("/api/v1/charter/coverage/").json()
    assert (coverage["held"], coverage["vacant"]) == (0, 4)


def test_as_of_shows_past_holders(api_client_for, function_owner, touchpoint, function):
    with time_machine.travel(timezone.make_aware(datetime(2026, 1, 10, 12)), tick=False):
        services.right_claim(
            actor=function_owner, touchpoint=touchpoint, right="design", function=function
        )
    with time_machine.travel(timezone.make_aware(datetime(2026, 2, 1, 12)), tick=False):
        services.right_release(actor=function_owner, assignment=RightAssignment.objects.get())
    client = api_client_for(function_owner)

    def holders(day):
        rows = client.get(f"/api/v1/rights/?as_of={day}").json()["results"]
        return [r["function"]["name"] for r in rows]

    assert holders("2026-01-09") == []
    assert holders("2026-01-10") == ["Marketing"]  # the end of the day it was granted
    assert holders("2026-01-31") == ["Marketing"]
    assert holders("2026-02-01") == []
    response = client.get("/api/v1/rights/?as_of=2026-02-30")
    assert response.status_code == 400
    assert "as_of" in response.json()["errors"]


# --- Lists: filters, search, ordering and query budgets -------------------------------------------


def test_lists_filter_by_function_id_or_slug(
    api_client_for, admin_user, function_owner, touchpoint, function, other_function
):
    conflict = _conflict(admin_user, function_owner, touchpoint, function, other_function)
    client = api_client_for(function_owner)
    for value in (function.pk, function.slug):
        assert client.get(f"/api/v1/claims/?function={value}").json()["count"] == 1
        # either side of a conflict
        assert client.get(f"/api/v1/conflicts/?function={value}").json()["count"] == 1
    by_holder = client.get(f"/api/v1/conflicts/?function={other_function.slug}").json()
    assert [c["id"] for c in by_holder["results"]] == [conflict.pk]
    rights = client.get(f"/api/v1/rights/?function={other_function.pk}").json()
    assert rights["count"] == 1
    assert client.get("/api/v1/rights/?function=no-such-function").status_code == 400
    assert client.get("/api/v1/claims/?status=contested").json()["count"] == 1
    assert client.get("/api/v1/claims/?status=granted").json()["count"] == 0
    assert client.get("/api/v1/conflicts/?status=open&right=design").json()["count"] == 1
    assert client.get("/api/v1/claims/?search=call-centre").json()["count"] == 1
    assert client.get("/api/v1/claims/?search=nothing-like-it").json()["count"] == 0


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), response.json()


def _populate(n, admin):
    """n touchpoints, each with a held right, a contested claim and its conflict, a granted
    claim and a past assignment."""
    functions = [FunctionFactory(head=UserFactory()) for _ in range(2)]
    for _ in range(n):
        tp = TouchpointFactory()
        services.right_assign(actor=admin, touchpoint=tp, right="design", function=functions[0])
        services.right_assign(actor=admin, touchpoint=tp, right="design", function=functions[1])
        services.right_claim(
            actor=functions[0].head, touchpoint=tp, right="design", function=functions[0]
        )
        services.right_claim(
            actor=functions[0].head, touchpoint=tp, right="build", function=functions[0]
        )


@pytest.mark.parametrize(
    ("url", "rows_per_touchpoint"),
    [
        ("/api/v1/rights/", 3),
        ("/api/v1/claims/", 2),
        ("/api/v1/conflicts/", 1),
        ("/api/v1/charter/coverage/", None),
    ],
)
def test_list_query_count_is_constant(api_client_for, admin_user, url, rows_per_touchpoint):
    client = api_client_for(UserFactory())
    _populate(3, admin_user)
    small, body = _count_queries(client, url)
    _populate(27, admin_user)
    large, body = _count_queries(client, url)
    if rows_per_touchpoint:
        assert body["count"] == 30 * rows_per_touchpoint
    assert small == large


def test_coverage_figures(
    api_client_for, admin_user, function_owner, touchpoint, function, other_function
):
    TouchpointFactory(status="retired")  # not counted
    _conflict(admin_user, function_owner, touchpoint, function, other_function)
    services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="build", function=function
    )
    ClaimFactory(touchpoint=touchpoint, right="operate", function=function)  # pending
    body = api_client_for(function_owner).get("/api/v1/charter/coverage/").json()
    assert body["touchpoints"] == 1
    assert (body["rights_total"], body["held"], body["vacant"]) == (4, 2, 2)
    assert (body["contested"], body["pending_claims"], body["share"]) == (1, 1, 0.5)
    assert {r["right"]: r["held"] for r in body["by_right"]} == {
        "design": 1, "build": 1, "operate": 0, "update": 0,
    }  # fmt: skip
    loads = {f["slug"]: (f["held"], f["design"], f["build"]) for f in body["functions"]}
    assert loads == {"operations": (1, 1, 0), "marketing": (1, 0, 1)}


def test_lists_are_read_only(api_client_for, admin_user):
    client = api_client_for(admin_user)
    assert client.post("/api/v1/rights/", {}).status_code == 405
    assert client.post("/api/v1/conflicts/", {}).status_code == 405
    assert client.delete("/api/v1/claims/1/").status_code == 405
