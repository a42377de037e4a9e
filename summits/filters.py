"""Filters of summits and action items, shared by the API and the HTML lists (and the CSV
export, which follows the list's filters).

As in the boards' filters, invalid values are errors, never silently ignored; yes/no filters
take ``true`` or ``false``; dates are ``YYYY-MM-DD`` and ranges include both ends.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boards.filters import (
    DATE_WIDGET,
    YesNoFilter,
    board_filter,
    person_filter,
    search_words,
)
from charter.filters import FunctionFilter
from engagement.core.choices import capitalised
from summits.models import ActionItem, Capability, JourneyReview, Summit
from touchpoints.filters import stage_filter
from touchpoints.models import JourneyStage, Touchpoint

DUE_SOON_DAYS = 14

# ``status`` takes the lifecycle's statuses and one more word, for what the due date says.
ACTION_STATUS_CHOICES = [
    *capitalised(ActionItem.Status.choices),
    ("overdue", _("Overdue")),
]


class SummitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search", label=_("Search"),
        help_text=_("Words to find in the title, purpose or place (every word must match)."),
    )  # fmt: skip
    status = django_filters.ChoiceFilter(
        choices=capitalised(Summit.Status.choices), label=_("Status"),
        empty_label=_("Any status"),
    )  # fmt: skip
    chair = person_filter(label=_("Chair"), help_text=_("The chair's id."))
    ordering = django_filters.OrderingFilter(
        fields=(("starts_on", "starts_on"), ("title", "title")),
        field_labels={"starts_on": _("Date"), "title": _("Title")},
        label=_("Sort by"), empty_label=_("Latest first"),
        help_text=_("starts_on or title; prefix with - to reverse. Latest first by default."),
    )  # fmt: skip

    class Meta:
        model = Summit
        fields = ("q", "status", "chair", "ordering")

    def filter_search(self, queryset, name, value):
        return search_words(queryset, value, ("title", "purpose", "location"))


# Reviews and the capability plan are lists in the API only; the summit page shows them.


class JourneyReviewFilterSet(django_filters.FilterSet):
    summit = django_filters.ModelChoiceFilter(
        queryset=Summit.objects.all(), help_text=_("The summit's id."),
        error_messages={"invalid_choice": _("Unknown summit.")},
    )  # fmt: skip
    stage = django_filters.ModelChoiceFilter(
        queryset=JourneyStage.objects.all(), method="filter_stage",
        help_text=_("A journey stage's id: its review and those of its touchpoints."),
        error_messages={"invalid_choice": _("Unknown journey stage.")},
    )  # fmt: skip
    touchpoint = django_filters.ModelChoiceFilter(
        queryset=Touchpoint.objects.all(), help_text=_("A touchpoint's id."),
        error_messages={"invalid_choice": _("Unknown touchpoint.")},
    )  # fmt: skip

    class Meta:
        model = JourneyReview
        fields = ("summit", "stage", "touchpoint")

    def filter_stage(self, queryset, name, value):
        return queryset.filter(Q(stage=value) | Q(touchpoint__stage=value))


class CapabilityFilterSet(django_filters.FilterSet):
    summit = django_filters.ModelChoiceFilter(
        queryset=Summit.objects.all(), help_text=_("The summit's id."),
        error_messages={"invalid_choice": _("Unknown summit.")},
    )  # fmt: skip
    area = django_filters.ChoiceFilter(choices=capitalised(Capability.Area.choices))
    sourcing = django_filters.ChoiceFilter(choices=capitalised(Capability.Sourcing.choices))
    owner = person_filter(help_text=_("The owner's id."))

    class Meta:
        model = Capability
        fields = ("summit", "area", "sourcing", "owner")


class ActionItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search", label=_("Search"),
        help_text=_("Words to find in the title or description (every word must match)."),
    )  # fmt: skip
    summit = django_filters.ModelChoiceFilter(
        queryset=Summit.objects.order_by("-starts_on"), label=_("Summit"),
        empty_label=_("All summits"), help_text=_("The summit's id."),
        error_messages={"invalid_choice": _("Unknown summit.")},
    )  # fmt: skip
    board = board_filter(label=_("Followed up by"), help_text=_("The board's id."))
    owner = person_filter(label=_("Owner"), help_text=_("The owner's id."))
    function = FunctionFilter(
        field_name="owner_function", label=_("Owner function"),
        help_text=_("The owner function, by id or slug."),
    )  # fmt: skip
    status = django_filters.ChoiceFilter(
        choices=ACTION_STATUS_CHOICES, method="filter_status", label=_("Status"),
        empty_label=_("Any status"),
        help_text=_(
            "open, in_progress, done, cancelled; or overdue: open or in progress and past its "
            "due date."
        ),
    )  # fmt: skip
    open = YesNoFilter(
        method="filter_open", label=_("Open or closed"), yes=_("Open or in progress"),
        no=_("Done or cancelled"),
        help_text=_("true: open or in progress; false: done or cancelled."),
    )  # fmt: skip
    due_soon = YesNoFilter(
        method="filter_due_soon", label=_("Due soon"),
        yes=_("Due in the next 14 days"), no=_("Not due in the next 14 days"),
        help_text=_("true: open and due from today to 14 days ahead."),
    )  # fmt: skip
    overdue = YesNoFilter(
        method="filter_overdue", label=_("Overdue"),
        help_text=_("true: open or in progress and past its due date."),
    )  # fmt: skip
    priority = django_filters.ChoiceFilter(
        choices=capitalised(ActionItem.Priority.choices), label=_("Priority"),
        empty_label=_("Any priority"),
    )  # fmt: skip
    touchpoint = django_filters.ModelChoiceFilter(
        queryset=Touchpoint.objects.all(), field_name="touchpoints", label=_("Touchpoint"),
        help_text=_("A linked touchpoint's id."),
        error_messages={"invalid_choice": _("Unknown touchpoint.")},
    )  # fmt: skip
    stage = stage_filter(
        method="filter_stage",
        help_text=_("Items that change a touchpoint at this journey stage, by slug."),
    )
    due_after = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", label=_("Due from"),
        help_text=_("Items due on or after this day (YYYY-MM-DD)."), widget=DATE_WIDGET,
    )  # fmt: skip
    due_before = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label=_("Due until"),
        help_text=_("Items due on or before this day (YYYY-MM-DD)."), widget=DATE_WIDGET,
    )  # fmt: skip
    ordering = django_filters.OrderingFilter(
        fields=(
            ("due_on", "due_on"), ("title", "title"), ("status", "status"),
            ("board__name", "board"), ("created_at", "created_at"),
        ),
        field_labels={
            "due_on": _("Due date"), "title": _("Title"), "status": _("Status"),
            "board__name": _("Board"), "created_at": _("Recorded"),
        },
        label=_("Sort by"), empty_label=_("Due first"),
        help_text=_(
            "due_on, title, status, board or created_at; prefix with - to reverse. "
            "Soonest due first by default."
        ),
    )  # fmt: skip

    class Meta:
        model = ActionItem
        fields = (
            "q", "summit", "board", "owner", "function", "status", "open", "due_soon",
            "overdue", "priority", "touchpoint", "stage", "due_after", "due_before", "ordering",
        )  # fmt: skip

    def filter_search(self, queryset, name, value):
        return search_words(queryset, value, ("title", "description"))

    def filter_stage(self, queryset, name, value):
        # A subquery, not a join: an item changing two touchpoints at the stage is one row.
        at_stage = ActionItem.objects.filter(touchpoints__stage=value).values("pk")
        return queryset.filter(pk__in=at_stage)

    def filter_status(self, queryset, name, value):
        if value == "overdue":
            return queryset.overdue()
        return queryset.filter(status=value)

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.closed()

    def filter_due_soon(self, queryset, name, value):
        soon = Q(pk__in=ActionItem.objects.due_soon(DUE_SOON_DAYS).values("pk"))
        return queryset.filter(soon) if value else queryset.exclude(soon)

    def filter_overdue(self, queryset, name, value):
        late = Q(status__in=ActionItem.OPEN_STATUSES, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("touchpoint") is not None:
            queryset = queryset.distinct()
        if self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by(*queryset.query.order_by, "due_on", "id")
        return queryset
