"""What the summits' pages and lists read: completion (done on time, late, open, overdue,
cancelled), the journey gaps, functions with rights but no voice at the summit, the previous
summit, "my actions" and a board's backlog, each in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards.tests.factories import BoardFactory, MeetingFactory
from charter import services as charter_services
from engagement.org.tests.factories import FunctionFactory, UserFactory
from summits import selectors, services
from summits.models import ActionItem
from summits.tests.factories import (
    ActionItemFactory,
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

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
TODAY = NOW.date()

Status = ActionItem.Status


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


# --- Completion --------------------------------------------------------------------------------


def _done(summit, due: int, completed: int, **kwargs):
    return ActionItemFactory(
        summit=summit, status=Status.DONE, due_on=days(due), completed_on=days(completed),
        **kwargs,
    )  # fmt: skip


@pytest.fixture
def last_year():
    """A summit whose eight items stand: 2 done on time, 1 done late, 2 open (one due today),
    2 overdue, 1 cancelled."""
    summit = SummitFactory(title="Summit 2025", starts_on=days(-60))
    _done(summit, due=-5, completed=-6)
    _done(summit, due=-4, completed=-4)  # on the due date is on time
    _done(summit, due=-10, completed=-3)
    ActionItemFactory(summit=summit, due_on=days(10))
    ActionItemFactory(summit=summit, status=Status.IN_PROGRESS, due_on=TODAY)
    ActionItemFactory(summit=summit, due_on=days(-1))
    ActionItemFactory(summit=summit, status=Status.IN_PROGRESS, due_on=days(-20))
    ActionItemFactory(summit=summit, status=Status.CANCELLED, due_on=days(-2))
    return summit


def test_completion_counts_each_item_once(last_year):
    completion = selectors.completion_for(last_year.action_items.all())
    assert completion.as_dict() == {
        "done_on_time": 2, "done_late": 1, "open": 2, "overdue": 2, "cancelled": 1,
        "total": 8, "completion_rate": 43,  # 3 done of the 7 not cancelled
    }  # fmt: skip
    assert (completion.done, completion.committed, completion.on_time_rate) == (3, 7, 29)
    # the counts agree with what each item says of itself
    items = list(last_year.action_items.all())
    assert completion.overdue == sum(i.is_overdue for i in items)
    assert completion.late == sum(i.was_late for i in items)


def test_overdue_is_a_fact_of_the_date(last_year):
    with time_machine.travel(NOW + timedelta(days=11), tick=False):
        completion = selectors.completion_for(last_year.action_items.all())
    # the item due today and the one due in ten days have slipped
    assert (completion.open, completion.overdue) == (0, 4)
    assert (completion.on_time, completion.late, completion.cancelled) == (2, 1, 1)


def test_a_summit_with_nothing_committed_has_no_rate():
    summit = SummitFactory()
    ActionItemFactory(summit=summit, status=Status.CANCELLED)
    completion = selectors.completion_for(summit.action_items.all())
    assert (completion.total, completion.committed, completion.rate) == (1, 0, None)


def test_completion_of_several_summits_is_one_query(last_year, django_assert_num_queries):
    this_year = SummitFactory(title="Summit 2026", starts_on=days(-1))
    _done(this_year, due=5, completed=0)
    ActionItemFactory(summit=this_year, due_on=days(20))
    empty = SummitFactory(title="Summit 2027", starts_on=days(200))
    with django_assert_num_queries(1):
        by_summit = selectors.completion_by_summit([last_year.pk, this_year.pk, empty.pk])
    assert by_summit[last_year.pk] == selectors.completion_for(last_year.action_items.all())
    assert (by_summit[this_year.pk].on_time, by_summit[this_year.pk].open) == (1, 1)
    assert by_summit[this_year.pk].rate == 50
    assert (by_summit[empty.pk].total, by_summit[empty.pk].rate) == (0, None)


def test_the_summit_list_carries_counts_and_completion(last_year, summit, member,
                                                      django_assert_num_queries):  # fmt: skip
    ParticipantFactory(summit=summit)
    ParticipantFactory(summit=summit)
    ActionItemFactory(summit=summit)
    with django_assert_num_queries(2):
        rows = selectors.attach_completion(selectors.summit_list(user=member))
        shown = [(s.title, s.participant_count, s.item_count, s.completion.total) for s in rows]
    assert shown == [
        ("Engagement summit 2026", 2, 1, 1),
        ("Summit 2025", 0, 8, 8),
    ]


# --- The journey gaps --------------------------------------------------------------------------


def test_the_gap_per_stage_groups_touchpoints_under_their_stage_largest_first(summit, summit_chair):
    consider = JourneyStageFactory(name="Consider", position=1)
    buy = JourneyStageFactory(name="Buy", position=3)
    bond = JourneyStageFactory(name="Bond", position=6)
    # Buy: the stage itself (2 → 4) and one of its touchpoints (1 → 4)
    JourneyReviewFactory(summit=summit, stage=buy, current_level=2, target_level=4)
    JourneyReviewFactory(
        summit=summit, stage=None, touchpoint=TouchpointFactory(stage=buy), current_level=1,
        target_level=4,
    )  # fmt: skip
    # Consider: one touchpoint (3 → 4); Bond: the stage (1 → 5)
    JourneyReviewFactory(
        summit=summit, stage=None, touchpoint=TouchpointFactory(stage=consider), current_level=3,
        target_level=4,
    )  # fmt: skip
    JourneyReviewFactory(summit=summit, stage=bond, current_level=1, target_level=5)

    gaps = selectors.summit_page(user=summit_chair, summit=summit).gaps

    assert [(g.stage.name, g.current, g.target, g.gap, len(g.reviews)) for g in gaps] == [
        ("Bond", 1.0, 5.0, 4.0, 1),
        ("Buy", 1.5, 4.0, 2.5, 2),
        ("Consider", 3.0, 4.0, 1.0, 1),
    ]


def test_equal_gaps_follow_the_journey(summit):
    late = JourneyStageFactory(name="Advocate", position=5)
    early = JourneyStageFactory(name="Evaluate", position=2)
    reviews = [
        JourneyReviewFactory(summit=summit, stage=late, current_level=2, target_level=3),
        JourneyReviewFactory(summit=summit, stage=early, current_level=4, target_level=5),
    ]
    assert [g.stage for g in selectors.stage_gaps(reviews)] == [early, late]


def test_the_capability_plan_shows_the_five_areas_in_order(summit, summit_chair):
    CapabilityFactory(summit=summit, area="brand", sourcing="external", partners="Acme")
    rows = selectors.summit_page(user=summit_chair, summit=summit).capabilities
    assert [r.area for r in rows] == ["content", "data", "innovation", "experience", "brand"]
    assert [r.plan is not None for r in rows] == [False, False, False, False, True]


# --- Functions with rights and no voice --------------------------------------------------------


@pytest.fixture
def charter(admin_user, function, other_function):
    """Who holds rights where. At the Buy stage: the script (Marketing designs, Operations
    builds; Human resources designed it until Marketing took over) and the shop (Sales); at
    Bond: the newsletter (Legal) and an archived fax line (IT); at Consider: the ads (Finance)."""
    buy = JourneyStageFactory(name="Buy", position=3)
    bond = JourneyStageFactory(name="Bond", position=6)
    consider = JourneyStageFactory(name="Consider", position=1)
    script = TouchpointFactory(name="Script", stage=buy)
    shop = TouchpointFactory(name="Shop", stage=buy)
    newsletter = TouchpointFactory(name="Newsletter", stage=bond)
    fax = TouchpointFactory(name="Fax line", stage=bond, is_archived=True)
    ads = TouchpointFactory(name="Ads", stage=consider)
    names = ("Human resources", "Sales", "Legal", "IT", "Finance")
    functions = {name: FunctionFactory(name=name) for name in names}
    grants = [
        (script, "design", functions["Human resources"]),
        (script, "design", function),  # ends Human resources' right
        (script, "build", other_function),
        (shop, "operate", functions["Sales"]),
        (newsletter, "update", functions["Legal"]),
        (fax, "operate", functions["IT"]),
        (ads, "design", functions["Finance"]),
    ]
    for touchpoint, right, holder in grants:
        charter_services.right_assign(
            actor=admin_user, touchpoint=touchpoint, right=right, function=holder
        )
    return {"buy": buy, "bond": bond, "script": script, "newsletter": newsletter}


def _uncovered(summit, user) -> list[str]:
    return [f.name for f in selectors.summit_page(user=user, summit=summit).uncovered]


def test_functions_with_rights_on_reviewed_touchpoints_and_no_participant_are_named(
    summit, summit_chair, charter, function, other_function
):
    assert _uncovered(summit, summit_chair) == []  # nothing reviewed yet
    # the script is reviewed directly: its current holders have no voice yet
    JourneyReviewFactory(summit=summit, stage=None, touchpoint=charter["script"])
    assert _uncovered(summit, summit_chair) == ["Marketing", "Operations"]
    # the Bond stage is reviewed: the newsletter's holder too, not the archived fax line's
    JourneyReviewFactory(summit=summit, stage=charter["bond"])
    assert _uncovered(summit, summit_chair) == ["Legal", "Marketing", "Operations"]
    # once a participant represents a function, it is no longer named
    services.participant_add(
        actor=summit_chair, summit=summit, person=UserFactory(function=function),
        function=function,
    )  # fmt: skip
    ParticipantFactory(summit=summit, function=other_function)
    assert _uncovered(summit, summit_chair) == ["Legal"]


def test_reviewing_a_stage_covers_all_its_touchpoints(summit, summit_chair, charter):
    JourneyReviewFactory(summit=summit, stage=charter["buy"])
    assert _uncovered(summit, summit_chair) == ["Marketing", "Operations", "Sales"]


def test_the_uncovered_functions_are_one_query(summit, charter, django_assert_num_queries):
    JourneyReviewFactory(summit=summit, stage=charter["buy"])
    JourneyReviewFactory(summit=summit, stage=charter["bond"])
    with django_assert_num_queries(1):
        names = [f.name for f in selectors.uncovered_functions(summit, [])]
    assert names == ["Legal", "Marketing", "Operations", "Sales"]


# --- The previous summit -----------------------------------------------------------------------


def test_a_summit_opens_with_the_previous_ones_results(last_year, summit, summit_chair):
    older = SummitFactory(title="Summit 2024", starts_on=days(-400))
    assert selectors.previous_summit(summit) == last_year
    assert selectors.previous_summit(last_year) == older
    assert selectors.previous_summit(older) is None
    page = selectors.summit_page(user=summit_chair, summit=summit)
    assert page.previous == last_year
    assert page.previous_completion.as_dict()["completion_rate"] == 43
    assert selectors.summit_page(user=summit_chair, summit=older).previous_completion is None


def test_summits_starting_the_same_day_follow_each_other(summit):
    twin = SummitFactory(title="Twin summit", starts_on=summit.starts_on)
    assert selectors.previous_summit(twin) == summit
    assert selectors.previous_summit(summit) is None


# --- My actions and a board's backlog ----------------------------------------------------------


@pytest.fixture
def items(summit, member, function, other_function, board):
    """Mine (``member``'s), a colleague's in my function, one in another function, and one
    of another summit that ``summit``'s chair did not record."""
    colleague = UserFactory(function=function)
    elsewhere = UserFactory(function=other_function)
    return {
        "mine": ActionItemFactory(summit=summit, owner=member, owner_function=function,
                                  board=board, due_on=days(30)),
        "colleague": ActionItemFactory(summit=summit, owner=colleague, owner_function=function,
                                       board=board, due_on=days(20)),
        "operations": ActionItemFactory(summit=summit, owner=elsewhere,
                                        owner_function=other_function, due_on=days(10)),
        "other summit": ActionItemFactory(owner=elsewhere, owner_function=other_function,
                                          board=board, due_on=days(5)),
    }  # fmt: skip


def _names(queryset, items) -> list[str]:
    by_pk = {item.pk: name for name, item in items.items()}
    return [by_pk[pk] for pk in queryset.values_list("pk", flat=True)]


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("member", ["mine"]),
        # the head and the delegate act for the function: its items are theirs to see to
        ("function_owner", ["colleague", "mine"]),
        ("delegate", ["colleague", "mine"]),
        # the summit's chair recorded them
        ("summit_chair", ["operations", "colleague", "mine"]),
        ("outsider", []),
        ("chair", []),
    ],
)
def test_my_actions(request, items, person, expected):
    user = request.getfixturevalue(person)
    assert _names(selectors.my_actions(user=user), items) == expected


