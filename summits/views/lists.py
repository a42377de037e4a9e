"""The summits' lists and their CSV exports: the summits, every action item, and "my
actions". Each export has the rows its list shows under the same filters (every page, not
only the one shown), through the same selector and FilterSet; invalid filters are a 400
naming them, as on the list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from engagement.core import csv_export
from engagement.core.csv_export import safe
from summits import permissions, selectors
from summits.filters import ActionItemFilterSet, SummitFilterSet
from summits.views.common import render_page

PAGE_SIZE = 25
EXPORT_CHUNK = 500
LIST = "summits/action_item_list.html"


# --- Summits ----------------------------------------------------------------------------------


@require_GET
def summit_list(request):
    queryset = selectors.summit_list(user=request.user)
    filterset = SummitFilterSet(request.GET or None, queryset=queryset)
    valid = not filterset.is_bound or filterset.is_valid()
    page = Paginator(filterset.qs if valid else queryset.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_page(
        request,
        "summits/summit_list.html",
        "results",
        {
            "form": filterset.form,
            "page": page,
            "summits": selectors.attach_completion(page.object_list),
            "can_create": permissions.can_create_summit(request.user),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
        status=200 if valid else 400,
    )


def _summit_chunks(summits):
    """The summits in chunks, each with its completion (one more query a chunk)."""
    chunk = []
    for summit in summits.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(summit)
        if len(chunk) == EXPORT_CHUNK:
            yield selectors.attach_completion(chunk)
            chunk = []
    if chunk:
        yield selectors.attach_completion(chunk)


def _summit_lines(request, summits):
    yield [
        _("id"), _("summit"), _("starts on"), _("ends on"), _("place"), _("status"),
        _("chair"), _("participants"), _("action items"), _("done"), _("overdue"),
        _("completion %"), _("link"),
    ]  # fmt: skip
    base = request.build_absolute_uri("/")[:-1]
    for chunk in _summit_chunks(summits):
        for summit in chunk:
            completion = summit.completion
            yield [
                summit.pk,
                safe(summit.title),
                csv_export.day(summit.starts_on),
                csv_export.day(summit.ends_on),
                safe(summit.location),
                capfirst(summit.get_status_display()),
                safe(summit.chair.display_name),
                summit.participant_count,
                summit.item_count,
                completion.done,
                completion.overdue,
                "" if completion.rate is None else completion.rate,
                base + summit.get_absolute_url(),
            ]


@require_GET
def summit_export(request):
    """The summits the list shows under its filters, with how their action items stand."""
    filterset = SummitFilterSet(request.GET, queryset=selectors.summit_list(user=request.user))
    if not filterset.is_valid():
        message = _("The summits cannot be exported with these filters.")
        return csv_export.refused(message, filterset.errors)
    return csv_export.stream("summits", lambda: _summit_lines(request, filterset.qs))


# --- Action items ------------------------------------------------------------------------------


def _filters(request, *, mine: bool) -> tuple[QueryDict, bool]:
    """The list's filters, and whether a default was applied. "My actions" opens on what is
    still to do: with no filter given it shows open items (choosing "Any" sends an empty
    value and shows them all)."""
    data = request.GET.copy()
    if mine and not any(key != "page" for key in data):
        data["open"] = "true"
        return data, True
    return data, False


def _export_query(data: QueryDict, *, mine: bool) -> str:
    query = data.copy()
    query.pop("page", None)
    if mine:
        query["mine"] = "true"
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def _list_page(request, *, mine: bool):
    user = request.user
    queryset = selectors.my_actions(user=user) if mine else selectors.action_item_list(user=user)
    data, defaulted = _filters(request, mine=mine)
    filterset = ActionItemFilterSet(data or None, queryset=queryset)
    valid = not filterset.is_bound or filterset.is_valid()
    page = Paginator(filterset.qs if valid else queryset.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = list(page.object_list)
    latest = selectors.updates_by_item(items)
    for item in items:
        item.latest_update = latest.get(item.pk)
    return render_page(
        request,
        LIST,
        "results",
        {
            "form": filterset.form,
            "page": page,
            "items": items,
            "mine": mine,
            "list_url": reverse("summits:my_actions" if mine else "summits:action_item_list"),
            "export_url": reverse("summits:action_item_export") + _export_query(data, mine=mine),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "defaulted": defaulted,
            "today": timezone.localdate(),
        },
        status=200 if valid else 400,
    )


@require_GET
def action_item_list(request):
    return _list_page(request, mine=False)


@require_GET
def my_actions(request):
    """Items assigned to the person or a function they act for, and those they recorded: what
    a person who is not an executive sees first."""
    return _list_page(request, mine=True)


# --- The action items' export ------------------------------------------------------------------


def _export_lines(request, queryset):
    yield [
            _("id"), _("summit"), _("title"), _("owner"), _("owner function"), _("board"),
            _("priority"), _("status"), _("overdue"), _("due on"), _("completed on"),
            _("touchpoints"), _("link"),
    ]  # fmt: skip
    base = request.build_absolute_uri("/")[:-1]
    # iterator() with a chunk size prefetches the touchpoints chunk by chunk: two queries per
    # 500 rows, whatever the number of rows, and memory bounded by the chunk.
    for item in queryset.prefetch_related("touchpoints").iterator(chunk_size=EXPORT_CHUNK):
        yield [
            item.pk,
            safe(item.summit.title),
            safe(item.title),
            safe(item.owner.display_name),
            safe(item.owner_function.name),
            safe(item.board.name),
            item.get_priority_display(),
            item.get_status_display(),
            _("yes") if item.is_overdue else _("no"),
            item.due_on.isoformat(),
            item.completed_on.isoformat() if item.completed_on else "",
            safe("; ".join(sorted(t.name for t in item.touchpoints.all()))),
            base + item.get_absolute_url(),
        ]


@require_GET
def action_item_export(request):
    """The filtered list as CSV, streamed: every row, not only one page. ``mine=true`` starts
    from "my actions" instead of every item. Invalid filters are a 400 naming them."""
    mine = request.GET.get("mine", "")
    errors = {}
    if mine not in ("", "true", "false"):
        errors["mine"] = [_("Choose true or false.")]
    queryset = (
        selectors.my_actions(user=request.user)
        if mine == "true"
        else selectors.action_item_list(user=request.user)
    )
    data = request.GET.copy()
    data.pop("mine", None)
    filterset = ActionItemFilterSet(data, queryset=queryset)
    if not filterset.is_valid():
        errors.update(filterset.errors)
    if errors:
        message = _("The action items cannot be exported with these filters.")
        return csv_export.refused(message, errors)
    return csv_export.stream("action-items", lambda: _export_lines(request, filterset.qs))
