"""Calendar feeds: the feed itself (no login, the secret token is the key) and the buttons
that create, rotate and revoke a board's or a person's feed address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from boards import feed_services, ical
from boards.models import Board, CalendarFeed
from engagement.core.errors import Invalid

# Calendar clients poll; a few minutes of caching spares the database without delaying a
# change much (clients themselves refresh hourly at best).
FEED_CACHE_CONTROL = "private, max-age=300"


def feed_address(request, feed: CalendarFeed | None) -> str:
    """The absolute address of ``feed`` to subscribe to (empty without a feed). Callers pass
    it to ``boards/_calendar_links.html`` as ``feed_url``."""
    if feed is None:
        return ""
    return request.build_absolute_uri(reverse("boards:calendar_feed", args=[feed.token]))


@login_not_required
@require_GET
def calendar_feed(request, token):
    """The iCalendar of a board's or a person's meetings. Anyone with the address can read
    it; an unknown (or revoked, or rotated) token is a 404, and so is the feed of a person
    no longer active. Constant queries: the feed, the meetings with their board, their agenda
    items."""
    feed = CalendarFeed.objects.select_related("board", "person").filter(token=token).first()
    # Someone who has left the organisation no longer reads its meetings, even by address.
    if feed is None or (feed.person_id is not None and not feed.person.is_active):
        raise Http404("No such calendar.")
    if feed.board_id is not None:
        name = feed.board.name
        filename = slugify(feed.board.name) or "board"
    else:
        name = _("Board meetings of %(person)s") % {"person": feed.person.display_name}
        filename = "my-board-meetings"
    body = ical.meetings_calendar(
        ical.feed_meetings(feed), name=name, base_url=request.build_absolute_uri("/")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response["Cache-Control"] = FEED_CACHE_CONTROL
    # The address is a secret: keep it out of search engines.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _back(request, default: str) -> HttpResponseRedirect:
    """To ``next`` if it is a page of this site, else to ``default``."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def _manage(request, *, board=None, person=None) -> None:
    """Create/rotate or revoke, with a message. Refusals (403, 404) are domain errors the
    middleware shows as a page."""
    action = request.POST.get("action", "")
    owner = {"board": board} if board is not None else {"person": person}
    if action == "create":
        # Only for the message: the service decides, under its row lock.
        rotating = CalendarFeed.objects.filter(**owner).exists()
        feed_services.calendar_feed_create(actor=request.user, **owner)
        if rotating:
            messages.success(
                request,
                _(
                    "The calendar has a new address. The old one no longer works: "
                    "subscribe again with the new one."
                ),
            )
        else:
            messages.success(request, _("The calendar address is ready: add it to your calendar."))
    elif action == "revoke":
        feed_services.calendar_feed_revoke(actor=request.user, **owner)
        messages.success(
            request,
            _("The calendar address was revoked. Calendars subscribed to it stop updating."),
        )
    else:
        raise Invalid(_("Choose to create or to revoke the calendar address."), field="action")


@require_POST
def board_feed_manage(request, pk):
    """Create, rotate or revoke a board's feed; back to the board (or a safe ``next``)."""
    board = get_object_or_404(Board.objects.visible_to(request.user), pk=pk)
    _manage(request, board=board)
    return _back(request, reverse("boards:board_detail", kwargs={"pk": board.pk}))


@require_POST
def person_feed_manage(request):
    """Create, rotate or revoke the signed-in person's own feed; back to ``next`` if it is a
    page of this site, else to the board list."""
    _manage(request, person=request.user)
    return _back(request, reverse("boards:board_list"))
