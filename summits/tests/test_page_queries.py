"""Query budgets of the summit pages and panels: the same number of queries with 3 rows as
with 30.

The numbers are pinned: a change that adds a query to a page shows up here, and one that
makes a page grow with its rows fails the 3-versus-30 comparison. The viewer chairs the
summit, owns the items and chairs the board that follows them, so every control and form
is on the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.tests.factories import BoardFactory, MeetingFactory
from charter.tests.factories import RightAssignmentFactory
from engagement.org.tests.factories import FunctionFactory, UserFactory
from summits import services
from summits.models import ActionItem, Capability, Summit
from summits.panels import (
    render_board_panel,
    render_decision_panel,
    render_meeting_panel,
    render_touchpoint_panel,
)
from summits.tests.factories import ActionItemFactory, ParticipantFactory, SummitFactory
from touchpoints.tests.factories import (
    JourneyStageFactory,
    KpiFactory,
    MeasurementFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db

PAGE_SIZE = 25

# Pinned budgets. Pages count the session and the user; the viewer's roles are read only
# where a permission needs them ("my actions" reads the functions they act for). Panels are
# rendered on their own, without the page around them.
SUMMIT_LIST_QUERIES = 8
SUMMIT_DETAIL_QUERIES = 15
ACTION_LIST_QUERIES = 9  # + the journey stages offered by the filters
MY_ACTIONS_QUERIES = 11  # + the journey stages offered by the filters
ACTION_DETAIL_QUERIES = 13
EXPORT_QUERIES = 5
BOARD_PANEL_QUERIES = 3
MEETING_PANEL_QUERIES = 2
TOUCHPOINT_PANEL_QUERIES = 1
DECISION_PANEL_QUERIES = 1


def _today():
    return timezone.localdate()


@pytest.fixture
def function(db):
    return FunctionFactory(name="Marketing")


@pytest.fixture
def viewer(function):
    """Chairs the summits and the board, and owns the items."""
    return UserFactory(first_name="Vi", last_name="Ewer", function=function)


@pytest.fixture
def board(viewer):
    return BoardFactory(name="Customer board", chair=viewer)


def _items(summit, board, owner, function, n, touchpoints=()):
    """n items: one in three done (late), one in three overdue, the rest open; each with a
    progress note."""
    items = []
    for i in range(n):
        item = services.action_item_create(
            actor=summit.chair, summit=summit, title=f"Item {i}", owner=owner,
            owner_function=function, board=board, touchpoints=touchpoints,
            due_on=_today() + timedelta(days=10 + i),
        )  # fmt: skip
        services.action_item_progress(actor=owner, item=item, note=f"Note {i}")
        items.append(item)
        if i % 3 == 0:
            ActionItem.objects.filter(pk=item.pk).update(
                status="done", completed_on=_today(), due_on=_today() - timedelta(days=1)
            )
        elif i % 3 == 1:
            ActionItem.objects.filter(pk=item.pk).update(due_on=_today() - timedelta(days=2))
    return items


def _summit(viewer, board, function, n):
    """A held summit with n participants (over n functions), n reviews (alternately of a
    stage and of a touchpoint, each with a KPI as evidence), n functions holding rights on
    the reviewed touchpoints without a participant, a capability plan, and n action items;
    and a previous summit with n items."""
    previous = SummitFactory(
        title="Last year", chair=viewer, starts_on=_today() - timedelta(days=365),
        status=Summit.Status.CLOSED,
    )  # fmt: skip
    for i in range(n):
        ActionItemFactory(summit=previous, board=board, title=f"Old {i}")
    summit = SummitFactory(title="This year", chair=viewer, status=Summit.Status.HELD)
    touchpoints = []
    for i in range(n):
        ParticipantFactory(summit=summit, function=FunctionFactory(name=f"Function {i}"))
        stage = JourneyStageFactory(name=f"Stage {i}", slug=f"stage-{i}")
        touchpoint = TouchpointFactory(name=f"Touchpoint {i}", stage=stage)
        touchpoints.append(touchpoint)
        kpi = KpiFactory(touchpoint=touchpoint)
        MeasurementFactory(kpi=kpi, value=60 + i)
        RightAssignmentFactory(touchpoint=touchpoint, function=FunctionFactory())
        subject = {"stage": stage} if i % 2 else {"touchpoint": touchpoint}
        services.review_add(
            actor=viewer, summit=summit, current_level=2, target_level=4, kpis=[kpi],
            **subject,
        )  # fmt: skip
    for area in list(Capability.Area.values)[: min(n, 5)]:
        services.capability_add(
            actor=viewer, summit=summit, area=area, sourcing="mixed", partners="A, B", gap=3,
            owner=viewer,
        )  # fmt: skip
    _items(summit, board, viewer, function, n, touchpoints=touchpoints[:2])
    return summit


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


@pytest.mark.parametrize("size", [3, 30])
def test_summit_detail_query_count(
    client, viewer, board, function, size, django_assert_num_queries
):
    summit = _summit(viewer, board, function, size)
    client.force_login(viewer)
    with django_assert_num_queries(SUMMIT_DETAIL_QUERIES):
        response = _get(client, reverse("summits:summit_detail", kwargs={"pk": summit.pk}))
    page = response.context["page"]
    assert len(page.action_items) == size
    assert len(page.participants) == size and len(page.reviews) == size
    assert len(page.uncovered) == size
    assert page.previous is not None


@pytest.mark.parametrize("size", [3, 30])
def test_summit_list_query_count(client, viewer, board, function, size, django_assert_num_queries):
    for i in range(size):
        summit = SummitFactory(title=f"Summit {i}", chair=viewer)
        ParticipantFactory(summit=summit)
        ActionItemFactory(summit=summit, board=board)
    client.force_login(viewer)
    with django_assert_num_queries(SUMMIT_LIST_QUERIES):
        response = _get(client, reverse("summits:summit_list"))
    assert response.context["page"].paginator.count == size
    assert len(response.context["summits"]) == min(size, PAGE_SIZE)


@pytest.mark.parametrize("size", [3, 30])
def test_action_item_list_query_count(
    client, viewer, board, function, size, django_assert_num_queries
):
    summit = SummitFactory(chair=viewer)
    _items(summit, board, viewer, function, size, touchpoints=[TouchpointFactory()])
    client.force_login(viewer)
    with django_assert_num_queries(ACTION_LIST_QUERIES):
        response = _get(client, reverse("summits:action_item_list") + "?ordering=-due_on")
    assert response.context["page"].paginator.count == size
    assert len(response.context["items"]) == min(size, PAGE_SIZE)


@pytest.mark.parametrize("size", [3, 30])
def test_my_actions_query_count(client, viewer, board, function, size, django_assert_num_queries):
    summit = SummitFactory(chair=viewer)
    _items(summit, board, viewer, function, size)
    ActionItemFactory(summit=summit, board=board, created_by=UserFactory())  # someone else's
    ActionItem.objects.update(status="open", completed_on=None)
    client.force_login(viewer)
    with django_assert_num_queries(MY_ACTIONS_QUERIES):
        response = _get(client, reverse("summits:my_actions"))
    assert response.context["page"].paginator.count == size
    assert len(response.context["items"]) == min(size, PAGE_SIZE)


@pytest.mark.parametrize("size", [3, 30])
def test_action_item_detail_query_count(
    client, viewer, board, function, size, django_assert_num_queries
):
    """An item in progress with a timeline of about three lines per row: progress notes, agenda
    entries (with their meetings) and board decisions that re-planned it."""
    summit = SummitFactory(chair=viewer)
    touchpoints = [TouchpointFactory(name=f"Touchpoint {i}") for i in range(size)]
    (item,) = _items(summit, board, viewer, function, 1, touchpoints=touchpoints)
    ActionItem.objects.filter(pk=item.pk).update(status="open", completed_on=None)
    services.action_item_start(actor=viewer, item=item)
    for i in range(size):
        services.action_item_progress(actor=viewer, item=item, note=f"Step {i}")
        meeting = MeetingFactory(
            board=board, starts_at=timezone.now().replace(microsecond=0) + timedelta(days=i + 1)
        )
        services.action_item_put_on_agenda(actor=viewer, item=item, meeting=meeting)
        if i % 3 == 0:
            services.action_item_decide(
                actor=viewer, item=item, outcome="replan", rationale="Later", meeting=meeting,
                due_on=_today() + timedelta(days=60 + i),
            )  # fmt: skip
    MeetingFactory(board=board)  # one more, the item not on its agenda yet
    client.force_login(viewer)
    with django_assert_num_queries(ACTION_DETAIL_QUERIES):
        response = _get(client, reverse("summits:action_item_detail", kwargs={"pk": item.pk}))
    assert len(response.context["updates"]) >= 2 * size
    assert len(response.context["touchpoints"]) == size
    for form in ("complete", "progress", "replan", "cancel", "decide", "agenda"):
        assert f"{form}_form" in response.context


@pytest.mark.parametrize("size", [3, 30])
def test_csv_export_query_count(client, viewer, board, function, size, django_assert_num_queries):
    summit = SummitFactory(chair=viewer)
    touchpoints = [TouchpointFactory(name=f"Touchpoint {i}") for i in range(3)]
    _items(summit, board, viewer, function, size, touchpoints=touchpoints)
    client.force_login(viewer)
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(reverse("summits:action_item_export") + f"?board={board.pk}")
        body = b"".join(response.streaming_content).decode()
    assert body.count("\n") == size + 1
    assert "Touchpoint 0; Touchpoint 1; Touchpoint 2" in body


def _request(rf, user):
    request = rf.get("/")
    request.user = user
    return request


@pytest.mark.parametrize("size", [3, 30])
def test_board_panel_query_count(rf, viewer, board, function, size, django_assert_num_queries):
    summit = SummitFactory(chair=viewer)
    items = _items(summit, board, viewer, function, size)
    ActionItem.objects.update(status="open", completed_on=None)
    meeting = MeetingFactory(board=board)
    services.action_item_put_on_agenda(actor=viewer, item=items[0], meeting=meeting)
    with django_assert_num_queries(BOARD_PANEL_QUERIES):
        html = render_board_panel(_request(rf, viewer), board)
    assert html.count("Put on the next meeting's agenda") == size - 1
    assert "On its agenda" in html


@pytest.mark.parametrize("size", [3, 30])
def test_meeting_panel_query_count(rf, viewer, board, function, size, django_assert_num_queries):
    summit = SummitFactory(chair=viewer)
    items = _items(summit, board, viewer, function, 2 * size)
    ActionItem.objects.update(status="open", completed_on=None)
    meeting = MeetingFactory(board=board)
    for item in items[:size]:
        services.action_item_put_on_agenda(actor=viewer, item=item, meeting=meeting)
    with django_assert_num_queries(MEETING_PANEL_QUERIES):
        html = render_meeting_panel(_request(rf, viewer), meeting)
    assert html.count("Add to the agenda") == size
    assert html.count("Decide on it") == 2 * size


@pytest.mark.parametrize("size", [3, 30])
def test_touchpoint_panel_query_count(rf, viewer, board, function, size, django_assert_num_queries):
    touchpoint = TouchpointFactory(name="Shared touchpoint")
    summit = SummitFactory(chair=viewer)
    _items(summit, board, viewer, function, size, touchpoints=[touchpoint])
    ActionItem.objects.update(status="open", completed_on=None)
    with django_assert_num_queries(TOUCHPOINT_PANEL_QUERIES):
        html = render_touchpoint_panel(_request(rf, viewer), touchpoint)
    assert html.count('href="/summits/actions/') == size


def test_decision_panel_query_count(rf, viewer, board, function, django_assert_num_queries):
    summit = SummitFactory(chair=viewer)
    (item,) = _items(summit, board, viewer, function, 1)
    ActionItem.objects.filter(pk=item.pk).update(status="open", completed_on=None)
    item = services.action_item_decide(
        actor=viewer, item=item, outcome="cancel", rationale="Not needed"
    )
    decision = item.updates.get(kind="cancelled").decision
    with django_assert_num_queries(DECISION_PANEL_QUERIES):
        html = render_decision_panel(_request(rf, viewer), decision)
    assert item.title in html
