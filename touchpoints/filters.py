"""Filters for touchpoints, KPIs and measurements, shared by the HTML lists and the API.

``TouchpointFilterSet`` gets ``function`` from the charter (the touchpoints where a function
holds a right), through ``engagement.core.filtersets.add_filter``: this app sits below the
charter and does not import it.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from engagement.core.filtersets import IdFilter
from engagement.org.models import User
from touchpoints import selectors
from touchpoints.models import Channel, JourneyStage, Kpi, Measurement, Touchpoint


def _user(request):
    return getattr(request, "user", None)


def _stages(request):
    return selectors.stage_list(user=_user(request))


def _channels(request):
    return selectors.channel_list(user=_user(request))


def _people(request):
    return User.objects.visible_to(_user(request))


@extend_schema_field(OpenApiTypes.STR)
class StageFilter(django_filters.ModelChoiceFilter):
    """A journey stage named by its slug (typed for the API schema, whatever the method)."""


def stage_filter(**kwargs) -> StageFilter:
    """A journey stage named by its slug, for the lists of what hangs off touchpoints
    (conflicts, decisions, escalations, action items). Give ``method`` or ``field_name``."""
    kwargs.setdefault("label", _("Journey stage"))
    kwargs.setdefault("empty_label", _("All stages"))
    kwargs.setdefault("error_messages", {"invalid_choice": _("Unknown journey stage.")})
    return StageFilter(
        queryset=JourneyStage.objects.order_by("position", "name"), to_field_name="slug", **kwargs
    )


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering that breaks ties by name then id, so pages never shuffle rows between them."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "name", "pk")
        return qs


class TouchpointFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text="Words to find in the name, description or segment (every word must match).",
    )
    stage = django_filters.ModelChoiceFilter(
        queryset=_stages,
        to_field_name="slug",
        label=_("Journey stage"),
        empty_label=_("All stages"),
        help_text="Slug of the journey stage.",
    )
    channel = django_filters.ModelChoiceFilter(
        queryset=_channels,
        to_field_name="slug",
        label=_("Channel"),
        empty_label=_("All channels"),
        help_text="Slug of the channel.",
    )
    priority = django_filters.ChoiceFilter(
        choices=Touchpoint.Priority.choices, label=_("Priority"), empty_label=_("Any priority")
    )
    status = django_filters.ChoiceFilter(
        choices=Touchpoint.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    segment = django_filters.CharFilter(
        lookup_expr="iexact", label=_("Segment"), help_text="Customer segment (exact, any case)."
    )
    steward = django_filters.ModelChoiceFilter(
        field_name="data_steward",
        queryset=_people,
        label=_("Data steward"),
        empty_label=_("Anyone"),
        help_text="Id of the data steward.",
    )
    archived = django_filters.ChoiceFilter(
        method="filter_archived",
        choices=(
            ("false", _("Current only")),
            ("true", _("Archived only")),
            ("all", _("Current and archived")),
        ),
        label=_("Archived"),
        empty_label=None,
        help_text="`false`: current touchpoints only; `true`: archived only; `all` (the API's "
        "default): both.",
    )
    ordering = StableOrderingFilter(
        fields=(
            ("name", "name"),
            ("stage__position", "stage"),
            ("priority_rank", "priority"),
            ("status", "status"),
            ("updated_at", "updated_at"),
        ),
        field_labels={
            "name": _("Name"),
            "stage__position": _("Journey stage"),
            "priority_rank": _("Priority"),
            "status": _("Status"),
            "updated_at": _("Last changed"),
        },
        label=_("Sort by"),
        empty_label=_("Journey order"),
        help_text="Sort by `name`, `stage` (journey order), `priority` (critical first), "
        "`status` or `updated_at`; prefix with `-` to reverse.",
    )

    class Meta:
        model = Touchpoint
        fields = ("q", "stage", "channel", "priority", "status", "segment", "steward", "archived")

    def filter_search(self, queryset, name, value):
        for word in value.split()[:10]:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(segment__icontains=word)
            )
        return queryset

    def filter_archived(self, queryset, name, value):
        if value == "true":
            return queryset.filter(is_archived=True)
        if value == "false":
            return queryset.filter(is_archived=False)
        return queryset


class TouchpointListFilterSet(TouchpointFilterSet):
    """The HTML list's filters: archived touchpoints are hidden unless asked for, and the
    steward menu offers only the people who steward a touchpoint."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("archived"):
            data = data.copy()
            data["archived"] = "false"
        super().__init__(data, *args, **kwargs)
        self.form.fields["steward"].queryset = selectors.steward_choices(user=_user(self.request))
        for field in self.form.fields.values():
            field.help_text = ""  # the API's notes; the page's labels say enough
        self.form.fields["q"].widget.input_type = "search"
        self.form.fields["q"].widget.attrs.update(autocomplete="off", maxlength="100")

    @property
    def is_filtered(self) -> bool:
        """Is anything besides the default narrowing the list?"""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return any(
            data.get(name) for name in self.form.fields if name not in ("archived", "ordering")
        ) or data.get("archived") not in (None, "", "false")


class JourneyStageFilterSet(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = JourneyStage
        fields = ("is_active",)


class ChannelFilterSet(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Channel
        fields = ("is_active",)


class KpiFilterSet(django_filters.FilterSet):
    touchpoint = IdFilter(field_name="touchpoint_id", help_text="Touchpoint id.")
    direction = django_filters.ChoiceFilter(choices=Kpi.Direction.choices)
    period = django_filters.ChoiceFilter(choices=Kpi.Period.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Kpi
        fields = ("touchpoint", "direction", "period", "is_active")


class MeasurementFilterSet(django_filters.FilterSet):
    kpi = IdFilter(field_name="kpi_id", help_text="KPI id.")
    touchpoint = IdFilter(field_name="kpi__touchpoint_id", help_text="Touchpoint id.")
    period_after = django_filters.DateFilter(
        field_name="period", lookup_expr="gte", help_text="Periods starting on or after this date."
    )
    period_before = django_filters.DateFilter(
        field_name="period", lookup_expr="lte", help_text="Periods starting on or before this date."
    )

    class Meta:
        model = Measurement
        fields = ("kpi", "touchpoint", "period_after", "period_before")