def test_my_actions_filter_open_closed_due_soon_and_overdue(items, member, function):
    mine = items["mine"]
    soon = ActionItemFactory(owner=member, owner_function=function, due_on=days(14))
    done = ActionItemFactory(owner=member, owner_function=function, status=Status.DONE,
                             due_on=days(3), completed_on=TODAY)  # fmt: skip
    named = {**items, "soon": soon, "done": done}
    actions = selectors.my_actions(user=member)
    assert _names(actions.open(), named) == ["soon", "mine"]
    assert _names(actions.closed(), named) == ["done"]
    assert _names(actions.due_soon(), named) == ["soon"]
    assert _names(actions.overdue(), named) == []
    with time_machine.travel(datetime.combine(mine.due_on, NOW.timetz()), tick=False):
        # due today is due soon, not overdue; a day later it is overdue
        assert _names(actions.due_soon(), named) == ["mine"]
        assert _names(actions.overdue(), named) == ["soon"]
    with time_machine.travel(datetime.combine(days(31), NOW.timetz()), tick=False):
        assert _names(actions.overdue(), named) == ["soon", "mine"]


def test_nobody_signed_out_has_actions(items):
    from django.contrib.auth.models import AnonymousUser

    assert list(selectors.my_actions(user=AnonymousUser())) == []


