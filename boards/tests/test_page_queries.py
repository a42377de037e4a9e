"""Query budgets of the board pages: the same number of queries with 3 rows as with 30.

The numbers are pinned: a change that adds a query to a page shows up here, and one that
makes a page grow with its rows fails the 3-versus-30 comparison."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boards import services
from boards.models import Attendance, Membership
from boards.tests.factories import BoardFactory, MeetingFactory, MembershipFactory
from engagement.org.tests.factories import FunctionFactory, UserFactory
from touchpoints.tests.factories import KpiFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

LONG_AGO = date(2026, 1, 1)

# Pinned budgets (with the session, the user and the viewer's roles).
BOARD_LIST_QUERIES = 9  # + the chairs offered by the filters
BOARD_DETAIL_QUERIES = 29  # + the summits backlog panel
DECISION_LIST_QUERIES = 8  # + the journey stages offered by the filters
MEETING_QUERIES = 14  # + the summits panel: items on the agenda, backlog


@pytest.fixture
def viewer(db):
    """Chairs every board the tests build, so every control is on the page."""
    return UserFactory(first_name="Vi", last_name="Ewer")


@pytest.fixture
def top(db):
    return BoardFactory(name="Executive committee")


def _board(name, viewer, top, n):
    """A board with ``n`` core members (over n functions), n past meetings held, n upcoming,
    n decisions (one in three superseded), n escalations and n touchpoints in scope."""
    board = BoardFactory(name=name, chair=viewer, escalates_to=top)
    now = timezone.now().replace(microsecond=0)
    for i in range(n):
        function = FunctionFactory(name=f"{name} function {i}")
        MembershipFactory(
            board=board, person=UserFactory(), function=function,
            role=Membership.Role.CORE, started_on=LONG_AGO,
        )  # fmt: skip
        touchpoint = TouchpointFactory(name=f"{name} touchpoint {i}")
        KpiFactory(touchpoint=touchpoint)
        board.scope_touchpoints.add(touchpoint)
        start = now - timedelta(days=i + 1)
        MeetingFactory(board=board, starts_at=start, ends_at=start + timedelta(hours=1))
        MeetingFactory(board=board, starts_at=now + timedelta(days=i + 2))
        decision = services.decision_log(
            actor=viewer, board=board, title=f"{name} decision {i}", rationale="Facts",
            touchpoints=[touchpoint], due_on=timezone.localdate() + timedelta(days=5),
        )  # fmt: skip
        if i % 3 == 0:
            services.decision_supersede(
                actor=viewer, decision=decision, title=f"{name} correction {i}", rationale="Fix"
            )
        else:
            services.escalation_raise(actor=viewer, board=board, reason="Up", decision=decision)
    return board


def _meeting(board, viewer, n):
    """A meeting that started an hour ago with n agenda items, attendance for every member,
    and n decisions taken in it."""
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    meeting = MeetingFactory(board=board, starts_at=start, ends_at=start + timedelta(hours=2))
    members = Membership.objects.filter(board=board)
    for i, membership in enumerate(members):
        services.agenda_item_add(actor=viewer, meeting=meeting, title=f"Item {i}")
        services.attendance_record(
            actor=viewer, meeting=meeting, person=membership.person,
            status=Attendance.Status.PRESENT if i % 2 else Attendance.Status.ABSENT,
        )  # fmt: skip
        services.decision_log(
            actor=viewer, board=board, meeting=meeting, title=f"In meeting {i}", rationale="R",
            owner=membership.person, owner_function=membership.function,
        )  # fmt: skip
    assert meeting.agenda_items.count() == n
    return meeting


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def test_board_list_query_count(client, viewer, top, django_assert_num_queries):
    client.force_login(viewer)
    for i in range(3):
        _board(f"Small {i}", viewer, top, 1)
    with django_assert_num_queries(BOARD_LIST_QUERIES):
        response = _get(client, reverse("boards:board_list"))
    assert len(response.context["boards"]) == 4
    for i in range(27):
        _board(f"Large {i}", viewer, top, 1)
    with django_assert_num_queries(BOARD_LIST_QUERIES):
        response = _get(client, reverse("boards:board_list"))
    assert len(response.context["boards"]) == 31


@pytest.mark.parametrize("size", [3, 30])
def test_board_detail_query_count(client, viewer, top, size, django_assert_num_queries):
    board = _board("Customer board", viewer, top, size)
    client.force_login(viewer)
    with django_assert_num_queries(BOARD_DETAIL_QUERIES):
        response = _get(client, reverse("boards:board_detail", kwargs={"pk": board.pk}))
    assert len(response.context["memberships"]) == size


@pytest.mark.parametrize("size", [3, 30])
def test_decision_list_query_count(client, viewer, top, size, django_assert_num_queries):
    _board("Customer board", viewer, top, size)
    client.force_login(viewer)
    with django_assert_num_queries(DECISION_LIST_QUERIES):
        response = _get(client, reverse("boards:decision_list"))
    assert response.context["page"].paginator.count >= size


@pytest.mark.parametrize("size", [3, 30])
def test_meeting_page_query_count(client, viewer, top, size, django_assert_num_queries):
    board = _board("Customer board", viewer, top, size)
    meeting = _meeting(board, viewer, size)
    client.force_login(viewer)
    with django_assert_num_queries(MEETING_QUERIES):
        response = _get(client, reverse("boards:meeting_detail", kwargs={"pk": meeting.pk}))
    assert len(response.context["rows"]) == size + 1  # the members and the chair
    assert len(response.context["decisions"]) == size


@pytest.mark.parametrize("size", [3, 30])
def test_touchpoint_panel_query_count(rf, viewer, top, size, django_assert_num_queries):
    """The boards' panel on the touchpoint page: the governing boards and the decisions."""
    from boards.panels import render_boards_panel

    touchpoint = TouchpointFactory(name="Shared touchpoint")
    for i in range(size):
        board = BoardFactory(name=f"Board {i}", chair=viewer)
        board.scope_touchpoints.add(touchpoint)
        services.decision_log(
            actor=viewer,
            board=board,
            title=f"Decision {i}",
            rationale="R",
            touchpoints=[touchpoint],
        )
    request = rf.get("/")
    request.user = viewer
    with django_assert_num_queries(2):
        html = render_boards_panel(request, touchpoint)
    assert html.count('href="/boards/decisions/') == min(size, 5)
