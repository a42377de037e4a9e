"""A board's printable pack: the dashboard filtered to the board, then the board's open
items; who may open it, what it lists and in what order, and its query budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.models import Decision, Escalation, Meeting
from boards.tests.factories import AgendaItemFactory, BoardFactory, MeetingFactory
from charter.models import Claim, Conflict, Right
from charter.tests.factories import ClaimFactory
from engagement.dashboard.services import touchpoint_summaries_refresh
from engagement.dashboard.tests.scenes import dashboard_scene, section, text
from engagement.dashboard.tests.test_selectors import DASHBOARD_QUERIES
from engagement.org.tests.factories import FunctionFactory
from summits.models import ActionItem
from summits.tests.factories import ActionItemFactory, SummitFactory
from touchpoints.tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


def pack_url(board, **params) -> str:
    url = reverse("dashboard:board_pack", kwargs={"pk": board.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def decide(board, title, *, due_in=None, **kwargs) -> Decision:
    today = timezone.localdate()
    return Decision.objects.create(
        board=board, title=title, rationale="Facts.", logged_by=board.chair,
        due_on=today + timedelta(days=due_in) if due_in is not None else None, **kwargs,
    )  # fmt: skip


@pytest.fixture
def scene(function, other_function, executive):
    """The dashboard's scene, and more for the board: decisions due later, undated and done;
    a conflict outside its scope; a done action item and another board's; an escalation
    received and one resolved; its next meeting with an agenda."""
    scene = dashboard_scene(function, other_function, executive)
    board, top = scene["board"], scene["top"]
    decide(board, "Undated follow-up")
    decide(board, "Due next week", due_in=7, owner_function=function)
    decide(board, "Already carried out", due_in=-9, status=Decision.Status.IMPLEMENTED)
    decide(top, "Another board's decision", due_in=-9)
    letter_claim = ClaimFactory(
        touchpoint=scene["letter"], right=Right.DESIGN, function=function,
        status=Claim.Status.CONTESTED,
    )  # fmt: skip
    Conflict.objects.create(
        claim=letter_claim, touchpoint=scene["letter"], right=Right.DESIGN,
        holder_function=other_function, claimant_function=function,
    )  # fmt: skip
    today = timezone.localdate()
    ActionItemFactory(summit=scene["summit"], board=board, title="Due in a month")
    ActionItemFactory(
        summit=scene["summit"], board=board, title="Finished item",
        status=ActionItem.Status.DONE, completed_on=today,
    )  # fmt: skip
    ActionItemFactory(summit=scene["summit"], board=top, title="Another board's item")
    sub = BoardFactory(name="Web working group", escalates_to=board)
    Escalation.objects.create(
        from_board=sub, to_board=board, title="Web copy tone", reason="-", raised_by=sub.chair
    )
    Escalation.objects.create(
        from_board=board, to_board=top, title="Settled already", reason="-",
        raised_by=board.chair, status=Escalation.Status.RESOLVED,
    )  # fmt: skip
    meeting = MeetingFactory(board=board, starts_at=timezone.now() + timedelta(days=2))
    AgendaItemFactory(meeting=meeting, title="KPI review", position=1, duration_minutes=20)
    AgendaItemFactory(meeting=meeting, title="Conflicts to decide", position=2)
    scene["later"] = MeetingFactory(board=board, starts_at=timezone.now() + timedelta(days=9))
    scene["next"] = meeting
    return scene


def pack_of(client, user, board, status=200, **params) -> str:
    client.force_login(user)
    response = client.get(pack_url(board, **params))
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def test_the_pack_starts_with_the_dashboard_filtered_to_the_board(client, executive, scene):
    page = pack_of(client, executive, scene["board"])

    assert "<h1>Customer board</h1>" in page
    words = text(page)
    assert "Part 1 · The dashboard for this board" in words
    assert "Showing: Board: Customer board" in words
    cadence = text(section(page, "dash-cadence-title"))
    assert "Customer board" in cadence and "Executive committee" not in cadence
    assert "Printable board pack" not in page  # no link to itself


def test_the_navigation_marks_only_the_dashboard_as_current(client, executive, scene):
    client.force_login(executive)

    response = client.get(pack_url(scene["board"]))

    assert [i["label"] for i in response.context["nav_items"] if i["current"]] == ["Dashboard"]


def test_open_decisions_overdue_first_then_by_due_date_undated_last(client, executive, scene):
    decisions = text(section(pack_of(client, executive, scene["board"]), "pack-decisions-title"))

    assert "1 overdue, listed first; then by due date." in decisions
    order = [decisions.index(t) for t in ("Fix the sign-up copy", "Due next week", "Undated")]
    assert order == sorted(order)
    assert "Already carried out" not in decisions
    assert "Another board's decision" not in decisions
    assert "Overdue" in decisions


def test_conflicts_actions_and_escalations_of_the_board_only(client, executive, scene):
    page = pack_of(client, executive, scene["board"])

    conflicts = text(section(page, "pack-conflicts-title"))
    assert "Marketing claims the right to build, held by Operations" in conflicts
    assert "Billing letter" not in conflicts  # outside the board's scope
    actions = text(section(page, "pack-actions-title"))
    assert actions.index("Action") < actions.index("Due in a month")
    assert "1 overdue, listed first" in actions
    assert "Finished item" not in actions and "Another board's item" not in actions
    escalations = text(section(page, "pack-escalations-title"))
    assert "Budget for the sign-up page" in escalations  # raised by the board
    assert "Web copy tone" in escalations  # received from below
    assert "Settled already" not in escalations


def test_the_next_meeting_with_its_agenda(client, executive, scene):
    html = section(pack_of(client, executive, scene["board"]), "pack-meeting-title")
    meeting = text(html)

    assert f'href="{scene["next"].get_absolute_url()}"' in html
    assert scene["later"].get_absolute_url() not in html  # only the next meeting
    assert "KPI review · 20 min" in meeting
    assert meeting.index("KPI review") < meeting.index("Conflicts to decide")


def test_a_board_with_nothing_open_says_so(client, executive):
    quiet = BoardFactory(name="Quiet board")

    page = text(pack_of(client, executive, quiet))

    assert "No meeting scheduled." in page
    assert "No decision is waiting to be carried out." in page
    assert "No open conflict on the touchpoints the board governs." in page
    assert "No open escalation from or to this board." in page


def test_an_archived_board_still_has_its_pack(client, member, scene):
    scene["top"].is_active = False
    scene["top"].save()

    assert "Executive committee" in pack_of(client, member, scene["top"])


def test_a_board_that_does_not_exist_is_404_and_a_bad_period_400(client, executive, scene):
    client.force_login(executive)

    assert client.get(reverse("dashboard:board_pack", kwargs={"pk": 999999})).status_code == 404
    response = client.get(pack_url(scene["board"], period="7y"))
    assert response.status_code == 400
    assert "Unknown period: 7y" in response.content.decode()
    assert client.get(pack_url(scene["board"], period="365d")).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client, scene):
    response = client.get(pack_url(scene["board"]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_board_page_links_to_its_pack(client, member, scene):
    client.force_login(member)

    page = client.get(scene["board"].get_absolute_url()).content.decode()

    assert f'href="{pack_url(scene["board"])}"' in page


# --- Query budget ----------------------------------------------------------------------------


def busy_board(n: int, executive):
    """A board with ``n`` of every open item the pack lists, and a next meeting with ``n``
    agenda items."""
    top = BoardFactory(name="Top", chair=executive)
    board = BoardFactory(name="Busy board", escalates_to=top)
    summit = SummitFactory()
    functions = [FunctionFactory(name="Sales"), FunctionFactory(name="Service")]
    meeting = MeetingFactory(board=board, starts_at=timezone.now() + timedelta(days=1))
    MeetingFactory(board=board, starts_at=timezone.now() - timedelta(days=5), status="held")
    for i in range(n):
        fn, other = functions[i % 2], functions[(i + 1) % 2]
        touchpoint = TouchpointFactory()
        board.scope_touchpoints.add(touchpoint)
        claim = ClaimFactory(
            touchpoint=touchpoint, right=Right.DESIGN, function=fn, status=Claim.Status.CONTESTED
        )
        Conflict.objects.create(
            claim=claim, touchpoint=touchpoint, right=Right.DESIGN, holder_function=other,
            claimant_function=fn,
        )  # fmt: skip
        decide(board, f"Decision {i}", due_in=i - n // 2, owner_function=fn)
        ActionItemFactory(summit=summit, board=board, owner_function=fn, due_on=(
            timezone.localdate() + timedelta(days=i - n // 2)))  # fmt: skip
        Escalation.objects.create(
            from_board=board, to_board=top, title=f"Escalation {i}", reason="-",
            raised_by=executive,
        )  # fmt: skip
        AgendaItemFactory(meeting=meeting, title=f"Item {i}", touchpoint=touchpoint)
    touchpoint_summaries_refresh()
    return board


# Besides the figures: the session and the user, the board, then the decisions, conflicts,
# action items and their latest updates, escalations, the next meeting with its agenda and
# attendance.
PACK_ITEMS = 8


@pytest.mark.parametrize("rows", [3, 30])
def test_the_pack_costs_the_same_queries_at_3_and_30_items(
    client, executive, rows, django_assert_num_queries
):
    board = busy_board(rows, executive)
    client.force_login(executive)

    with django_assert_num_queries(2 + 1 + DASHBOARD_QUERIES + PACK_ITEMS):
        response = client.get(pack_url(board))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Decision {rows - 1}" in page and f"Item {rows - 1}" in page
    assert Meeting.objects.filter(board=board).count() == 2
