"""A person's notifications: the inbox (and its CSV export), the unread badge in the
navigation, and the page where they choose how each kind of notification reaches them.

Every page reads the person's own rows only; another person's notification is a 404. The
badge is fetched by the navigation with htmx and refreshes itself every 30 seconds, so the
other pages pay nothing for it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from engagement.core import csv_export
from engagement.core.csv_export import safe
from engagement.core.errors import DomainError
from engagement.core.pages import back, form_error, is_htmx, render_page
from engagement.notify import selectors, services
from engagement.notify.filters import NotificationFilterSet
from engagement.notify.forms import PreferenceForm

PAGE_SIZE = 25
EXPORT_CHUNK = 500
INBOX = "notify/inbox.html"


@require_GET
def inbox(request):
    """The person's notifications, newest first; ``?unread=true`` keeps the unread ones."""
    queryset = selectors.inbox(user=request.user)
    filterset = NotificationFilterSet(request.GET or None, queryset=queryset)
    valid = not filterset.is_bound or filterset.is_valid()
    page = Paginator(filterset.qs if valid else queryset.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    unread_only = valid and filterset.is_bound and filterset.form.cleaned_data.get("unread")
    return render_page(
        request,
        INBOX,
        "results",
        {
            "form": filterset.form,
            "page": page,
            "notifications": page.object_list,
            "unread_count": selectors.unread_count(user=request.user),
            "unread_only": bool(unread_only),
        },
        status=200 if valid else 400,
    )


def _export_lines(request, notifications):
    yield [_("recorded at"), _("kind"), _("title"), _("message"), _("read at"), _("link")]
    base = request.build_absolute_uri("/")[:-1]
    for notification in notifications.iterator(chunk_size=EXPORT_CHUNK):
        url = notification.url
        yield [
            csv_export.moment(notification.created_at),
            notification.get_kind_display(),
            safe(notification.title),
            safe(notification.body),
            csv_export.moment(notification.read_at),
            base + url if url.startswith("/") else safe(url),
        ]


@require_GET
def notification_export(request):
    """The person's notifications as the inbox shows them (``?unread=`` kept), as CSV: every
    page, newest first. An invalid filter is a 400 naming it, as on the inbox."""
    filterset = NotificationFilterSet(request.GET, queryset=selectors.inbox(user=request.user))
    if not filterset.is_valid():
        message = _("The notifications cannot be exported with this filter.")
        return csv_export.refused(message, filterset.errors)
    return csv_export.stream("notifications", lambda: _export_lines(request, filterset.qs))


@require_POST
def notification_read(request, pk):
    """Mark one notification read. With htmx the row comes back read, and the badge with the
    new count; otherwise the inbox again, where it was."""
    notification = services.notification_mark_read(user=request.user, notification_id=pk)
    if is_htmx(request):
        return render_page(
            request,
            INBOX,
            "row",
            {
                "notification": notification,
                "unread_count": selectors.unread_count(user=request.user),
                "marked": True,
            },
        )
    messages.success(request, _("“%(title)s” is marked read.") % {"title": notification.title})
    return back(request, reverse("notify:inbox"))


@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification is marked read.",
                "%(count)d notifications are marked read.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Every notification was already read."))
    return back(request, reverse("notify:inbox"))


@login_not_required
@never_cache
@require_GET
def badge(request):
    """The unread count for the navigation. When the session has ended, the badge's own
    polling gets an empty answer that stops it (htmx's 286) rather than the login page inside
    the badge; any other request is sent to sign in, as everywhere."""
    if not request.user.is_authenticated:
        if is_htmx(request):
            return HttpResponseStopPolling()
        return redirect_to_login(request.get_full_path())
    return render_page(
        request,
        "notify/badge.html",
        "",
        {"unread_count": selectors.unread_count(user=request.user)},
        fragment=False,
    )


@require_http_methods(["GET", "POST"])
def preferences(request):
    """How each kind of notification reaches the person: by e-mail, in the digest, or in the
    inbox only; and how often the digest goes out."""
    preference = selectors.preference_for(user=request.user)
    initial = PreferenceForm.initial_for(preference, selectors.deliveries_of(preference))
    form = PreferenceForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.preference_update(user=request.user, person=request.user, **form.changes())
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("Your notification preferences are saved."))
                return redirect("notify:preferences")
        else:
            status = 400
    return render_page(
        request, "notify/preferences.html", "", {"form": form}, status, fragment=False
    )
