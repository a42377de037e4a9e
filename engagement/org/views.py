"""Pages of the organisation: functions with their heads and delegates, and the people."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from engagement.org import selectors
from engagement.org.models import Function
from engagement.org.roles import roles_for


@require_GET
def function_list(request):
    show_archived = request.GET.get("archived") == "1"
    return render(
        request,
        "org/function_list.html",
        {
            "functions": selectors.function_list(user=request.user, include_archived=show_archived),
            "show_archived": show_archived,
        },
    )


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


@require_GET
def person_list(request):
    search = request.GET.get("q", "").strip()[:100]
    function_slug = request.GET.get("function", "").strip()[:100]
    people = selectors.person_list(user=request.user, search=search, function_slug=function_slug)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "org/person_list.html",
        {
            "page": page,
            "search": search,
            "function_slug": function_slug,
            "functions": selectors.function_choices(user=request.user),
        },
    )
