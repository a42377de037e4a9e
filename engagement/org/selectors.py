"""Read use cases for the organisation. They own the query shape (joins, prefetches, counts),
so lists cost the same number of queries whatever their length."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from engagement.org.models import Function, User


def function_list(*, user, include_archived: bool = False):
    qs = Function.objects.visible_to(user)
    if not include_archived:
        qs = qs.active()
    return (
        qs.select_related("head", "head__function")
        .prefetch_related(Prefetch("delegates", queryset=User.objects.select_related("function")))
        .annotate(member_count=Count("members", filter=Q(members__is_active=True), distinct=True))
        .order_by("name")
    )


def function_get(*, user, slug: str) -> Function:
    """One function, archived or not; ``Function.DoesNotExist`` if the user may not see it."""
    return (
        function_list(user=user, include_archived=True)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=User.objects.active().select_related("function"),
                to_attr="active_members",
            )
        )
        .get(slug=slug)
    )


def function_choices(*, user):
    """Active functions as (name, slug) rows for filters and pickers."""
    return Function.objects.visible_to(user).active().only("name", "slug").order_by("name")


# Words of a search: more would only slow the query without narrowing it further.
MAX_SEARCH_WORDS = 10


def person_search(queryset, text: str):
    """People whose name, username or title holds every word of ``text`` (any case)."""
    for word in text.split()[:MAX_SEARCH_WORDS]:
        queryset = queryset.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(title__icontains=word)
        )
    return queryset


def person_list(*, user, search: str = "", function_slug: str = ""):
    qs = User.objects.visible_to(user).active().select_related("function")
    if search:
        qs = person_search(qs, search)
    if function_slug:
        qs = qs.filter(function__slug=function_slug)
    return qs.order_by("last_name", "first_name", "username")
