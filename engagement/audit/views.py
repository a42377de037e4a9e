"""Browsing the audit log: everything (for those who may), and the history of one object."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from engagement.audit import selectors


@require_GET
def event_list(request):
    events = selectors.event_list(user=request.user)
    verb = request.GET.get("verb", "").strip()[:64]
    if verb:
        events = events.filter(verb=verb)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page, "verb": verb})


@require_GET
def object_history(request, app_label, model_name, object_id):
    obj = selectors.visible_object(
        user=request.user, app_label=app_label, model_name=model_name, object_id=object_id
    )
    page = Paginator(selectors.object_history(obj=obj), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/object_history.html",
        {"object": obj, "page": page, "model_name": obj._meta.verbose_name},
    )
