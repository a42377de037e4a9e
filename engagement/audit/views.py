"""Browsing the audit log: everything (for those who may), its CSV export, and the history of
one object."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from engagement.audit import selectors
from engagement.core import csv_export
from engagement.core.csv_export import safe

PAGE_SIZE = 50
EXPORT_CHUNK = 500


def _events(request):
    """The activity the person may see, narrowed to one kind (``?verb=``) when asked."""
    events = selectors.event_list(user=request.user)
    # A NUL character cannot reach PostgreSQL; no verb holds one anyway.
    verb = request.GET.get("verb", "").replace("\x00", "").strip()[:64]
    if verb:
        events = events.filter(verb=verb)
    return events, verb


@require_GET
def event_list(request):
    events, verb = _events(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page, "verb": verb})


def _value_text(value) -> str:
    """A snapshot value as the page shows it: related objects by their label."""
    if value is None:
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, dict) and "label" in value:
        return str(value["label"])
    if isinstance(value, list):
        return ", ".join(_value_text(item) for item in value)
    return str(value)


def _changes_text(event) -> str:
    """'field: before → after' for each change ('field: value' for a creation), one a line."""
    lines = []
    for field, before, after in event.changes():
        if event.before is None:
            lines.append(f"{field}: {_value_text(after)}")
        else:
            lines.append(f"{field}: {_value_text(before)} → {_value_text(after)}")
    return "\n".join(lines)


def _event_lines(request, events):
    yield [
        _("when"), _("who"), _("what"), _("object type"), _("object"), _("changes"),
        _("history"),
    ]  # fmt: skip
    base = request.build_absolute_uri("/")[:-1]
    for event in events.iterator(chunk_size=EXPORT_CHUNK):
        content_type = event.content_type
        history = reverse(
            "audit:object_history",
            kwargs={
                "app_label": content_type.app_label,
                "model_name": content_type.model,
                "object_id": event.object_id,
            },
        )
        yield [
            csv_export.moment(event.occurred_at),
            safe(event.actor_label),
            safe(event.verb),
            safe(content_type.name),
            safe(event.object_repr),
            safe(_changes_text(event)),
            base + history,
        ]


@require_GET
def event_export(request):
    """The activity the list shows (``?verb=`` kept), newest first, as CSV: every page."""
    events, _verb = _events(request)
    return csv_export.stream("activity", lambda: _event_lines(request, events))


@require_GET
def object_history(request, app_label, model_name, object_id):
    obj = selectors.visible_object(
        user=request.user, app_label=app_label, model_name=model_name, object_id=object_id
    )
    page = Paginator(selectors.object_history(obj=obj), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/object_history.html",
        {"object": obj, "page": page, "model_name": obj._meta.verbose_name},
    )
