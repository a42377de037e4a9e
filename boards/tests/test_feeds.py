from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from boards import feed_services
from boards.models import Board, CalendarFeed, Meeting
from boards.scheduling import sync_meetings
from boards.tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    MembershipFactory,
)
from engagement.audit.models import AuditEvent
from engagement.core.errors import NotAllowed, NotFound
from engagement.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def board(db):
    board = BoardFactory(name="Customer Experience Board")
    sync_meetings(board, horizon_days=28)  # 2, 9, 16 and 23 March
    return board


def feed_for(board=None, person=None) -> CalendarFeed:
    actor = board.chair if board is not None else person
    return feed_services.calendar_feed_create(actor=actor, board=board, person=person)


def fetch(client, feed_or_token):
    token = getattr(feed_or_token, "token", feed_or_token)
    return client.get(reverse("boards:calendar_feed", args=[token]))


def events_of(response) -> list:
    calendar = Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


# --- The feed -----------------------------------------------------------------------------


def test_a_board_feed_is_an_icalendar_of_its_meetings_without_login(client, board):
    AgendaItemFactory(meeting=board.meetings.first(), title="Journey KPIs", position=1)
    AgendaItemFactory(meeting=board.meetings.first(), title="Open conflicts", position=0)

    response = fetch(client, feed_for(board=board))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="customer-experience-board.ics"'
    assert response["Cache-Control"] == "private, max-age=300"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["PRODID"]) == "-//Customer-engagement governance//Boards//EN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert b"X-WR-CALNAME:Customer Experience Board" in response.content
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content
    assert b"X-PUBLISHED-TTL:PT1H" in response.content
    events = events_of(response)
    assert len(events) == 4
    first = events[0]
    meeting = board.meetings.order_by("starts_at").first()
    assert str(first["SUMMARY"]) == "Customer Experience Board"
    assert first.decoded("DTSTART") == utc(2026, 3, 2, 9)
    assert first.decoded("DTEND") == utc(2026, 3, 2, 10)
    assert str(first["UID"]) == f"{meeting.uid}@engagement-governance"
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(first["LOCATION"]) == "Board room"
    assert int(first["SEQUENCE"]) == 0
    url = f"http://testserver/boards/meetings/{meeting.pk}/"
    assert str(first["URL"]) == url
    assert str(first["DESCRIPTION"]) == f"Agenda:\n1. Open conflicts\n2. Journey KPIs\n\n{url}"


