"""The boards' lists as the dashboard drills into them, and their CSV exports: each filter
narrows the list (and the API, which shares the FilterSet), the export has exactly the rows
the list shows under the same filters, and a bad filter is a 400 that names it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from boards import services
from boards.models import Decision
from boards.tests.factories import BoardFactory
from charter import services as charter_services
from engagement.org.tests.factories import FunctionFactory, UserFactory
from touchpoints.tests.factories import JourneyStageFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

DECISIONS = reverse("boards:decision_list")
DECISION_EXPORT = reverse("boards:decision_export")
ESCALATIONS = reverse("boards:escalation_inbox")
ESCALATION_EXPORT = reverse("boards:escalation_export")
BOARDS = reverse("boards:board_list")
BOARD_EXPORT = reverse("boards:board_export")

DECISION_EXPORT_QUERIES = 5  # session, user, the board filtered on, decisions, touchpoints
ESCALATION_EXPORT_QUERIES = 3  # session, user, escalations
BOARD_EXPORT_QUERIES = 3  # session, user, boards with their counts


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
    return sorted(str(row) for row in response.context["page"].object_list)


# --- The scene ---------------------------------------------------------------------------------


@pytest.fixture
def consider():
    return JourneyStageFactory(name="Consider", position=0)


@pytest.fixture
def web_form(consider):
    """A touchpoint at another stage than ``touchpoint`` (at "Buy")."""
    return TouchpointFactory(name="Web form", stage=consider)


@pytest.fixture
def decisions(chair, top, top_chair, board, touchpoint, web_form, function, other_function):
    """Three decisions: one of ``board`` overdue, owned by Marketing, about the call-centre
    script (twice: two touchpoints at "Buy"); one of ``board`` due next month, owned by
    Operations, about the web form; one of ``top``, no owner function, no touchpoint."""
    second_script = TouchpointFactory(name="Second script", stage=touchpoint.stage)
    late = services.decision_log(
        actor=chair, board=board, title="Shorter call scripts", rationale="Calls run long.",
        owner_function=function, due_on=_today() + timedelta(days=1),
        touchpoints=[touchpoint, second_script],
    )  # fmt: skip
    Decision.objects.filter(pk=late.pk).update(due_on=_today() - timedelta(days=3))
    services.decision_log(
        actor=chair, board=board, title="Simpler web form", rationale="Drop-outs.",
        owner_function=other_function, due_on=_today() + timedelta(days=30),
        touchpoints=[web_form],
    )  # fmt: skip
    services.decision_log(actor=top_chair, board=top, title="Budget for service", rationale="R")
    return Decision.objects.order_by("pk")


# --- Decision log: the dashboard's parameters and the new ones -----------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=overdue", ["Shorter call scripts"]),
        ("owner_function={function}", ["Shorter call scripts"]),
        ("board={board}", ["Shorter call scripts", "Simpler web form"]),
        ("board={top}", ["Budget for service"]),
        ("stage=buy", ["Shorter call scripts"]),
        ("stage=consider", ["Simpler web form"]),
        ("q=web+form", ["Simpler web form"]),
        ("status=overdue&board={board}&owner_function={function}", ["Shorter call scripts"]),
    ],
)
def test_decision_list_filters(client, member, decisions, board, top, function, query, expected):
    client.force_login(member)
    query = query.format(board=board.pk, top=top.pk, function=function.slug)
    assert _titles(client.get(f"{DECISIONS}?{query}")) == expected
    # The API shares the FilterSet.
    client.force_login(member)
    body = client.get(f"/api/v1/decisions/?{query}").json()
    assert sorted(row["title"] for row in body["results"]) == expected


def test_decision_list_refuses_an_unknown_stage(client, member, decisions):
    client.force_login(member)
    response = client.get(DECISIONS + "?stage=nowhere")
    assert response.status_code == 400
    assert "Unknown journey stage." in response.content.decode()
    api = client.get("/api/v1/decisions/?stage=nowhere")
    assert api.status_code == 400 and "stage" in api.json()["errors"]


@pytest.mark.parametrize("value", ["9" * 30, "1.5", "0"])
def test_a_meeting_id_the_database_cannot_hold_is_a_400(client, member, value):
    client.force_login(member)
    for url in (DECISIONS, DECISION_EXPORT, "/api/v1/decisions/"):
        assert client.get(url, {"meeting": value}).status_code == 400, url


def test_decision_export_has_the_rows_the_list_shows(client, member, decisions, board):
    client.force_login(member)
    page = client.get(DECISIONS + "?status=overdue").content.decode()
    assert DECISION_EXPORT + "?status=overdue" in page  # the list's link carries its filters
    header, *rows = _csv(client.get(DECISION_EXPORT + "?status=overdue"))
    assert header == [
        "id", "board", "title", "status", "overdue", "owner", "owner function", "due on",
        "logged at", "taken in the meeting of", "touchpoints", "supersedes", "superseded by",
        "outcome", "link",
    ]  # fmt: skip
    (row,) = rows
    assert row[1:5] == ["Customer board", "Shorter call scripts", "Open", "yes"]
    assert row[6] == "Marketing" and row[7] == (_today() - timedelta(days=3)).isoformat()
    assert row[10] == "Call-centre script; Second script"
    assert row[-1].endswith(reverse("boards:decision_detail", kwargs={"pk": int(row[0])}))
    _, *everything = _csv(client.get(DECISION_EXPORT))
    assert len(everything) == 3  # every row, not one page


def test_decision_export_refuses_bad_filters_and_strangers(client, member, decisions):
    client.force_login(member)
    response = client.get(DECISION_EXPORT + "?due_before=someday&board=999999")
    assert response.status_code == 400
    text = response.content.decode()
    assert "cannot be exported" in text and "Unknown board." in text and "due_before" in text
    client.logout()
    response = client.get(DECISION_EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("size", [3, 30])
def test_decision_export_query_count(
    client, chair, board, touchpoint, size, django_assert_num_queries
):
    for i in range(size):
        services.decision_log(
            actor=chair, board=board, title=f"Decision {i}", rationale="R",
            touchpoints=[touchpoint],
        )  # fmt: skip
    client.force_login(chair)
    with django_assert_num_queries(DECISION_EXPORT_QUERIES):
        rows = _csv(client.get(DECISION_EXPORT + f"?board={board.pk}"))
    assert len(rows) == size + 1


# --- Escalations ---------------------------------------------------------------------------------


@pytest.fixture
def conflict(admin_user, function_owner, touchpoint, function, other_function):
    """Operations builds the call-centre script; Marketing claims the right."""
    charter_services.right_assign(
        actor=admin_user, touchpoint=touchpoint, right="build", function=other_function
    )
    claim = charter_services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="build", function=function,
        rationale="Scripts are brand voice.",
    )  # fmt: skip
    return claim.conflict


@pytest.fixture
def escalations(chair, board, top, sub_board, sub_chair, web_form, conflict, decisions):
    """Three escalations: the web-form decision (Operations, "Consider") from ``board`` to
    ``top``; the conflict (Marketing against Operations, "Buy") from ``board`` to ``top``,
    acknowledged then sent back; and a decision of the working group with no function or
    touchpoint, to ``board``."""
    web = decisions.get(title="Simpler web form")
    services.escalation_raise(actor=chair, board=board, reason="Needs budget.", decision=web)
    sent_back = services.escalation_raise(
        actor=chair, board=board, reason="Cannot agree.", conflict=conflict,
        title="Who builds the script",
    )  # fmt: skip
    services.escalation_return(
        actor=top.chair, escalation=sent_back, response="Decide it yourselves."
    )
    own = services.decision_log(actor=sub_chair, board=sub_board, title="Chat hours", rationale="R")
    services.escalation_raise(actor=sub_chair, board=sub_board, reason="Staffing.", decision=own)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("open=true", ["Chat hours", "Simpler web form"]),
        ("open=false", ["Who builds the script"]),
        ("to_board={top}", ["Simpler web form", "Who builds the script"]),
        ("from_board={board}", ["Simpler web form", "Who builds the script"]),
        ("to_board={board}", ["Chat hours"]),
        ("function=operations", ["Simpler web form", "Who builds the script"]),
        ("function=marketing", ["Who builds the script"]),
        ("stage=buy", ["Who builds the script"]),
        ("stage=consider", ["Simpler web form"]),
        ("open=true&to_board={top}&stage=consider", ["Simpler web form"]),
    ],
)
def test_escalation_inbox_filters(client, member, escalations, board, top, query, expected):
    client.force_login(member)
    query = query.format(board=board.pk, top=top.pk)
    assert _titles(client.get(f"{ESCALATIONS}?{query}")) == expected
    body = client.get(f"/api/v1/escalations/?{query}").json()
    assert sorted(row["title"] for row in body["results"]) == expected


def test_escalation_inbox_refuses_unknown_function_and_stage(client, member, escalations):
    client.force_login(member)
    response = client.get(ESCALATIONS + "?function=nobody&stage=nowhere")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Unknown function." in page and "Unknown journey stage." in page
    api = client.get("/api/v1/escalations/?function=nobody")
    assert api.status_code == 400 and "function" in api.json()["errors"]


def test_escalation_export_has_the_rows_the_inbox_lists(client, member, escalations, top):
    client.force_login(member)
    page = client.get(ESCALATIONS + f"?open=true&to_board={top.pk}").content.decode()
    assert ESCALATION_EXPORT + f"?open=true&amp;to_board={top.pk}" in page
    header, *rows = _csv(client.get(ESCALATION_EXPORT + f"?open=true&to_board={top.pk}"))
    assert header == [
        "id", "subject", "about", "from board", "to body", "status", "raised at", "raised by",
        "reason", "acknowledged at", "decided or sent back at", "response", "link",
    ]  # fmt: skip
    (row,) = rows
    assert row[1:6] == [
        "Simpler web form", "Decision: Simpler web form", "Customer board",
        "Executive committee", "Waiting",
    ]  # fmt: skip
    assert row[7] == "Dana Chair" and row[8] == "Needs budget."
    _, *sent_back = _csv(client.get(ESCALATION_EXPORT + "?open=false"))
    assert sent_back[0][2].startswith("Conflict #") and sent_back[0][11] == "Decide it yourselves."


def test_escalation_export_refuses_bad_filters(client, member, escalations):
    client.force_login(member)
    response = client.get(ESCALATION_EXPORT + "?open=maybe")
    assert response.status_code == 400
    assert "open:" in response.content.decode()
    client.logout()
    assert client.get(ESCALATION_EXPORT).status_code == 302


@pytest.mark.parametrize("size", [3, 30])
def test_escalation_export_query_count(
    client, sub_chair, sub_board, size, django_assert_num_queries
):
    for i in range(size):
        decision = services.decision_log(
            actor=sub_chair, board=sub_board, title=f"Decision {i}", rationale="R"
        )
        services.escalation_raise(actor=sub_chair, board=sub_board, reason="Why", decision=decision)
    client.force_login(sub_chair)
    with django_assert_num_queries(ESCALATION_EXPORT_QUERIES):
        rows = _csv(client.get(ESCALATION_EXPORT + "?open=true"))
    assert len(rows) == size + 1


# --- Boards ------------------------------------------------------------------------------------


@pytest.fixture
def archived_board(chair):
    return BoardFactory(name="Old web council", purpose="Retired.", chair=chair, is_active=False)


def test_board_list_search_and_archived(client, member, board, top, archived_board):
    client.force_login(member)

    def names(response):
        assert response.status_code == 200
        return [b.name for b in response.context["boards"]]

    assert names(client.get(BOARDS)) == ["Customer board", "Executive committee"]
    assert names(client.get(BOARDS + "?q=committee")) == ["Executive committee"]
    assert names(client.get(BOARDS + "?active=false")) == ["Old web council"]
    assert names(client.get(BOARDS + "?active=")) == [
        "Customer board", "Executive committee", "Old web council",
    ]  # fmt: skip
    assert names(client.get(BOARDS + f"?chair={top.chair_id}")) == ["Executive committee"]
    page = client.get(BOARDS + "?q=committee").content.decode()
    assert BOARD_EXPORT + "?q=committee" in page
    response = client.get(BOARDS + "?active=maybe")
    assert response.status_code == 400 and "There is a problem" in response.content.decode()


def test_board_export_has_the_rows_the_list_shows(client, member, board, top, archived_board):
    client.force_login(member)
    header, *rows = _csv(client.get(BOARD_EXPORT))
    assert header == [
        "board", "chair", "sponsor", "escalates to", "members", "next meeting", "time zone",
        "open decisions", "overdue decisions", "archived", "link",
    ]  # fmt: skip
    assert [row[0] for row in rows] == ["Customer board", "Executive committee"]
    assert rows[0][1] == "Dana Chair" and rows[0][3] == "Executive committee"
    assert rows[0][-1].endswith(board.get_absolute_url())
    _, *old = _csv(client.get(BOARD_EXPORT + "?active=false"))
    assert [(row[0], row[9]) for row in old] == [("Old web council", "yes")]
    response = client.get(BOARD_EXPORT + "?chair=999999")
    assert response.status_code == 400 and "Unknown person." in response.content.decode()
    client.logout()
    assert client.get(BOARD_EXPORT).status_code == 302


@pytest.mark.parametrize("size", [3, 30])
def test_board_export_query_count(client, member, size, django_assert_num_queries):
    top = BoardFactory(name="Top")
    for i in range(size):
        BoardFactory(name=f"Board {i:02}", chair=UserFactory(), escalates_to=top)
    FunctionFactory()
    client.force_login(member)
    with django_assert_num_queries(BOARD_EXPORT_QUERIES):
        rows = _csv(client.get(BOARD_EXPORT))
    assert len(rows) == size + 2


# --- The charter's lists by board (a filter this app adds to them) ------------------------------


@pytest.fixture
def web_board(consider, top):
    """Governs the "Consider" stage (so the web form) rather than named touchpoints."""
    web = BoardFactory(name="Web council", escalates_to=top)
    web.scope_stages.add(consider)
    return web


@pytest.fixture
def web_conflict(admin_user, function_owner, web_form, function, other_function):
    charter_services.right_assign(
        actor=admin_user, touchpoint=web_form, right="operate", function=other_function
    )
    claim = charter_services.right_claim(
        actor=function_owner, touchpoint=web_form, right="operate", function=function
    )
    return claim.conflict


def test_conflict_list_and_matrix_filter_by_board_scope(
    client, member, board, web_board, conflict, web_conflict, touchpoint, web_form
):
    TouchpointFactory(name="Shop window")  # governed by no board
    client.force_login(member)
    conflicts = reverse("charter:conflict_list")
    assert _titles(client.get(conflicts + f"?board={board.pk}")) == [str(conflict)]
    assert _titles(client.get(conflicts + f"?board={web_board.pk}")) == [str(web_conflict)]
    assert _titles(client.get(conflicts + f"?board={board.pk}&stage=consider")) == []
    body = client.get(f"/api/v1/conflicts/?board={web_board.pk}").json()
    assert [row["id"] for row in body["results"]] == [web_conflict.pk]
    _, *rows = _csv(client.get(reverse("charter:conflict_export") + f"?board={board.pk}"))
    assert [int(row[0]) for row in rows] == [conflict.pk]

    def matrix(query):
        response = client.get(reverse("charter:matrix") + query)
        assert response.status_code == 200, response.content[:300]
        return [row.touchpoint.name for row in response.context["rows"]]

    assert matrix(f"?board={board.pk}") == ["Call-centre script"]
    assert matrix(f"?board={web_board.pk}") == ["Web form"]
    assert matrix(f"?board={web_board.pk}&state=contested") == ["Web form"]
    assert "Shop window" in matrix("")
    body = client.get(reverse("charter:export") + f"?board={board.pk}").content.decode()
    assert "Call-centre script" in body and "Web form" not in body


def test_charter_lists_refuse_an_unknown_board(client, member, conflict):
    client.force_login(member)
    for url in ("charter:conflict_list", "charter:matrix", "charter:conflict_export"):
        response = client.get(reverse(url) + "?board=999999")
        assert response.status_code == 400, url
        assert "Unknown board." in response.content.decode()
    assert client.get("/api/v1/conflicts/?board=nope").status_code == 400
