"""Filters of functions and people, shared by the API and the pages (the people directory and
its CSV export).

An unknown function is an error (400 in the API, a form error on the page), never an empty
list that looks like "nobody".
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from engagement.core.filtersets import IdFilter
from engagement.org import selectors
from engagement.org.models import Function, User


class FunctionFilterSet(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()
    head = IdFilter(field_name="head_id")

    class Meta:
        model = Function
        fields = ("is_active", "head")


class HomeFunctionField(django_filters.fields.ModelChoiceField):
    """A function by slug; archived functions are offered too (their people still belong to
    them), marked as such."""

    def label_from_instance(self, obj):
        if obj.is_active:
            return obj.name
        return _("%(name)s (archived)") % {"name": obj.name}


class HomeFunctionFilter(django_filters.ModelChoiceFilter):
    field_class = HomeFunctionField


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Name or title"),
        max_length=100,
        help_text=_("Words to find in the name, username or title (every word must match)."),
    )
    function = HomeFunctionFilter(
        queryset=Function.objects.order_by("-is_active", "name"),
        to_field_name="slug",
        label=_("Home function"),
        empty_label=_("All functions"),
        error_messages={"invalid_choice": _("Unknown function.")},
        help_text=_("Slug of the person's home function."),
    )

    class Meta:
        model = User
        fields = ("q", "function")

    def filter_search(self, queryset, name, value):
        return selectors.person_search(queryset, value)