def test_uids_are_stable_and_the_sequence_rises_when_a_meeting_moves(client, board):
    feed = feed_for(board=board)
    first_fetch = {str(e["UID"]): e for e in events_of(fetch(client, feed))}
    assert {str(e["UID"]) for e in events_of(fetch(client, feed))} == set(first_fetch)

    Board.objects.filter(pk=board.pk).update(cadence="FREQ=WEEKLY;BYDAY=TU")
    sync_meetings(board, horizon_days=28)
    second_fetch = {str(e["UID"]): e for e in events_of(fetch(client, feed))}

    assert set(second_fetch) == set(first_fetch)  # the same events, moved
    for uid, event in second_fetch.items():
        assert int(event["SEQUENCE"]) == int(first_fetch[uid]["SEQUENCE"]) + 1
        assert event.decoded("DTSTART") == first_fetch[uid].decoded("DTSTART") + timedelta(days=1)


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled(client, board):
    meeting = board.meetings.order_by("starts_at").last()
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.CANCELLED, status_note="Chair unavailable", sequence=1
    )

    events = {str(e["UID"]): e for e in events_of(fetch(client, feed_for(board=board)))}

    cancelled = events[f"{meeting.uid}@engagement-governance"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Customer Experience Board"
    assert "Chair unavailable" in str(cancelled["DESCRIPTION"])
    assert len(events) == 4


def test_the_feed_reaches_back_ninety_days(client, board):
    MeetingFactory(board=board, starts_at=NOW - timedelta(days=80))
    MeetingFactory(board=board, starts_at=NOW - timedelta(days=100))

    assert len(events_of(fetch(client, feed_for(board=board)))) == 5


def test_an_unknown_token_is_a_404(client, board):
    feed_for(board=board)

    assert fetch(client, "not-a-token").status_code == 404


def test_a_revoked_feed_is_a_404(client, board):
    feed = feed_for(board=board)
    feed_services.calendar_feed_revoke(actor=board.chair, board=board)

    assert fetch(client, feed).status_code == 404


def test_rotating_retires_the_old_address(client, board):
    old = feed_for(board=board).token

    new = feed_for(board=board).token

    assert new != old
    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200
    assert CalendarFeed.objects.count() == 1


def test_the_feed_of_someone_who_left_stops_working(client, member):
    feed = feed_for(person=member)
    member.is_active = False
    member.save(update_fields=["is_active"])

    assert fetch(client, feed).status_code == 404


def test_the_feed_answers_get_only(client, board):
    feed = feed_for(board=board)

    response = client.post(reverse("boards:calendar_feed", args=[feed.token]))

    assert response.status_code == 405


def test_a_person_feed_has_the_boards_they_chair_or_sit_on_and_no_others(client, member):
    chaired = BoardFactory(name="Digital Board", chair=member)
    sat_on = BoardFactory(name="Service Board")
    MembershipFactory(board=sat_on, person=member)
    left = BoardFactory(name="Old Board")
    MembershipFactory(
        board=left, person=member, started_on=date(2025, 1, 1), ended_on=date(2025, 12, 31)
    )
    other = BoardFactory(name="Other Board")
    for board in (chaired, sat_on, left, other):
        sync_meetings(board, horizon_days=14)  # two meetings each

    response = fetch(client, feed_for(person=member))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="my-board-meetings.ics"'
    summaries = sorted(str(e["SUMMARY"]) for e in events_of(response))
    assert summaries == ["Digital Board", "Digital Board", "Service Board", "Service Board"]
    assert f"Board meetings of {member.display_name}".encode() in response.content


def test_the_feed_costs_the_same_queries_for_3_and_30_meetings(client):
    def queries_for(count: int) -> int:
        board = BoardFactory(cadence="FREQ=DAILY")
        sync_meetings(board, horizon_days=count)
        for meeting in board.meetings.all():
            AgendaItemFactory(meeting=meeting)
        feed = feed_for(board=board)
        with CaptureQueriesContext(connection) as captured:
            response = fetch(client, feed)
        assert len(events_of(response)) == count
        return len(captured)

    assert queries_for(3) == queries_for(30)


def test_the_person_feed_costs_the_same_queries_for_3_and_30_meetings(client):
    def queries_for(count: int) -> int:
        person = UserFactory()
        for _ in range(2):
            board = BoardFactory(cadence="FREQ=DAILY")
            MembershipFactory(board=board, person=person)
            sync_meetings(board, horizon_days=count)
        feed = feed_for(person=person)
        with CaptureQueriesContext(connection) as captured:
            response = fetch(client, feed)
        assert len(events_of(response)) == 2 * count
        return len(captured)

    assert queries_for(3) == queries_for(30)


# --- Managing a feed --------------------------------------------------------------------------


def manage(client, board, action, **extra):
    return client.post(
        reverse("boards:board_feed_manage", kwargs={"pk": board.pk}), {"action": action, **extra}
    )


def test_the_chair_creates_the_board_feed(client, board):
    client.force_login(board.chair)

    response = manage(client, board, "create")

    assert response.status_code == 302
    assert response["Location"] == reverse("boards:board_detail", kwargs={"pk": board.pk})
    feed = CalendarFeed.objects.get(board=board)
    assert len(feed.token) >= 43
    assert feed.created_by == board.chair
    event = AuditEvent.objects.get(verb="calendar_feed.created")
    assert event.actor == board.chair
    assert feed.token not in str(event.after)


def test_a_delegate_and_an_administrator_manage_the_board_feed(client, board, admin_user):
    delegate = MembershipFactory(board=board, is_delegate=True).person
    client.force_login(delegate)
    assert manage(client, board, "create").status_code == 302
    first = CalendarFeed.objects.get(board=board).token

    client.force_login(admin_user)
    assert manage(client, board, "create").status_code == 302

    assert CalendarFeed.objects.get(board=board).token != first
    event = AuditEvent.objects.get(verb="calendar_feed.rotated")
    assert first not in str(event.before)
    assert event.actor == admin_user


def test_the_chair_revokes_the_board_feed(client, board):
    feed_for(board=board)
    client.force_login(board.chair)

    response = manage(client, board, "revoke")

    assert response.status_code == 302
    assert not CalendarFeed.objects.filter(board=board).exists()
    assert AuditEvent.objects.filter(verb="calendar_feed.revoked").count() == 1


@pytest.mark.parametrize("action", ["create", "revoke"])
@pytest.mark.parametrize("who", ["member", "outsider", "sponsor"])
def test_someone_who_does_not_lead_the_board_cannot_manage_its_feed(
    client, board, action, who, member, outsider
):
    feed = feed_for(board=board)
    person = {"member": member, "outsider": outsider, "sponsor": UserFactory()}[who]
    if who == "member":
        MembershipFactory(board=board, person=member)
    if who == "sponsor":
        Board.objects.filter(pk=board.pk).update(sponsor=person)
    events = AuditEvent.objects.count()
    client.force_login(person)

    response = manage(client, board, action)

    assert response.status_code == 403
    assert "Only the chair of Customer Experience Board" in response.content.decode()
    assert CalendarFeed.objects.get(board=board).token == feed.token
    assert AuditEvent.objects.count() == events


def test_signing_in_is_needed_to_manage_a_feed(client, board):
    response = manage(client, board, "create")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()


def test_revoking_a_feed_that_does_not_exist_is_a_404(client, board):
    client.force_login(board.chair)

    assert manage(client, board, "revoke").status_code == 404


def test_an_unknown_action_is_refused(client, board):
    client.force_login(board.chair)

    assert manage(client, board, "explode").status_code == 400
    assert not CalendarFeed.objects.exists()


def test_managing_answers_post_only(client, board):
    client.force_login(board.chair)

    assert (
        client.get(reverse("boards:board_feed_manage", kwargs={"pk": board.pk})).status_code == 405
    )


def test_a_person_manages_their_own_feed_and_comes_back(client, member):
    client.force_login(member)
    url = reverse("boards:person_feed_manage")

    response = client.post(url, {"action": "create", "next": "/boards/decisions/"})
    assert response.status_code == 302
    assert response["Location"] == "/boards/decisions/"
    feed = CalendarFeed.objects.get(person=member)

    response = client.post(url, {"action": "create", "next": "https://evil.example/"})
    assert response["Location"] == reverse("boards:board_list")
    assert CalendarFeed.objects.get(person=member).token != feed.token

    response = client.post(url, {"action": "revoke"})
    assert response["Location"] == reverse("boards:board_list")
    assert not CalendarFeed.objects.filter(person=member).exists()


def test_nobody_manages_someone_elses_personal_feed(member, outsider, admin_user):
    for actor in (outsider, admin_user):
        with pytest.raises(NotAllowed):
            feed_services.calendar_feed_create(actor=actor, person=member)
    with pytest.raises(NotFound):
        feed_services.calendar_feed_revoke(actor=member, person=member)


# --- The include ------------------------------------------------------------------------------


def test_the_include_shows_the_address_and_the_buttons(rf, board):
    feed = feed_for(board=board)
    url = f"https://governance.example.com/boards/calendar/{feed.token}.ics"
    request = rf.get("/")

    html = render_to_string(
        "boards/_calendar_links.html",
        {"feed": feed, "feed_url": url, "manage_url": "/manage/", "can_manage": True},
        request=request,
    )

    assert url in html
    assert f'href="webcal://governance.example.com/boards/calendar/{feed.token}.ics"' in html
    assert "Add calendar → From internet" in html
    assert "Get a new address" in html
    assert 'value="revoke"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_include_offers_to_create_or_says_there_is_none(rf):
    request = rf.get("/")
    context = {"feed": None, "feed_url": "", "manage_url": "/manage/"}

    leader = render_to_string(
        "boards/_calendar_links.html", {**context, "can_manage": True}, request=request
    )
    other = render_to_string(
        "boards/_calendar_links.html", {**context, "can_manage": False}, request=request
    )

    assert "Create a calendar address" in leader
    assert "<form" not in other
    assert "No calendar address has been created yet." in other
