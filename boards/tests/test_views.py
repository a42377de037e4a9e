"""The board pages: what people see, what their forms do (and refuse), and the htmx paths."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from boards import services
from boards.models import (
    AgendaItem,
    Attendance,
    Board,
    Decision,
    Escalation,
    Meeting,
    Membership,
)
from boards.panels import render_boards_panel
from boards.tests.factories import BoardFactory, MeetingFactory, MembershipFactory
from charter import services as charter_services
from charter.models import Claim, Conflict, RightAssignment
from engagement.audit.models import AuditEvent
from engagement.org.tests.factories import FunctionFactory, UserFactory
from touchpoints.tests.factories import KpiFactory, MeasurementFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LONG_AGO = date(2026, 1, 1)


# --- The scene ---------------------------------------------------------------------------------


def _seat(board, person, function, role=Membership.Role.CORE, **extra):
    return MembershipFactory(
        board=board, person=person, function=function, role=role, started_on=LONG_AGO, **extra
    )


@pytest.fixture
def core_members(board, function, other_function):
    """Three core members: Marketing, Marketing, Operations."""
    people = [
        UserFactory(first_name="Ann", last_name="Core"),
        UserFactory(first_name="Ben", last_name="Core"),
        UserFactory(first_name="Cy", last_name="Core"),
    ]
    _seat(board, people[0], function)
    _seat(board, people[1], function)
    _seat(board, people[2], other_function)
    return people


@pytest.fixture
def conflict(admin_user, function_owner, touchpoint, function, other_function):
    """Operations builds the script; Marketing claims the right: a conflict in scope."""
    charter_services.right_assign(
        actor=admin_user, touchpoint=touchpoint, right="build", function=other_function
    )
    claim = charter_services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="build", function=function,
        rationale="Scripts are brand voice.",
    )  # fmt: skip
    return claim.conflict


@pytest.fixture
def past_meeting(board):
    """A meeting that started half an hour ago."""
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    return MeetingFactory(board=board, starts_at=start, ends_at=start + timedelta(hours=1))


@pytest.fixture
def future_meeting(board):
    return MeetingFactory(board=board)


@pytest.fixture
def decision(board, chair):
    return services.decision_log(
        actor=chair, board=board, title="Shorten the IVR menu", rationale="Callers hang up.",
        due_on=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip


def _page(client, url, status=200, **extra):
    response = client.get(url, **extra)
    assert response.status_code == status, response.content.decode()[:3000]
    return response.content.decode()


def _post(client, url, data=None, status=200, **extra):
    response = client.post(url, data or {}, **extra)
    assert response.status_code == status, response.content.decode()[:3000]
    return response


def _audit_count():
    return AuditEvent.objects.count()


# --- Every page: signed in it renders, anonymous goes to the login -----------------------------


@pytest.fixture
def pages(board, decision, past_meeting, top, chair):
    escalation = services.escalation_raise(
        actor=chair, board=board, reason="Needs the CEO.", decision=decision
    )
    return [
        reverse("boards:board_list"),
        reverse("boards:board_create"),
        reverse("boards:board_detail", kwargs={"pk": board.pk}),
        reverse("boards:board_update", kwargs={"pk": board.pk}),
        reverse("boards:meeting_create", kwargs={"pk": board.pk}),
        reverse("boards:meeting_detail", kwargs={"pk": past_meeting.pk}),
        reverse("boards:meeting_minutes", kwargs={"pk": past_meeting.pk}),
        reverse("boards:decision_list"),
        reverse("boards:decision_detail", kwargs={"pk": decision.pk}),
        reverse("boards:decision_create", kwargs={"pk": board.pk}),
        reverse("boards:decision_supersede", kwargs={"pk": decision.pk}),
        reverse("boards:escalation_inbox"),
        reverse("boards:escalation_detail", kwargs={"pk": escalation.pk}),
        reverse("boards:escalation_create", kwargs={"pk": board.pk}),
    ]


def test_every_page_renders_for_the_chair(client, chair, admin_user, pages):
    client.force_login(chair)
    create = reverse("boards:board_create")
    for url in pages:
        _page(client, url, status=403 if url == create else 200)
    client.force_login(admin_user)
    _page(client, create)


def test_read_pages_render_for_any_member_and_forms_say_why_not(client, member, pages):
    """Reading is open to everyone signed in; a form the person may not use is a 403 page
    that says who may."""
    client.force_login(member)
    forms = {"new", "edit", "meetings/new", "decisions/new", "supersede", "escalate"}
    for url in pages:
        status = 403 if any(f"/{part}/" in url for part in forms) else 200
        page = _page(client, url, status=status)
        if status == 403:
            assert "notice--error" in page


def test_anonymous_visitors_are_sent_to_sign_in(client, pages):
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "name",
    [
        "boards:board_detail", "boards:board_update", "boards:meeting_detail",
        "boards:meeting_minutes", "boards:decision_detail", "boards:decision_create",
        "boards:escalation_detail", "boards:escalation_create",
    ],
)  # fmt: skip
def test_objects_that_do_not_exist_are_404(client, member, name):
    client.force_login(member)
    assert client.get(reverse(name, kwargs={"pk": 999999})).status_code == 404


# --- Board list --------------------------------------------------------------------------------


def test_board_list_shows_each_board_with_its_people_and_counts(
    client, chair, board, top, core_members, decision
):
    Decision.objects.filter(pk=decision.pk).update(due_on=date(2026, 1, 2))  # now overdue
    MeetingFactory(board=board)
    client.force_login(chair)
    page = _page(client, reverse("boards:board_list"))
    assert "Customer board" in page and "Executive committee" in page
    assert "Dana Chair" in page
    assert "You: chair" in page
    assert "1 overdue" in page and "1 open" in page
    assert reverse("boards:escalation_inbox") in page
    assert "Create a calendar address" in page  # the person's own feed
    assert reverse("boards:board_create") not in page  # not an administrator


def test_board_list_offers_new_board_and_counts_the_inbox(client, admin_user, top, top_chair):
    client.force_login(admin_user)
    assert reverse("boards:board_create") in _page(client, reverse("boards:board_list"))
    sub = BoardFactory(name="Web group", escalates_to=top)
    services.escalation_raise(actor=sub.chair, board=sub, reason="Help", title="Budget")
    client.force_login(top_chair)
    page = _page(client, reverse("boards:board_list"))
    assert "1 escalation waits for a body you lead." in page


# --- Board detail ------------------------------------------------------------------------------


def test_board_detail_shows_the_board_and_its_health(
    client, chair, board, core_members, conflict, decision, function, other_function
):
    third = FunctionFactory(name="Service")
    other_tp = TouchpointFactory(name="Store layout")
    board.scope_touchpoints.add(other_tp)
    charter_services.right_assign(
        actor=UserFactory(is_staff=True), touchpoint=other_tp, right="operate", function=third
    )
    client.force_login(chair)
    page = _page(client, reverse("boards:board_detail", kwargs={"pk": board.pk}))
    assert "Weekly on Monday" in page
    assert "Executive committee" in page
    assert "Marketing" in page and "Operations" in page
    assert "Core" in page
    # health: the gap, in words
    assert "Representation gaps:" in page and "Service" in page
    assert "bound by the board's decisions without being heard" in page
    # the conflict, with a link to resolve it by a decision
    resolve = (
        reverse("boards:decision_create", kwargs={"pk": board.pk}) + f"?conflict={conflict.pk}"
    )
    assert resolve in page
    assert "Shorten the IVR menu" in page
    assert f"?board={board.pk}" in page
    # leaders' buttons
    for name in ("decision_create", "meeting_create", "escalation_create", "board_update"):
        assert reverse(f"boards:{name}", kwargs={"pk": board.pk}) in page


def test_board_detail_hides_leaders_controls_from_members(client, member, board, conflict):
    client.force_login(member)
    page = _page(client, reverse("boards:board_detail", kwargs={"pk": board.pk}))
    assert "Resolve by decision" not in page
    assert reverse("boards:decision_create", kwargs={"pk": board.pk}) not in page
    assert reverse("boards:membership_add", kwargs={"pk": board.pk}) not in page
    assert "End membership" not in page


def test_claims_waiting_in_scope_can_be_approved_by_the_chair_from_the_board(
    client, settings, chair, board, touchpoint, function_owner, function
):
    settings.CHARTER_CLAIMS_NEED_APPROVAL = True
    claim = charter_services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function
    )
    assert claim.status == Claim.Status.PENDING
    client.force_login(chair)
    url = reverse("boards:board_detail", kwargs={"pk": board.pk})
    page = _page(client, url)
    approve = reverse("charter:claim_approve", kwargs={"pk": claim.pk})
    assert approve in page and reverse("charter:claim_reject", kwargs={"pk": claim.pk}) in page
    response = _post(client, approve, {"origin": "next", "next": url, "note": "Fine"}, status=302)
    assert response["Location"] == url
    claim.refresh_from_db()
    assert claim.status == Claim.Status.GRANTED


# --- Board set-up ------------------------------------------------------------------------------


def _board_data(**overrides):
    data = {
        "name": "Service board",
        "purpose": "Service journeys",
        "cadence": "FREQ=MONTHLY;BYDAY=1TU",
        "time_zone": "Europe/London",
        "starts_on": "2026-02-01",
        "start_time": "10:00",
        "duration_minutes": "90",
        "location": "Room 4",
        "core_size_limit": "10",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_board(client, admin_user, chair, top, touchpoint):
    client.force_login(admin_user)
    data = _board_data(chair=chair.pk, escalates_to=top.pk, scope_touchpoints=[touchpoint.pk])
    response = _post(client, reverse("boards:board_create"), data, status=302)
    board = Board.objects.get(name="Service board")
    assert response["Location"] == board.get_absolute_url()
    assert board.chair == chair and board.escalates_to == top
    assert list(board.scope_touchpoints.all()) == [touchpoint]
    assert board.duration_minutes == 90


def test_board_create_shows_errors_on_their_field_and_keeps_what_was_typed(
    client, admin_user, chair
):
    client.force_login(admin_user)
    count = Board.objects.count()
    data = _board_data(chair=chair.pk, cadence="FREQ=HOURLY", location="Room 12b")
    response = client.post(reverse("boards:board_create"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "cannot meet more often than daily" in " ".join(form.errors["cadence"])
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'value="Room 12b"' in page and 'value="FREQ=HOURLY"' in page
    assert Board.objects.count() == count


def test_only_administrators_create_boards(client, chair):
    client.force_login(chair)
    count = Board.objects.count()
    response = client.post(reverse("boards:board_create"), _board_data(chair=chair.pk))
    assert response.status_code == 403
    assert "Only administrators can create boards." in response.content.decode()
    assert Board.objects.count() == count


def test_chair_edits_cadence_and_scope_but_sees_the_leaders_read_only(
    client, chair, board, touchpoint
):
    other = TouchpointFactory(name="Store layout")
    client.force_login(chair)
    url = reverse("boards:board_update", kwargs={"pk": board.pk})
    response = client.get(url)
    assert "chair" not in response.context["form"].fields
    assert "Only an administrator changes who leads the board" in response.content.decode()
    data = _board_data(name=board.name, scope_touchpoints=[touchpoint.pk, other.pk])
    _post(client, url, data, status=302)
    board.refresh_from_db()
    assert board.cadence == "FREQ=MONTHLY;BYDAY=1TU" and board.location == "Room 4"
    assert set(board.scope_touchpoints.all()) == {touchpoint, other}
    assert board.chair == chair


def test_board_update_refused_to_a_member_changes_nothing(client, member, board):
    client.force_login(member)
    before = _audit_count()
    response = client.post(
        reverse("boards:board_update", kwargs={"pk": board.pk}), _board_data(name=board.name)
    )
    assert response.status_code == 403
    assert "Only the chair, the sponsor or an administrator can change" in (
        response.content.decode()
    )
    board.refresh_from_db()
    assert board.location == "Board room" and _audit_count() == before


# --- Members -----------------------------------------------------------------------------------


def test_chair_adds_a_member_with_htmx(client, chair, board, member, function):
    client.force_login(chair)
    response = _post(
        client,
        reverse("boards:membership_add", kwargs={"pk": board.pk}),
        {"person": member.pk, "function": function.pk, "role": "core", "is_delegate": "on"},
        **HTMX,
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="section" id="members"')
    assert "<html" not in page
    assert member.display_name in page and "Chair's delegate" in page
    membership = Membership.objects.get(board=board, person=member)
    assert membership.role == "core" and membership.is_delegate


def test_adding_a_member_twice_is_a_409_on_the_form(client, chair, board, member, function):
    _seat(board, member, function)
    client.force_login(chair)
    response = client.post(
        reverse("boards:membership_add", kwargs={"pk": board.pk}),
        {"person": member.pk, "function": function.pk, "role": "member"},
        **HTMX,
    )
    assert response.status_code == 409
    assert response["HX-Form-Fragment"] == "1"
    assert "is already a member" in response.content.decode()


def test_member_form_errors_stay_on_the_board_page(client, chair, board, function):
    client.force_login(chair)
    response = client.post(
        reverse("boards:membership_add", kwargs={"pk": board.pk}),
        {"function": function.pk, "role": "advisor"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert '<option value="advisor" selected>' in page


def test_a_member_cannot_add_members(client, member, board, function):
    client.force_login(member)
    response = client.post(
        reverse("boards:membership_add", kwargs={"pk": board.pk}),
        {"person": member.pk, "function": function.pk, "role": "core"},
    )
    assert response.status_code == 403
    assert "Only the chair, the sponsor or an administrator can change the members" in (
        response.content.decode()
    )
    assert not Membership.objects.filter(board=board).exists()


def test_chair_ends_a_membership_and_a_member_cannot(client, chair, member, board, core_members):
    membership = Membership.objects.get(board=board, person=core_members[0])
    url = reverse("boards:membership_end", kwargs={"pk": membership.pk})
    client.force_login(member)
    response = client.post(url, **HTMX)
    assert response.status_code == 403
    assert "Only the chair, the sponsor or an administrator" in response.content.decode()
    membership.refresh_from_db()
    assert membership.ended_on is None
    client.force_login(chair)
    _post(client, url, status=302)
    membership.refresh_from_db()
    assert membership.ended_on == timezone.localdate()
    assert client.post(reverse("boards:membership_end", kwargs={"pk": 999999})).status_code == 404


# --- Meetings ----------------------------------------------------------------------------------


def test_chair_schedules_an_ad_hoc_meeting_in_the_boards_time_zone(client, chair, board):
    client.force_login(chair)
    response = _post(
        client,
        reverse("boards:meeting_create", kwargs={"pk": board.pk}),
        {"starts_at": "2030-07-01T14:00", "duration_minutes": "45", "location": "Room 2"},
        status=302,
    )
    meeting = Meeting.objects.get(board=board)
    assert response["Location"] == meeting.get_absolute_url()
    local = meeting.starts_at.astimezone(ZoneInfo("Europe/London"))
    assert (local.hour, local.minute) == (14, 0)  # 14:00 in London (summer time), not UTC
    assert meeting.starts_at.astimezone(ZoneInfo("UTC")).hour == 13
    assert meeting.ends_at - meeting.starts_at == timedelta(minutes=45)
    assert meeting.is_ad_hoc


def test_a_clashing_meeting_is_refused_on_its_field(client, chair, board, future_meeting):
    client.force_login(chair)
    local = future_meeting.starts_at.astimezone(ZoneInfo(board.time_zone))
    response = client.post(
        reverse("boards:meeting_create", kwargs={"pk": board.pk}),
        {"starts_at": local.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": "30"},
    )
    assert response.status_code == 409
    assert "would clash" in " ".join(response.context["form"].errors["starts_at"])
    assert Meeting.objects.filter(board=board).count() == 1


def test_meeting_page_shows_the_controls_only_to_leaders(client, chair, member, future_meeting):
    url = reverse("boards:meeting_detail", kwargs={"pk": future_meeting.pk})
    client.force_login(chair)
    page = _page(client, url)
    assert "Add an agenda item" in page and "Cancel the meeting" in page
    assert "Move the meeting" in page
    assert "it can be marked held once it has" in page
    client.force_login(member)
    page = _page(client, url)
    assert "Add an agenda item" not in page and "Cancel the meeting" not in page


def test_agenda_item_refused_to_a_member(client, member, future_meeting):
    client.force_login(member)
    before = _audit_count()
    response = client.post(
        reverse("boards:agenda_item_add", kwargs={"pk": future_meeting.pk}),
        {"title": "Mine", "duration_minutes": "5"},
    )
    assert response.status_code == 403
    assert "Only the chair of Customer board" in response.content.decode()
    assert not AgendaItem.objects.exists() and _audit_count() == before


def test_agenda_item_form_errors_keep_what_was_typed(client, chair, future_meeting):
    client.force_login(chair)
    response = client.post(
        reverse("boards:agenda_item_add", kwargs={"pk": future_meeting.pk}),
        {"title": "Pricing letters", "duration_minutes": "0"},
        **HTMX,
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="section section--first" id="agenda"')
    assert 'value="Pricing letters"' in page
    assert "Ensure this value is greater than or equal to 1." in page


def test_agenda_items_move_and_are_removed_with_htmx(client, chair, future_meeting):
    first = services.agenda_item_add(actor=chair, meeting=future_meeting, title="First")
    second = services.agenda_item_add(actor=chair, meeting=future_meeting, title="Second")
    client.force_login(chair)
    response = _post(
        client, reverse("boards:agenda_item_move", kwargs={"pk": second.pk}),
        {"direction": "up"}, **HTMX,
    )  # fmt: skip
    page = response.content.decode()
    assert page.index("Second") < page.index("First")
    _post(client, reverse("boards:agenda_item_remove", kwargs={"pk": first.pk}), **HTMX)
    assert list(future_meeting.agenda_items.values_list("title", flat=True)) == ["Second"]
    response = client.post(
        reverse("boards:agenda_item_move", kwargs={"pk": second.pk}), {"direction": "sideways"},
        **HTMX,
    )  # fmt: skip
    assert response.status_code == 400
    assert "Move an item up or down." in response.content.decode()


def test_presence_before_the_meeting_starts_is_refused_with_the_reason(
    client, chair, future_meeting, core_members
):
    client.force_login(chair)
    url = reverse("boards:attendance_record", kwargs={"pk": future_meeting.pk})
    response = client.post(url, {"person": core_members[0].pk, "status": "present"}, **HTMX)
    assert response.status_code == 400
    assert "Attendance is taken once the meeting has started" in response.content.decode()
    assert not Attendance.objects.exists()
    _post(client, url, {"person": core_members[0].pk, "status": "apologies"}, **HTMX)
    assert Attendance.objects.get().status == "apologies"


def test_attendance_refused_to_a_member(client, member, past_meeting, core_members):
    client.force_login(member)
    response = client.post(
        reverse("boards:attendance_record", kwargs={"pk": past_meeting.pk}),
        {"person": core_members[0].pk, "status": "present"},
    )
    assert response.status_code == 403
    assert "Only the chair of Customer board" in response.content.decode()
    assert not Attendance.objects.exists()


def test_cancel_needs_a_reason_and_then_cancels(client, chair, future_meeting):
    client.force_login(chair)
    url = reverse("boards:meeting_cancel", kwargs={"pk": future_meeting.pk})
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    _post(client, url, {"reason": "The CMO is away"}, status=302)
    future_meeting.refresh_from_db()
    assert future_meeting.status == "cancelled" and future_meeting.status_note == "The CMO is away"
    page = _page(client, reverse("boards:meeting_detail", kwargs={"pk": future_meeting.pk}))
    assert "This meeting was cancelled. The CMO is away" in page


def test_moving_a_meeting(client, chair, board, future_meeting):
    client.force_login(chair)
    url = reverse("boards:meeting_update", kwargs={"pk": future_meeting.pk})
    response = _post(
        client, url, {"part": "move", "starts_at": "2031-03-03T08:30", "location": "Online"},
        status=302,
    )  # fmt: skip
    assert response["Location"].endswith("#status")
    future_meeting.refresh_from_db()
    assert future_meeting.location == "Online"
    local = future_meeting.starts_at.astimezone(ZoneInfo("Europe/London"))
    assert (local.date(), local.hour, local.minute) == (date(2031, 3, 3), 8, 30)
    response = client.post(url, {"part": "move", "starts_at": "not a date"})
    assert response.status_code == 400
    assert 'value="not a date"' in response.content.decode()


def test_holding_a_meeting_before_it_starts_is_refused(client, chair, future_meeting):
    client.force_login(chair)
    response = client.post(reverse("boards:meeting_hold", kwargs={"pk": future_meeting.pk}))
    assert response.status_code == 400
    assert "has not started yet" in response.content.decode()
    future_meeting.refresh_from_db()
    assert future_meeting.status == "scheduled"


def test_only_the_chair_approves_minutes(client, board, past_meeting, chair, function):
    delegate = UserFactory()
    _seat(board, delegate, function, is_delegate=True)
    services.meeting_hold(actor=chair, meeting=past_meeting)
    client.force_login(delegate)
    page = _page(client, reverse("boards:meeting_detail", kwargs={"pk": past_meeting.pk}))
    assert "Approve the minutes" not in page and "The chair approves the minutes." in page
    response = client.post(reverse("boards:minutes_approve", kwargs={"pk": past_meeting.pk}))
    assert response.status_code == 403
    assert "Only the chair of Customer board approves its minutes." in response.content.decode()
    past_meeting.refresh_from_db()
    assert not past_meeting.minutes_approved


def test_a_chair_runs_a_meeting_end_to_end(
    client, chair, board, past_meeting, core_members, conflict, function, other_function
):
    """Agenda with the conflict, attendance until the quorum is reached, a decision in the
    meeting that resolves the conflict (the charter's right moves), held, minutes approved."""
    client.force_login(chair)
    meeting_url = reverse("boards:meeting_detail", kwargs={"pk": past_meeting.pk})

    # the agenda: the conflict in scope, named after it
    response = _post(
        client, reverse("boards:agenda_item_add", kwargs={"pk": past_meeting.pk}),
        {"conflict": conflict.pk, "duration_minutes": "20", "presenter": core_members[0].pk},
        **HTMX,
    )  # fmt: skip
    page = response.content.decode()
    assert "Conflict: " in page and f"Conflict #{conflict.pk}" in page
    item = AgendaItem.objects.get(meeting=past_meeting)
    assert item.conflict == conflict and item.touchpoint_id == conflict.touchpoint_id

    # attendance: 1 of 3 core is not a quorum; 2 of 3 is
    attendance_url = reverse("boards:attendance_record", kwargs={"pk": past_meeting.pk})
    response = _post(
        client, attendance_url, {"person": core_members[0].pk, "status": "present"}, **HTMX
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="attendance-rows">')
    assert 'hx-swap-oob="innerHTML"' in page
    assert "Quorum: 1 of 3 core members present (2 needed) — <strong>not reached" in page
    _post(client, attendance_url, {"person": core_members[2].pk, "status": "absent"}, **HTMX)
    response = _post(
        client, attendance_url, {"person": core_members[1].pk, "status": "present"}, **HTMX
    )
    assert "Quorum: 2 of 3 core members present (2 needed) — <strong>reached" in (
        response.content.decode()
    )

    # the decision, from the agenda's link, in this meeting
    page = _page(client, meeting_url)
    create = reverse("boards:decision_create", kwargs={"pk": board.pk})
    link = f"{create}?conflict={conflict.pk}&amp;meeting={past_meeting.pk}"
    assert link in page
    form_page = _page(client, link.replace("&amp;", "&"))
    assert "which claims it" in form_page and "which holds it now" in form_page
    response = _post(
        client, create,
        {
            "conflict": conflict.pk, "meeting": past_meeting.pk, "winner": function.pk,
            "title": "Marketing builds the script", "rationale": "Brand voice matters most.",
            "owner": core_members[0].pk, "touchpoints": [conflict.touchpoint_id],
        },
        **HTMX,
    )  # fmt: skip
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="decision-form-region">')
    assert "Logged just now" in page and "Marketing builds the script" in page
    assert "The conflict is resolved" in page
    assert 'name="title" value=' not in page  # the form is empty again
    decision = Decision.objects.get(title="Marketing builds the script")
    assert decision.meeting == past_meeting and decision.conflict == conflict
    holder = RightAssignment.objects.get(
        touchpoint=conflict.touchpoint, right="build", ended_at__isnull=True
    )
    assert holder.function == function
    conflict.refresh_from_db()
    assert conflict.status == Conflict.Status.RESOLVED and conflict.winner == function

    # notes, held, minutes
    _post(
        client, reverse("boards:meeting_update", kwargs={"pk": past_meeting.pk}),
        {"part": "notes", "minutes_notes": "Agreed to review in a quarter."}, status=302,
    )  # fmt: skip
    _post(client, reverse("boards:meeting_hold", kwargs={"pk": past_meeting.pk}), status=302)
    minutes_url = reverse("boards:meeting_minutes", kwargs={"pk": past_meeting.pk})
    draft = _page(client, minutes_url)
    assert "DRAFT" in draft and "Marketing builds the script" in draft
    response = _post(
        client, reverse("boards:minutes_approve", kwargs={"pk": past_meeting.pk}), status=302
    )
    assert response["Location"] == minutes_url
    past_meeting.refresh_from_db()
    assert past_meeting.status == "held" and past_meeting.minutes_approved
    minutes = _page(client, minutes_url)
    assert "DRAFT" not in minutes
    assert "Approved by Dana Chair" in minutes
    assert "Marketing builds the script" in minutes
    assert "Agreed to review in a quarter." in minutes
    assert "Quorum: 2 of 3 core members present (2 needed)" in minutes
    assert "Ann Core" in minutes
    # the record is closed: no more controls
    page = _page(client, meeting_url)
    assert "Add an agenda item" not in page and "Approve the minutes" not in page
    assert "the meeting's record is closed" in page


# --- Decisions ---------------------------------------------------------------------------------


def test_log_decision_form_offers_scope_first_and_the_kpis(client, chair, board, touchpoint):
    KpiFactory(touchpoint=touchpoint, name="First-call resolution")
    TouchpointFactory(name="Zebra kiosk")
    client.force_login(chair)
    page = _page(client, reverse("boards:decision_create", kwargs={"pk": board.pk}))
    assert page.index("Governed by this board") < page.index("Other touchpoints")
    assert page.index("Call-centre script") < page.index("Zebra kiosk")
    assert "First-call resolution (%)" in page
    assert 'for="decision_title"' in page


def test_logging_a_decision_without_htmx_goes_to_it_with_its_facts(
    client, chair, board, touchpoint
):
    kpi = KpiFactory(touchpoint=touchpoint, name="First-call resolution")
    MeasurementFactory(kpi=kpi, value="62")
    client.force_login(chair)
    response = _post(
        client, reverse("boards:decision_create", kwargs={"pk": board.pk}),
        {"title": "Retrain agents", "rationale": "FCR is low.", "kpis": [kpi.pk]}, status=302,
    )  # fmt: skip
    decision = Decision.objects.get(title="Retrain agents")
    assert response["Location"] == decision.get_absolute_url()
    page = _page(client, decision.get_absolute_url())
    assert "First-call resolution" in page and "62" in page and "Off target" in page


def test_log_decision_errors_keep_what_was_typed(client, chair, board):
    client.force_login(chair)
    due = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = client.post(
        reverse("boards:decision_create", kwargs={"pk": board.pk}),
        {"title": "Open a chat line", "rationale": "Customers ask for it.", "due_on": due},
        **HTMX,
    )
    assert response.status_code == 400
    assert response["HX-Form-Fragment"] == "1"
    page = response.content.decode()
    assert "The due date cannot be in the past." in page
    assert 'value="Open a chat line"' in page and "Customers ask for it." in page
    assert not Decision.objects.exists()


def test_a_conflict_decision_needs_a_winner(client, chair, board, conflict):
    client.force_login(chair)
    response = client.post(
        reverse("boards:decision_create", kwargs={"pk": board.pk}),
        {"conflict": conflict.pk, "title": "Decide", "rationale": "Because"},
    )
    assert response.status_code == 400
    assert "winner" in response.context["form"].errors
    conflict.refresh_from_db()
    assert conflict.status == Conflict.Status.OPEN


def test_a_member_cannot_log_a_decision(client, member, board):
    client.force_login(member)
    page = _page(client, reverse("boards:decision_create", kwargs={"pk": board.pk}), status=403)
    assert "Only the chair of Customer board or a delegate" in page
    before = _audit_count()
    response = client.post(
        reverse("boards:decision_create", kwargs={"pk": board.pk}),
        {"title": "Sneaky", "rationale": "Because"},
    )
    assert response.status_code == 403
    assert "Only the chair of Customer board or a delegate the chair names can log" in (
        response.content.decode()
    )
    assert not Decision.objects.exists() and _audit_count() == before


def test_decision_list_filters_and_strikes_superseded_decisions(
    client, member, chair, board, decision
):
    newer = services.decision_supersede(
        actor=chair, decision=decision, title="Shorten the IVR menu to three options",
        rationale="Test showed three is enough.",
    )  # fmt: skip
    other = BoardFactory(name="Sales board")
    services.decision_log(actor=other.chair, board=other, title="Discounts", rationale="Q4")
    client.force_login(member)
    page = _page(client, reverse("boards:decision_list") + f"?board={board.pk}")
    assert "Discounts" not in page
    assert f'<s><a href="{decision.get_absolute_url()}">Shorten the IVR menu</a></s>' in page
    assert "Superseded by" in page and newer.get_absolute_url() in page
    assert "Decision log of Customer board" in page
    response = client.get(reverse("boards:decision_list") + "?status=superseded")
    assert list(response.context["page"].object_list) == [decision]
    response = client.get(reverse("boards:decision_list") + "?due_after=someday")
    assert response.status_code == 400


def test_decision_list_with_htmx_answers_the_results(client, member, decision):
    client.force_login(member)
    response = client.get(reverse("boards:decision_list") + "?q=IVR", **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="decision-results"')
    assert "Shorten the IVR menu" in page and "<html" not in page


def test_mark_implemented_with_htmx_and_refused_to_others(client, chair, member, decision):
    url = reverse("boards:decision_implemented", kwargs={"pk": decision.pk})
    client.force_login(member)
    response = client.post(url, **HTMX)
    assert response.status_code == 403
    assert "Only the decision&#x27;s owner" in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == "open"
    client.force_login(chair)
    response = _post(client, url, **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="panel decision-status-panel"')
    assert "Implemented" in page and "Mark as carried out" not in page
    decision.refresh_from_db()
    assert decision.status == "implemented" and decision.implemented_by == chair


def test_supersede_starts_from_the_old_decision(client, chair, board, decision, touchpoint):
    decision.touchpoints.add(touchpoint)
    client.force_login(chair)
    url = reverse("boards:decision_supersede", kwargs={"pk": decision.pk})
    response = client.get(url)
    form = response.context["form"]
    assert form["title"].value() == "Shorten the IVR menu"
    assert form["touchpoints"].value() == [touchpoint.pk]
    response = _post(
        client, url, {"title": "Shorten it to three", "rationale": "Tested.",
                      "touchpoints": [touchpoint.pk]}, status=302,
    )  # fmt: skip
    new = Decision.objects.get(title="Shorten it to three")
    assert response["Location"] == new.get_absolute_url()
    decision.refresh_from_db()
    assert decision.status == "superseded"
    page = _page(client, decision.get_absolute_url())
    assert "This decision is superseded by" in page and new.get_absolute_url() in page
    assert client.get(url).status_code == 409  # already superseded


# --- Escalations -------------------------------------------------------------------------------


def test_escalating_a_decision_and_the_top_deciding_it(
    client, chair, top_chair, board, top, decision
):
    client.force_login(chair)
    url = reverse("boards:escalation_create", kwargs={"pk": board.pk}) + f"?decision={decision.pk}"
    page = _page(client, url)
    assert "Executive committee (next above)" in page
    response = _post(
        client, url, {"decision": decision.pk, "to_board": top.pk, "reason": "Budget needed"},
        status=302,
    )  # fmt: skip
    escalation = Escalation.objects.get()
    assert response["Location"] == escalation.get_absolute_url()
    assert escalation.title == "Shorten the IVR menu"
    decision.refresh_from_db()
    assert decision.status == "escalated"

    client.force_login(top_chair)
    inbox = _page(client, reverse("boards:escalation_inbox"))
    assert "Waiting for you" in inbox and "Shorten the IVR menu" in inbox
    detail = _page(client, escalation.get_absolute_url())
    assert "Acknowledge" in detail and "Send back" in detail
    _post(
        client, reverse("boards:escalation_acknowledge", kwargs={"pk": escalation.pk}), status=302
    )
    response = client.post(
        reverse("boards:escalation_resolve", kwargs={"pk": escalation.pk}), {"rationale": ""}
    )
    assert response.status_code == 400
    _post(
        client, reverse("boards:escalation_resolve", kwargs={"pk": escalation.pk}),
        {"rationale": "Funded from the service budget."}, status=302,
    )  # fmt: skip
    escalation.refresh_from_db()
    assert escalation.status == "resolved" and escalation.resolution.board == top
    page = _page(client, escalation.get_absolute_url())
    assert "Acknowledged by Catherine Moreau" in page and "Decided by Catherine Moreau" in page
    assert "Funded from the service budget." in page


def test_escalation_answers_are_refused_to_others(client, chair, board, decision):
    escalation = services.escalation_raise(
        actor=chair, board=board, reason="Budget", decision=decision
    )
    client.force_login(chair)  # the raiser does not answer
    page = _page(client, escalation.get_absolute_url())
    assert "Answer the escalation" not in page
    for name, data in (
        ("escalation_acknowledge", {}),
        ("escalation_return", {"response": "No"}),
        ("escalation_resolve", {"rationale": "No"}),
    ):
        response = client.post(reverse(f"boards:{name}", kwargs={"pk": escalation.pk}), data)
        assert response.status_code == 403
        assert "Only the chair of Executive committee, or a delegate" in (response.content.decode())
    escalation.refresh_from_db()
    assert escalation.status == "open"


def test_sending_an_escalated_conflict_back(client, chair, top_chair, board, conflict):
    escalation = services.escalation_raise(
        actor=chair, board=board, reason="Two heads disagree", conflict=conflict
    )
    client.force_login(top_chair)
    page = _page(client, escalation.get_absolute_url())
    assert "The right goes to" in page
    url = reverse("boards:escalation_return", kwargs={"pk": escalation.pk})
    response = client.post(url, {"response": ""})
    assert response.status_code == 400
    _post(client, url, {"response": "Decide it yourselves."}, status=302)
    escalation.refresh_from_db()
    assert escalation.status == "returned"
    assert "Sent back by Catherine Moreau" in _page(client, escalation.get_absolute_url())


def test_escalation_form_refusals(client, member, top_chair, top, board):
    client.force_login(member)
    response = client.post(
        reverse("boards:escalation_create", kwargs={"pk": board.pk}),
        {"to_board": top.pk, "title": "Help", "reason": "Because"},
    )
    assert response.status_code == 403
    assert "Only the chair of Customer board or a delegate the chair names escalates." in (
        response.content.decode()
    )
    client.force_login(top_chair)
    page = _page(client, reverse("boards:escalation_create", kwargs={"pk": top.pk}), status=400)
    assert "top of the ladder" in page
    assert not Escalation.objects.exists()


def test_inbox_tabs_filter(client, chair, top_chair, board, decision):
    services.escalation_raise(actor=chair, board=board, reason="Budget", decision=decision)
    client.force_login(top_chair)
    page = _page(client, reverse("boards:escalation_inbox") + "?mine=true")
    assert 'aria-current="page">Waiting for me' in page
    assert "1 escalation" in page
    client.force_login(chair)
    page = _page(client, reverse("boards:escalation_inbox") + "?mine=true")
    assert "No escalation matches these filters." in page
    assert client.get(reverse("boards:escalation_inbox") + "?open=perhaps").status_code == 400


# --- The touchpoint panel ----------------------------------------------------------------------


def test_touchpoint_panel_lists_governing_boards_and_decisions(rf, member, board, touchpoint):
    decision = services.decision_log(
        actor=board.chair, board=board, title="Rewrite the script", rationale="Complaints",
        touchpoints=[touchpoint],
    )  # fmt: skip
    request = rf.get("/")
    request.user = member
    html = render_boards_panel(request, touchpoint)
    assert "Customer board" in html and "Dana Chair" in html
    assert decision.get_absolute_url() in html
    html = render_boards_panel(request, TouchpointFactory(name="Lonely"))
    assert "No board governs this touchpoint" in html
