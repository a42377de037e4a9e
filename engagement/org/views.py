"""Pages of the organisation: functions with their heads and delegates, and the people, each
list with its CSV export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from engagement.core import csv_export
from engagement.core.csv_export import safe
from engagement.org import selectors
from engagement.org.filters import PersonFilterSet
from engagement.org.models import Function
from engagement.org.roles import roles_for

PAGE_SIZE = 50
EXPORT_CHUNK = 500


def _absolute(request) -> str:
    return request.build_absolute_uri("/")[:-1]


# --- Functions ---------------------------------------------------------------------------------


def _show_archived(request) -> bool:
    return request.GET.get("archived") == "1"


@require_GET
def function_list(request):
    show_archived = _show_archived(request)
    return render(
        request,
        "org/function_list.html",
        {
            "functions": selectors.function_list(user=request.user, include_archived=show_archived),
            "show_archived": show_archived,
        },
    )


def _function_lines(request, functions):
    yield [
        _("function"), _("slug"), _("head"), _("delegates"), _("members"), _("archived"),
        _("link"),
    ]  # fmt: skip
    base = _absolute(request)
    for function in functions:
        yield [
            safe(function.name),
            safe(function.slug),
            safe(function.head.display_name if function.head else ""),
            safe(", ".join(d.display_name for d in function.delegates.all())),
            function.member_count,
            _("no") if function.is_active else _("yes"),
            base + function.get_absolute_url(),
        ]


@require_GET
def function_export(request):
    """The functions the list shows (``?archived=1``: archived ones too), as CSV."""
    functions = selectors.function_list(user=request.user, include_archived=_show_archived(request))
    # Functions are few (one per business function): the delegates are prefetched in one go.
    return csv_export.stream("functions", lambda: _function_lines(request, functions))


@require_GET
def function_detail(request, slug):
    try:
        function = selectors.function_get(user=request.user, slug=slug)
    except Function.DoesNotExist:
        raise Http404("No such function.") from None
    return render(
        request,
        "org/function_detail.html",
        {"function": function, "can_act": roles_for(request.user).acts_for(function.pk)},
    )


# --- People ------------------------------------------------------------------------------------


def _person_filterset(request) -> PersonFilterSet:
    return PersonFilterSet(request.GET, queryset=selectors.person_list(user=request.user))


@require_GET
def person_list(request):
    filterset = _person_filterset(request)
    valid = filterset.is_valid()
    people = filterset.qs if valid else filterset.queryset.none()
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "org/person_list.html",
        {
            "form": filterset.form,
            "page": page,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
        status=200 if valid else 400,
    )


def _person_lines(request, people):
    yield [_("name"), _("username"), _("title"), _("home function"), _("link to function")]
    base = _absolute(request)
    for person in people.iterator(chunk_size=EXPORT_CHUNK):
        function = person.function
        yield [
            safe(person.display_name),
            safe(person.username),
            safe(person.title),
            safe(function.name if function else ""),
            base + function.get_absolute_url() if function else "",
        ]


@require_GET
def person_export(request):
    """The people the directory shows under its filters (every page), as CSV."""
    filterset = _person_filterset(request)
    if not filterset.is_valid():
        message = _("The people cannot be exported with these filters.")
        return csv_export.refused(message, filterset.errors)
    return csv_export.stream("people", lambda: _person_lines(request, filterset.qs))