def test_a_boards_backlog_is_its_open_items(items, board, member):
    in_progress = ActionItemFactory(board=board, status=Status.IN_PROGRESS, due_on=days(1))
    ActionItemFactory(board=board, status=Status.DONE, due_on=days(3), completed_on=TODAY)
    ActionItemFactory(board=board, status=Status.CANCELLED)
    overdue = ActionItemFactory(board=board, due_on=days(-3))
    named = {**items, "in progress": in_progress, "overdue": overdue}
    # the overdue first, then by due date; not the other board's, not the closed ones
    assert _names(selectors.board_backlog(user=member, board=board), named) == [
        "overdue", "in progress", "other summit", "colleague", "mine",
    ]  # fmt: skip


def test_an_items_page_has_its_timeline_in_order(item, member, chair, board,
                                                 django_assert_num_queries):  # fmt: skip
    services.action_item_start(actor=member, item=item)
    meeting = MeetingFactory(board=board)
    services.action_item_put_on_agenda(actor=chair, item=item, meeting=meeting)
    services.action_item_decide(
        actor=chair, item=item, outcome="complete", rationale="Checked", meeting=meeting
    )
    with django_assert_num_queries(4):
        got = selectors.action_item_get(user=member, pk=item.pk)
        lines = [(u.kind, u.author.username, u.decision, u.meeting) for u in got.updates.all()]
        agenda = [(a.meeting.starts_at, a.title) for a in got.agenda_items.all()]
        touchpoints = [t.name for t in got.touchpoints.all()]
    decision = item.updates.get(kind="completed").decision
    assert lines == [
        ("created", item.created_by.username, None, None),
        ("started", member.username, None, None),
        ("agenda", chair.username, None, meeting),
        ("completed", chair.username, decision, None),
    ]
    assert agenda == [(meeting.starts_at, "Action item: Rewrite the call-centre script")]
    assert touchpoints == ["Call-centre script"]
    latest = selectors.updates_by_item([got])
    assert latest[item.pk].kind == "completed"


