"""Who may do what at a summit and with its action items: roles by actions, through the
services, as ``summits.permissions`` says. A refusal is a 403 that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from boards.tests.factories import MeetingFactory
from engagement.core.errors import NotAllowed
from engagement.org.tests.factories import UserFactory
from summits import permissions, services
from summits.tests.test_services import state

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
TODAY = NOW.date()

ROLES = (
    "summit_chair",
    "participant",
    "member",  # owns ``item``
    "chair",  # chairs the board that follows ``item`` up
    "board_delegate",
    "executive",
    "outsider",
    "admin_user",
)
# Administrators and executives set a summit up; its chair and participants build its record.
MANAGERS = {"summit_chair", "executive", "admin_user"}
REVIEWERS = {"summit_chair", "participant"}
BOARD_LEADERS = {"chair", "board_delegate"}
# The board's leaders and the summit's chair steer an item: re-plan, cancel.
STEERING = BOARD_LEADERS | {"summit_chair"}

ALLOWED = {
    "summit_update": MANAGERS,
    "summit_hold": {"summit_chair"},
    "participant_add": MANAGERS,
    "review_add": REVIEWERS,
    "capability_add": REVIEWERS,
    "action_item_create": {"summit_chair"},
    "action_item_start": {"member"},
    # Nobody completes someone else's item by hand; the board closes it by a decision.
    "action_item_complete": {"member"},
    "action_item_cancel": STEERING,
    "action_item_replan": STEERING,
    "action_item_progress": STEERING | {"member"},
    # A decision is the board's: not the summit's chair's, not an administrator's.
    "action_item_decide": BOARD_LEADERS,
    # The agenda is set by who runs the board's meetings (administrators may, to put a
    # calendar right), through the boards' own rule.
    "action_item_put_on_agenda": BOARD_LEADERS | {"admin_user"},
}


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def scene(summit, item, member, function, board, touchpoint):
    """Builds what an action needs, then returns ``act(user)`` that performs it."""

    def build(action):
        if action == "summit_update":
            return lambda user: services.summit_update(
                actor=user, summit=summit, location="Lisbon", ends_on=TODAY + timedelta(days=1)
            )
        if action == "summit_hold":
            return lambda user: services.summit_hold(actor=user, summit=summit)
        if action == "participant_add":
            newcomer = UserFactory(function=function)
            return lambda user: services.participant_add(
                actor=user, summit=summit, person=newcomer, function=function
            )
        if action == "review_add":
            return lambda user: services.review_add(
                actor=user, summit=summit, touchpoint=touchpoint, current_level=2,
                target_level=4,
            )  # fmt: skip
        if action == "capability_add":
            return lambda user: services.capability_add(
                actor=user, summit=summit, area="data", sourcing="mixed", partners="Acme",
                gap=4, owner=member,
            )  # fmt: skip
        if action == "action_item_create":
            return lambda user: services.action_item_create(
                actor=user, summit=summit, title="Publish the prices", owner=member,
                owner_function=function, board=board, due_on=TODAY + timedelta(days=60),
            )  # fmt: skip
        if action == "action_item_start":
            return lambda user: services.action_item_start(actor=user, item=item)
        if action == "action_item_cancel":
            return lambda user: services.action_item_cancel(
                actor=user, item=item, reason="Overtaken by the new app"
            )
        if action == "action_item_replan":
            return lambda user: services.action_item_replan(
                actor=user, item=item, reason="Vendor late", due_on=item.due_on + timedelta(9)
            )
        if action == "action_item_progress":
            return lambda user: services.action_item_progress(
                actor=user, item=item, note="Draft done"
            )
        if action == "action_item_put_on_agenda":
            meeting = MeetingFactory(board=board)
            return lambda user: services.action_item_put_on_agenda(
                actor=user, item=item, meeting=meeting
            )
        # completing, by hand or by a decision, needs the item in progress
        services.action_item_start(actor=member, item=item)
        if action == "action_item_complete":
            return lambda user: services.action_item_complete(actor=user, item=item)
        assert action == "action_item_decide"
        return lambda user: services.action_item_decide(
            actor=user, item=item, outcome="complete", rationale="Checked at the meeting"
        )

    return build


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_permission_matrix(request, scene, action, role, participant, board_delegate):
    # given
    act = scene(action)
    user = request.getfixturevalue(role)
    before = state()
    # when / then
    if role in ALLOWED[action]:
        act(user)
        assert state() != before
    else:
        with pytest.raises(NotAllowed) as refusal:
            act(user)
        assert refusal.value.status_code == 403
        assert state() == before


def test_nobody_signed_out_or_deactivated_may_act(summit, item, summit_chair, member):
    from django.contrib.auth.models import AnonymousUser

    member.is_active = False
    for user in (AnonymousUser(), member):
        assert not permissions.can_manage_summit(user, summit)
        assert not permissions.can_review(user, summit)
        assert not permissions.can_work_on(user, item)
        assert not permissions.can_report_progress(user, item)
        assert not permissions.can_steer(user, item)
        assert not permissions.can_decide(user, item)
    summit_chair.is_active = False
    assert not permissions.can_record_actions(summit_chair, summit)


def test_acting_for_the_owner_function_is_owning(item, function_owner, delegate, chair):
    assert permissions.owns(function_owner, item)
    assert permissions.owns(delegate, item)
    assert not permissions.owns(chair, item)


def test_the_agenda_is_only_that_of_the_following_boards_meetings(item, chair):
    elsewhere = MeetingFactory(board__chair=chair)
    assert not permissions.can_put_on_agenda(chair, item, elsewhere)
    assert permissions.can_put_on_agenda(chair, item, MeetingFactory(board=item.board))
