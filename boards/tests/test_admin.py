"""Boards in the admin: set-up saved through the services, the governance record read-only."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from boards import feed_services, services
from boards.models import AgendaItem, Board, CalendarFeed, Meeting, Membership
from boards.tests.factories import BoardFactory, MeetingFactory
from engagement.audit.models import AuditEvent
from engagement.org.tests.factories import UserFactory
from touchpoints.tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def top(executive):
    return BoardFactory(name="Executive committee", chair=executive)


@pytest.fixture
def board(admin_user, top):
    """The administrator chairs it, so the meeting rules let them run its meetings."""
    return BoardFactory(name="Customer-engagement board", chair=admin_user, escalates_to=top)


@pytest.fixture
def seat(admin_user, board, member, function):
    return services.membership_add(
        actor=admin_user, board=board, person=member, function=function,
        role=Membership.Role.CORE, started_on=timezone.localdate() - timedelta(days=30),
    )  # fmt: skip


@pytest.fixture
def record(admin_user, board, seat, member):
    """A held meeting with agenda and attendance, a decision with a fact, an escalation of
    it, and the board's calendar feed."""
    touchpoint = TouchpointFactory(name="Call-centre script")
    meeting = MeetingFactory(board=board, starts_at=timezone.now() - timedelta(days=2))
    services.agenda_item_add(actor=admin_user, meeting=meeting, title="KPI review")
    services.meeting_hold(actor=admin_user, meeting=meeting)
    services.attendance_record(actor=admin_user, meeting=meeting, person=member, status="present")
    decision = services.decision_log(
        actor=admin_user, board=board, meeting=meeting, title="Rewrite the scripts",
        rationale="Billing calls are resolved least often.", touchpoints=[touchpoint],
    )  # fmt: skip
    escalation = services.escalation_raise(
        actor=admin_user, board=board, decision=decision, reason="Needs budget."
    )
    feed = feed_services.calendar_feed_create(actor=admin_user, board=board)
    return {
        "board": board,
        "membership": seat,
        "meeting": meeting,
        "agendaitem": meeting.agenda_items.get(),
        "attendance": meeting.attendance.get(),
        "decision": decision,
        "decisionfact": decision.facts.get(),
        "escalation": escalation,
        "calendarfeed": feed,
    }


MODELS = (
    "board",
    "membership",
    "meeting",
    "agendaitem",
    "attendance",
    "decision",
    "decisionfact",
    "escalation",
    "calendarfeed",
)


@pytest.mark.parametrize("model", MODELS)
def test_changelists_and_change_pages_render(admin_client, record, model):
    changelist = admin_client.get(reverse(f"admin:boards_{model}_changelist") + "?q=e")
    assert changelist.status_code == 200
    change = admin_client.get(reverse(f"admin:boards_{model}_change", args=[record[model].pk]))
    assert change.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "?is_active__exact=1&ladder=top",
        "?ladder=below&scope_stages__id__exact=1",
        "?o=6",  # by member count
    ],
)
def test_board_filters(admin_client, record, query):
    assert admin_client.get(reverse("admin:boards_board_changelist") + query).status_code == 200


def test_other_filters(admin_client, record):
    for url, query in (
        ("admin:boards_meeting_changelist", "?status__exact=held"),
        ("admin:boards_membership_changelist", "?current=yes"),
        ("admin:boards_decision_changelist", "?pending=overdue"),
        ("admin:boards_escalation_changelist", "?status__exact=open"),
    ):
        assert admin_client.get(reverse(url) + query).status_code == 200


@pytest.mark.parametrize("model", ["board", "membership", "meeting"])
def test_add_pages_render(admin_client, board, model):
    assert admin_client.get(reverse(f"admin:boards_{model}_add")).status_code == 200