# --- Fixed query counts ------------------------------------------------------------------------


def _grow_summit(summit, board, n: int) -> None:
    """Give ``summit`` n more participants, touchpoint reviews with a KPI each and items with
    two touchpoints each, and up to n more plan rows (there are five areas)."""
    stage = JourneyStageFactory(name="Experience", position=4)
    areas = ["content", "data", "innovation", "experience", "brand"]
    for _ in range(n):
        ParticipantFactory(summit=summit)
        touchpoint = TouchpointFactory(stage=stage)
        review = JourneyReviewFactory(summit=summit, stage=None, touchpoint=touchpoint)
        kpi = KpiFactory(touchpoint=touchpoint)
        MeasurementFactory(kpi=kpi)
        review.evidence.create(kpi=kpi, value=kpi.measurements.get().value)
        item = ActionItemFactory(summit=summit, board=board)
        item.touchpoints.set([touchpoint, TouchpointFactory(stage=stage)])
    planned = set(summit.capabilities.values_list("area", flat=True))
    for area in [a for a in areas if a not in planned][:n]:
        CapabilityFactory(summit=summit, area=area)


def _render_summit_page(user, summit) -> int:
    """Read the summit page as its template does; return the number of queries."""
    with CaptureQueriesContext(connection) as queries:
        page = selectors.summit_page(user=user, summit=summit)
        shown = [page.completion.rate, page.previous and page.previous.chair.get_full_name()]
        for function, participants in page.participants_by_function:
            shown += [str(function), *(p.person.get_full_name() for p in participants)]
        shown += [str(f) for f in page.uncovered]
        for review in page.reviews:
            shown.append(str(review.stage or review.touchpoint))
            shown += [(e.kpi.name, e.value) for e in review.evidence.all()]
        shown += [(g.stage.name, g.gap) for g in page.gaps]
        shown += [(r.label, r.plan and r.plan.owner.get_full_name()) for r in page.capabilities]
        for item in page.action_items:
            shown += [str(item.owner), str(item.owner_function), str(item.board), item.is_overdue]
            shown += [t.name for t in item.touchpoints.all()]
    assert shown
    return len(queries)


