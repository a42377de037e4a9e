"""A person's own work (/my-work/) and where each person lands on "/"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.models import Decision, Meeting, Membership
from boards.tests.factories import BoardFactory, MeetingFactory, MembershipFactory
from charter.models import Claim, Conflict, Right, RightAssignment
from charter.permissions import can_decide_claim
from charter.tests.factories import ClaimFactory, RightAssignmentFactory
from engagement.dashboard.work import claims_to_decide, conflicts_to_resolve
from engagement.notify.tests.factories import NotificationFactory
from engagement.org.tests.factories import FunctionFactory, UserFactory
from summits.models import ActionItem
from summits.tests.factories import ActionItemFactory
from touchpoints.tests.factories import JourneyStageFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

URL = "/my-work/"
# The page's whole cost, whatever the number of rows (see test_query_count_is_fixed): the
# session and the person, their roles (2), then two queries per section at most.
WORK_QUERIES = 20


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


def decision(board, *, title="Decide", **kwargs) -> Decision:
    return Decision.objects.create(
        board=board, title=title, rationale="Facts.", logged_by=board.chair, **kwargs
    )


def conflict_over(claim, holder) -> Conflict:
    return Conflict.objects.create(
        claim=claim, touchpoint=claim.touchpoint, right=claim.right, holder_function=holder,
        claimant_function=claim.function,
    )  # fmt: skip


def page(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response, response.content.decode()


# --- Landing on "/" ----------------------------------------------------------------------------


def test_an_executive_lands_on_the_dashboard(client, executive):
    # The dashboard's URL comes from the dashboard page (dashboard:dashboard).
    client.force_login(executive)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:dashboard")


@pytest.mark.parametrize("role", ["member", "function_owner", "delegate", "outsider", "admin_user"])
def test_everyone_else_lands_on_their_own_work(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:my_work") == URL


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_work_comes_first_in_the_navigation_and_is_marked_current(client, member):
    response, _html = page(client, member)
    items = response.context["nav_items"]
    assert items[0]["label"] == "My work" and items[0]["url"] == URL
    assert [i["label"] for i in items if i["current"]] == ["My work"]


# --- Rights and claims -------------------------------------------------------------------------


def test_the_rights_of_the_functions_a_person_acts_for_by_touchpoint(client, delegate, function):
    consider = JourneyStageFactory(name="Consider", position=1)
    signup = TouchpointFactory(name="Sign-up page", stage=consider)
    script = TouchpointFactory(name="Call-centre script")
    RightAssignmentFactory(touchpoint=signup, right=Right.UPDATE, function=function)
    RightAssignmentFactory(touchpoint=signup, right=Right.DESIGN, function=function)
    RightAssignmentFactory(touchpoint=script, right=Right.BUILD, function=function)
    # Another function's right, and a right Marketing released, are not Marketing's now.
    RightAssignmentFactory(touchpoint=TouchpointFactory(name="Store layout"), right=Right.BUILD)
    RightAssignmentFactory(
        touchpoint=TouchpointFactory(name="Old brochure"), function=function,
        started_at=timezone.now() - timedelta(days=30), ended_at=timezone.now(),
        end_reason=RightAssignment.EndReason.RELEASED,
    )  # fmt: skip

    response, html = page(client, delegate)

    (rights,) = response.context["work"].functions
    assert rights.function == function and not rights.is_head
    assert (rights.rights_held, rights.touchpoint_count) == (3, 2)
    # Journey order, and the rights in the charter's order (design before update).
    assert [(h.touchpoint.name, [r.value for r in h.rights]) for h in rights.touchpoints] == [
        ("Sign-up page", ["design", "update"]),
        ("Call-centre script", ["build"]),
    ]
    assert "3 rights held" in html and "on 2 touchpoints" in html
    assert "you are a delegate" in html
    assert "Store layout" not in html and "Old brochure" not in html
    assert f'href="/charter/?function={function.slug}"' in html


def test_a_long_list_of_rights_says_how_many_more_and_links_to_the_matrix(
    client, function_owner, function
):
    for n in range(9):
        RightAssignmentFactory(touchpoint=TouchpointFactory(name=f"Page {n}"), function=function)
    response, html = page(client, function_owner)
    (rights,) = response.context["work"].functions
    assert len(rights.touchpoints) == 6 and rights.more == 3
    assert "and 3 more touchpoints" in html
    assert "you are its head" in html


def _governing_scene(function, other_function):
    """A board chaired by ``chair`` governing the "Buy" stage, with a delegate; claims and
    conflicts in its scope and out of it."""
    buy = JourneyStageFactory(name="Buy", position=3)
    chair = UserFactory(first_name="Dana", last_name="Chair")
    board = BoardFactory(name="Customer board", chair=chair)
    board.scope_stages.add(buy)
    board_delegate = UserFactory(first_name="Dele", last_name="Gate")
    MembershipFactory(board=board, person=board_delegate, function=function, is_delegate=True)
    in_scope = TouchpointFactory(name="Checkout", stage=buy)
    out_of_scope = TouchpointFactory(name="Brand campaign", stage=JourneyStageFactory(name="Bond"))
    claims = {
        "in_scope": ClaimFactory(touchpoint=in_scope, function=function, right=Right.DESIGN),
        "out_of_scope": ClaimFactory(touchpoint=out_of_scope, function=function),
        "granted": ClaimFactory(
            touchpoint=in_scope, function=other_function, status=Claim.Status.GRANTED
        ),
    }
    contested = ClaimFactory(
        touchpoint=in_scope, function=other_function, right=Right.OPERATE,
        status=Claim.Status.CONTESTED,
    )  # fmt: skip
    conflicts = {
        "in_scope": conflict_over(contested, holder=function),
        "out_of_scope": conflict_over(
            ClaimFactory(
                touchpoint=out_of_scope, function=other_function, status=Claim.Status.CONTESTED
            ),
            holder=function,
        ),
    }
    return chair, board_delegate, claims, conflicts


def test_claims_and_conflicts_wait_for_the_leaders_of_the_governing_board(
    client, function, other_function
):
    chair, board_delegate, claims, conflicts = _governing_scene(function, other_function)
    for person in (chair, board_delegate):
        response, html = page(client, person)
        work = response.context["work"]
        assert [w.claim for w in work.claims_to_decide] == [claims["in_scope"]]
        assert [w.conflict for w in work.conflicts] == [conflicts["in_scope"]]
        assert work.waiting_total == 2
        assert "Marketing claims the design right of “Checkout”" in html
        assert "Brand campaign" not in html
        # Due as the claim reminders count it: NOTIFY_CLAIM_DECISION_DAYS after the claim.
        assert "Decision due in 14 days" in html
        # The link to the conflict list shows the same conflicts: those in the board's scope.
        ((board, url),) = work.conflict_list_urls
        assert board.name == "Customer board" and url in html.replace("&amp;", "&")
        assert list(client.get(url).context["page"]) == [conflicts["in_scope"]]


def test_executives_decide_every_pending_claim(client, executive, function, other_function):
    _chair, _delegate, claims, conflicts = _governing_scene(function, other_function)
    response, _html = page(client, executive)
    work = response.context["work"]
    assert {w.claim for w in work.claims_to_decide} == {claims["in_scope"], claims["out_of_scope"]}
    assert {w.conflict for w in work.conflicts} == set(conflicts.values())


@pytest.mark.parametrize("role", ["member", "outsider", "admin_user"])
def test_nothing_waits_for_people_who_lead_no_board(client, request, role, function):
    _governing_scene(function, FunctionFactory(name="Sales"))
    response, html = page(client, request.getfixturevalue(role))
    work = response.context["work"]
    assert work.claims_to_decide == [] and work.conflicts == []
    assert "No claim waits for you." in html or "No claim waits for your approval." in html


def test_the_set_of_claims_to_decide_is_the_charters_rule(
    executive, member, outsider, function, other_function
):
    chair, board_delegate, _claims, _conflicts = _governing_scene(function, other_function)
    other_chair = BoardFactory(name="Archived board", chair=UserFactory(), is_active=False).chair
    pending = list(Claim.objects.pending())
    for person in (chair, board_delegate, executive, member, outsider, other_chair):
        expected = {c.pk for c in pending if can_decide_claim(person, c)}
        assert set(claims_to_decide(person).values_list("pk", flat=True)) == expected, person


def test_administrators_are_not_counted_as_deciders(admin_user, function, other_function):
    # The charter lets them decide (to put the record right); no claim waits for them.
    _governing_scene(function, other_function)
    assert can_decide_claim(admin_user, Claim.objects.pending().first())
    assert not claims_to_decide(admin_user).exists()
    assert not conflicts_to_resolve(admin_user).exists()


def test_the_open_claims_of_a_persons_functions(client, delegate, function, other_function):
    _chair, _board_delegate, claims, _conflicts = _governing_scene(function, other_function)
    contested = ClaimFactory(function=function, status=Claim.Status.CONTESTED)
    ClaimFactory(function=function, status=Claim.Status.REJECTED)
    response, html = page(client, delegate)
    work = response.context["work"]
    assert {c.pk for c in work.own_claims} == {
        claims["in_scope"].pk, claims["out_of_scope"].pk, contested.pk,
    }  # fmt: skip
    assert work.own_claims_total == 3
    assert f'href="/charter/claims/?function={function.slug}"' in html


# --- Decisions and action items ----------------------------------------------------------------


def test_decisions_and_items_due_the_overdue_first_in_the_reminders_words(
    client, delegate, function
):
    board = BoardFactory(name="Customer board")
    mine = ActionItemFactory(
        title="Rewrite the script", owner=delegate, owner_function=FunctionFactory(name="Ops"),
        due_on=days(-3), board=board,
    )  # fmt: skip
    theirs = decision(board, title="Publish the prices", owner_function=function, due_on=days(5))
    undated = decision(board, title="Keep an eye on churn", owner=delegate)
    today = ActionItemFactory(title="Call the agency", owner_function=function, due_on=days(0))
    # Not to carry out: done, implemented, or someone else's.
    ActionItemFactory(
        title="Done already", owner=delegate, status=ActionItem.Status.DONE,
        completed_on=days(-1), due_on=days(-2),
    )  # fmt: skip
    decision(board, title="Implemented", owner=delegate, status=Decision.Status.IMPLEMENTED)
    ActionItemFactory(title="Someone else's")

    response, html = page(client, delegate)

    work = response.context["work"]
    assert [i.obj for i in work.due] == [mine, today, theirs, undated]
    assert [i.due_text for i in work.due] == ["3 days overdue", "due today", "due in 5 days", ""]
    assert (work.decisions.total, work.decisions.overdue) == (2, 0)
    assert (work.actions.total, work.actions.overdue) == (2, 1)
    assert "3 days overdue" in html and "No due date" in html
    assert "Done already" not in html and "Implemented" not in html
    assert "Someone else&#x27;s" not in html
    assert f'href="{reverse("summits:my_actions")}"' in html
    assert f'href="/boards/decisions/?owner={delegate.pk}"' in html
    assert f'href="/boards/decisions/?owner_function={function.slug}"' in html


def test_only_the_first_eight_are_listed_with_the_total(client, member):
    for n in range(10):
        ActionItemFactory(title=f"Item {n}", owner=member, due_on=days(n))
    response, html = page(client, member)
    assert len(response.context["work"].due) == 8
    assert "8 of 10 shown." in html


# --- Meetings ----------------------------------------------------------------------------------


def test_the_next_meeting_of_each_board_a_person_chairs_or_sits_on(client, member, function):
    now = timezone.now()
    sits = BoardFactory(name="Customer board")
    MembershipFactory(board=sits, person=member, function=function, role=Membership.Role.CORE)
    MeetingFactory(board=sits, starts_at=now + timedelta(days=9))
    soon = MeetingFactory(board=sits, starts_at=now + timedelta(days=2))
    MeetingFactory(board=sits, starts_at=now + timedelta(days=1), status=Meeting.Status.CANCELLED)
    MeetingFactory(board=sits, starts_at=now - timedelta(days=3), status=Meeting.Status.HELD)
    chairs = BoardFactory(name="Web working group", chair=member)
    left = BoardFactory(name="Old board")
    MembershipFactory(
        board=left, person=member, function=function, started_on=days(-90), ended_on=days(-1)
    )
    MeetingFactory(board=left)
    archived = BoardFactory(name="Archived board", chair=member, is_active=False)
    MeetingFactory(board=archived)

    response, html = page(client, member)

    rows = response.context["work"].boards
    assert [(r.board, r.role, r.meeting) for r in rows] == [
        (sits, "core", soon),
        (chairs, "chair", None),
    ]
    assert soon.get_absolute_url() in html
    assert "No meeting scheduled" in html and "you chair it" in html
    assert "Old board" not in html and "Archived board" not in html


# --- Notifications and jobs --------------------------------------------------------------------


def test_unread_notifications_the_latest_few_and_the_count(client, member):
    for n in range(7):
        NotificationFactory(recipient=member, title=f"Reminder {n}")
    NotificationFactory(recipient=member, title="Already read", read_at=timezone.now())
    NotificationFactory(title="Someone else's reminder")

    response, html = page(client, member)

    work = response.context["work"]
    assert work.unread == 7 and len(work.notifications) == 5
    assert "The latest 5 of 7." in html
    assert "Already read" not in html and "Someone else" not in html
    assert 'href="/notifications/?unread=true"' in html


def test_administrators_see_the_background_jobs(client, admin_user):
    _response, html = page(client, admin_user)
    assert "Background jobs" in html and "Not running" in html


def test_others_do_not_see_the_background_jobs(client, member):
    response, html = page(client, member)
    assert response.context["work"].jobs is None
    assert "Background jobs" not in html


# --- Empty states ------------------------------------------------------------------------------


def test_each_section_says_what_would_appear_there(client, outsider):
    _response, html = page(client, outsider)
    for sentence in (
        "Nothing to carry out.",
        "You do not chair or sit on any board.",
        "No claim waits for you.",
        "Nothing unread.",
        "You do not act for any function.",
    ):
        assert sentence in html


# --- Query budget ------------------------------------------------------------------------------


def _populate(person, function, other_function, size: int) -> None:
    """``size`` rows of every section for ``person``, who acts for ``function`` and chairs a
    board governing the "Buy" stage."""
    buy = JourneyStageFactory(name="Buy", position=3)
    board = BoardFactory(name="Customer board", chair=person)
    board.scope_stages.add(buy)
    now = timezone.now()
    for n in range(size):
        touchpoint = TouchpointFactory(stage=buy)
        RightAssignmentFactory(touchpoint=touchpoint, function=function, right=Right.DESIGN)
        ClaimFactory(touchpoint=touchpoint, function=function, right=Right.BUILD)
        contested = ClaimFactory(
            touchpoint=touchpoint, function=other_function, status=Claim.Status.CONTESTED
        )
        conflict_over(contested, holder=function)
        decision(board, owner=person, due_on=days(n - 2))
        ActionItemFactory(owner=person, due_on=days(n - 2), board=board)
        other = BoardFactory()
        MembershipFactory(board=other, person=person, function=function)
        MeetingFactory(board=other, starts_at=now + timedelta(days=n + 1))
        NotificationFactory(recipient=person)


@pytest.mark.parametrize("role", ["function_owner", "admin_user"])
def test_query_count_is_fixed(client, request, role, function, other_function,
                              django_assert_num_queries):  # fmt: skip
    person = request.getfixturevalue(role)
    if role == "admin_user":
        function.delegates.add(person)
    client.force_login(person)
    _populate(person, function, other_function, 3)
    # Administrators add one query: the background jobs' heartbeat.
    budget = WORK_QUERIES + (1 if role == "admin_user" else 0)
    with django_assert_num_queries(budget):
        assert client.get(URL).status_code == 200
    _populate(person, FunctionFactory(name="Sales"), other_function, 27)
    with django_assert_num_queries(budget):
        response = client.get(URL)
    work = response.context["work"]
    assert work.due_total == 60 and len(work.boards) == 31
