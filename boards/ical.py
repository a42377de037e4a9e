"""Calendar feeds: which meetings a feed shows, and the iCalendar (RFC 5545) it is written as.

Outlook and Google subscribe to a feed's address and poll it. What keeps them right:

* every meeting is one VEVENT whose UID never changes (``Meeting.uid``), so an edit updates
  the event already in the calendar instead of adding a second one;
* SEQUENCE is ``Meeting.sequence``, raised by every change, so a client knows the newer
  version wins;
* cancelled meetings stay in the feed with ``STATUS:CANCELLED`` for a while (the window
  reaches back 90 days), so the cancellation reaches calendars rather than the event
  silently lingering;
* times are written in UTC, so no VTIMEZONE is needed and nothing depends on the client's
  time-zone database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration, vText

from boards.models import AgendaItem, CalendarFeed, Meeting, Membership

PRODID = "-//Customer-engagement governance//Boards//EN"
UID_DOMAIN = "engagement-governance"
# How often clients should poll. Google ignores it (it polls on its own schedule); Outlook
# and Apple honour one or the other.
REFRESH = timedelta(hours=1)
# How far back a feed reaches: long enough for a cancellation to reach every subscriber.
FEED_PAST = timedelta(days=90)


def feed_meetings(feed: CalendarFeed, *, now=None) -> QuerySet[Meeting]:
    """The meetings ``feed`` shows, from 90 days ago on, in every status.

    A board's feed: that board's meetings. A person's feed: the meetings of every board they
    chair or currently sit on. Two queries when evaluated (the meetings with their
    board, then the agenda items), however many meetings there are.
    """
    since = (now or timezone.now()) - FEED_PAST
    meetings = Meeting.objects.filter(starts_at__gte=since)
    if feed.board_id is not None:
        meetings = meetings.filter(board_id=feed.board_id)
    else:
        seats = Membership.objects.current().filter(person_id=feed.person_id).values("board_id")
        meetings = meetings.filter(Q(board__chair_id=feed.person_id) | Q(board_id__in=seats))
    return (
        meetings.select_related("board")
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position", "id"))
        )
        .order_by("starts_at", "id")
    )


def _description(meeting: Meeting, url: str) -> str:
    lines = []
    if meeting.status == Meeting.Status.CANCELLED:
        lines.append(_("Cancelled."))
        if meeting.status_note:
            lines.append(meeting.status_note)
        lines.append("")
    titles = [item.title for item in meeting.agenda_items.all()]
    if titles:
        lines.append(_("Agenda:"))
        lines.extend(f"{number}. {title}" for number, title in enumerate(titles, start=1))
        lines.append("")
    lines.append(url)
    return "\n".join(lines)


def _event(meeting: Meeting, base_url: str) -> Event:
    url = f"{base_url}{meeting.get_absolute_url()}"
    event = Event()
    event.add("uid", f"{meeting.uid}@{UID_DOMAIN}")
    event.add("dtstamp", meeting.updated_at.astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", meeting.board.name)
    cancelled = meeting.status == Meeting.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if meeting.location:
        event.add("location", meeting.location)
    event.add("description", _description(meeting, url))
    event.add("url", url)
    event.add("sequence", meeting.sequence)
    return event


def meetings_calendar(meetings: Iterable[Meeting], *, name: str, base_url: str) -> bytes:
    """The VCALENDAR of ``meetings`` (with ``board`` selected and ``agenda_items``
    prefetched, as ``feed_meetings`` gives them), named ``name``. ``base_url`` is the site's
    scheme and host (``https://governance.example.com``) for the links back to each meeting.
    """
    base_url = base_url.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Non-standard properties default to TEXT: say so, so commas in a name are escaped.
    calendar.add("x-wr-calname", vText(name))
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for meeting in meetings:
        calendar.add_component(_event(meeting, base_url))
    return calendar.to_ical()