def test_the_summit_page_reads_in_a_fixed_number_of_queries(last_year, summit, summit_chair,
                                                            board):  # fmt: skip
    _grow_summit(summit, board, 3)
    with_3 = _render_summit_page(summit_chair, summit)
    _grow_summit(summit, BoardFactory(), 27)
    assert summit.action_items.count() == 30
    assert _render_summit_page(summit_chair, summit) == with_3


def _read_list(rows) -> int:
    with CaptureQueriesContext(connection) as queries:
        shown = [
            (str(i.owner), str(i.owner_function), str(i.board), str(i.summit), i.is_overdue)
            for i in rows
        ]
    assert shown
    return len(queries)


@pytest.mark.parametrize("listing", ["my_actions", "board_backlog", "action_item_list"])
def test_action_item_lists_read_in_a_fixed_number_of_queries(listing, function_owner,
                                                             function, board):  # fmt: skip
    def make(n):
        for _ in range(n):
            ActionItemFactory(
                owner=UserFactory(function=function), owner_function=function, board=board,
                summit=SummitFactory(),
            )  # fmt: skip

    def read():
        user = type(function_owner).objects.get(pk=function_owner.pk)  # roles not cached yet
        if listing == "board_backlog":
            return _read_list(selectors.board_backlog(user=user, board=board))
        return _read_list(getattr(selectors, listing)(user=user))

    make(3)
    with_3 = read()
    make(27)
    assert selectors.my_actions(user=function_owner).count() == 30
    assert read() == with_3