def _board_form(chair, **overrides):
    data = {
        "name": "Digital channels board",
        "purpose": "Web and app.",
        "is_active": "on",
        "chair": chair.pk,
        "sponsor": "",
        "escalates_to": "",
        "core_size_limit": "12",
        "cadence": "freq=monthly;byday=2we",
        "time_zone": "Europe/London",
        "starts_on": "2026-01-05",
        "start_time": "14:00",
        "duration_minutes": "90",
        "location": "Digital studio",
        "scope_stages": [],
        "scope_touchpoints": [],
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_a_board_added_in_the_admin_goes_through_the_services(
    admin_client, admin_user, board, member, function
):
    touchpoint = TouchpointFactory(name="Online checkout")
    data = _board_form(
        admin_user,
        escalates_to=board.pk,
        scope_touchpoints=[touchpoint.pk],
        **{
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-person": member.pk,
            "memberships-0-function": function.pk,
            "memberships-0-role": "core",
            "memberships-0-is_delegate": "on",
            "memberships-0-started_on": "2026-01-05",
            "memberships-0-ended_on": "",
        },
    )
    response = admin_client.post(reverse("admin:boards_board_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    created = Board.objects.get(name="Digital channels board")
    assert created.cadence == "FREQ=MONTHLY;BYDAY=2WE"  # normalised by the service
    assert list(created.scope_touchpoints.all()) == [touchpoint]
    seat = created.memberships.get()
    assert (seat.person, seat.is_delegate) == (member, True)
    events = {e.verb: e for e in AuditEvent.objects.filter(actor=admin_user)}
    assert events["board.created"].after["scope_touchpoints"] == [touchpoint.pk]
    assert "membership.added" in events


def test_an_invalid_cadence_is_refused_with_the_reason_and_nothing_is_saved(
    admin_client, admin_user
):
    response = admin_client.post(
        reverse("admin:boards_board_add"), _board_form(admin_user, cadence="FREQ=HOURLY")
    )
    assert response.status_code == 200
    assert "cannot meet more often than daily" in response.content.decode()
    assert not Board.objects.filter(name="Digital channels board").exists()
    assert not AuditEvent.objects.exists()


def test_a_change_the_service_refuses_is_a_message_and_changes_nothing(
    admin_client, admin_user, board
):
    archived = BoardFactory(name="Old committee", is_active=False)
    url = reverse("admin:boards_board_change", args=[board.pk])
    data = _board_form(
        admin_user, name=board.name, cadence=board.cadence, escalates_to=archived.pk,
        location="Elsewhere",
    )  # fmt: skip
    response = admin_client.post(url, data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("is archived; choose an active body" in m for m in messages)
    board.refresh_from_db()
    assert (board.escalates_to.name, board.location) == ("Executive committee", "Board room")
    assert not AuditEvent.objects.filter(verb="board.updated").exists()


def test_members_are_changed_and_ended_through_the_services(
    admin_client, admin_user, board, seat, function
):
    url = reverse("admin:boards_board_change", args=[board.pk])
    data = _board_form(
        admin_user, name=board.name, cadence=board.cadence, escalates_to=board.escalates_to_id,
        location=board.location, time_zone=board.time_zone, start_time="09:00",
        duration_minutes="60", purpose=board.purpose,
        **{
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": seat.pk,
            "memberships-0-board": board.pk,
            "memberships-0-function": function.pk,
            "memberships-0-role": "advisor",
            "memberships-0-ended_on": timezone.localdate().isoformat(),
        },
    )  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    seat.refresh_from_db()
    assert (seat.role, seat.ended_on) == ("advisor", timezone.localdate())
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"membership.updated", "membership.ended"} <= verbs
    assert "board.updated" not in verbs  # nothing about the board itself changed


def _meeting_form(meeting, **overrides):
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    items = list(meeting.agenda_items.all())
    data = {
        "starts_at_0": start.date().isoformat(),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.date().isoformat(),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "location": meeting.location,
        "minutes_notes": meeting.minutes_notes,
        "agenda_items-TOTAL_FORMS": str(len(items)),
        "agenda_items-INITIAL_FORMS": str(len(items)),
        "agenda_items-MIN_NUM_FORMS": "0",
        "agenda_items-MAX_NUM_FORMS": "1000",
        "attendance-TOTAL_FORMS": "0",
        "attendance-INITIAL_FORMS": "0",
        "attendance-MIN_NUM_FORMS": "0",
        "attendance-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        data[f"agenda_items-{index}-id"] = item.pk
        data[f"agenda_items-{index}-meeting"] = meeting.pk
    data.update(overrides)
    return data


def test_a_meeting_is_moved_and_its_agenda_changed_through_the_services(
    admin_client, admin_user, board
):
    # At 10:00 tomorrow, so moving it two hours later stays on the same day at any hour.
    tomorrow = timezone.localdate() + timedelta(days=1)
    starts_at = timezone.make_aware(datetime.combine(tomorrow, time(10, 0)))
    meeting = MeetingFactory(
        board=board, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    old = services.agenda_item_add(actor=admin_user, meeting=meeting, title="Old item")
    new_start = timezone.localtime(meeting.starts_at) + timedelta(hours=2)
    data = _meeting_form(
        meeting,
        starts_at_1=new_start.strftime("%H:%M:%S"),
        ends_at_1=(new_start + timedelta(hours=1)).strftime("%H:%M:%S"),
        **{
            "agenda_items-0-DELETE": "on",
            "agenda_items-TOTAL_FORMS": "2",
            "agenda_items-1-title": "",
            "agenda_items-1-touchpoint": TouchpointFactory(name="Service chat").pk,
            "agenda_items-1-duration_minutes": "15",
            "agenda_items-1-notes": "",
        },
    )
    response = admin_client.post(reverse("admin:boards_meeting_change", args=[meeting.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    meeting.refresh_from_db()
    assert meeting.starts_at == new_start
    assert meeting.sequence >= 1  # calendars see the move
    assert not AgendaItem.objects.filter(pk=old.pk).exists()
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Touchpoint: Service chat"  # titled by the service after its subject
    ]
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"meeting.updated", "agenda_item.removed", "agenda_item.added"} <= verbs


def test_meeting_rules_apply_in_the_admin(admin_client, top):
    """An administrator may put a calendar right, but the meeting's rules still hold: a
    clash with another meeting of the board is refused with the service's message."""
    meeting = MeetingFactory(board=top)
    other = MeetingFactory(board=top, starts_at=meeting.starts_at + timedelta(days=3))
    data = _meeting_form(meeting, location="Elsewhere")
    start = timezone.localtime(other.starts_at)
    data["starts_at_0"] = start.date().isoformat()
    data["starts_at_1"] = start.strftime("%H:%M:%S")
    data["ends_at_0"] = (start + timedelta(hours=1)).date().isoformat()
    data["ends_at_1"] = (start + timedelta(hours=1)).strftime("%H:%M:%S")
    response = admin_client.post(
        reverse("admin:boards_meeting_change", args=[meeting.pk]), data, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("would clash" in m for m in messages), messages
    meeting.refresh_from_db()
    assert meeting.location == ""


def test_cancel_action_goes_through_the_service(admin_client, admin_user, board):
    meeting = MeetingFactory(board=board)
    response = admin_client.post(
        reverse("admin:boards_meeting_changelist"),
        {"action": "cancel_selected", "_selected_action": [meeting.pk]},
        follow=True,
    )
    assert "1 meeting(s) cancelled." in [str(m) for m in response.context["messages"]]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert "Cancelled in the admin" in meeting.status_note
    assert AuditEvent.objects.filter(verb="meeting.cancelled", actor=admin_user).exists()


@pytest.mark.parametrize("model", ["decision", "escalation", "decisionfact"])
def test_decisions_and_escalations_are_read_only(admin_client, record, model):
    pk = record[model].pk
    assert admin_client.get(reverse(f"admin:boards_{model}_add")).status_code == 403
    assert admin_client.get(reverse(f"admin:boards_{model}_delete", args=[pk])).status_code == 403
    change = admin_client.get(reverse(f"admin:boards_{model}_change", args=[pk])).content.decode()
    assert 'name="_save"' not in change
    changelist = admin_client.get(reverse(f"admin:boards_{model}_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_decision_changelist_says_where_decisions_are_logged(admin_client, record):
    page = admin_client.get(reverse("admin:boards_decision_changelist")).content.decode()
    assert "logged by a board&#x27;s chair or delegate" in page
    assert reverse("boards:board_list") in page
    change = admin_client.get(reverse("admin:boards_decision_change", args=[record["decision"].pk]))
    assert "Billing calls are resolved least often." in change.content.decode()
    assert "Call-centre script" in change.content.decode()  # the fact, inline


@pytest.mark.parametrize("model", ["board", "meeting", "membership"])
def test_governance_records_are_not_deleted(admin_client, record, model):
    url = reverse(f"admin:boards_{model}_delete", args=[record[model].pk])
    assert admin_client.get(url).status_code == 403


def test_revoking_a_calendar_feed_goes_through_the_feed_service(admin_client, record):
    feed = record["calendarfeed"]
    url = reverse("admin:boards_calendarfeed_delete", args=[feed.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()
    assert AuditEvent.objects.filter(verb="calendar_feed.revoked").exists()


def test_an_administrator_revokes_a_leaked_personal_feed(admin_client, member):
    feed = feed_services.calendar_feed_create(actor=member, person=member)
    admin_client.post(
        reverse("admin:boards_calendarfeed_changelist"),
        {"action": "revoke_selected", "_selected_action": [feed.pk]},
        follow=True,
    )
    assert not CalendarFeed.objects.filter(pk=feed.pk).exists()
    assert AuditEvent.objects.filter(verb="calendar_feed.revoked").exists()


def test_staff_without_rights_are_refused(client, record):
    clerk = UserFactory(is_staff=True)
    client.force_login(clerk)
    assert client.get(reverse("admin:boards_board_changelist")).status_code == 403
    assert client.get(reverse("admin:boards_decision_changelist")).status_code == 403

    clerk.user_permissions.add(Permission.objects.get(codename="view_board"))
    assert client.get(reverse("admin:boards_board_changelist")).status_code == 200
    assert client.get(reverse("admin:boards_board_add")).status_code == 403
    url = reverse("admin:boards_board_change", args=[record["board"].pk])
    assert 'name="_save"' not in client.get(url).content.decode()


def test_people_who_are_not_staff_are_sent_to_sign_in(client, member, record):
    client.force_login(member)
    response = client.get(reverse("admin:boards_board_changelist"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
