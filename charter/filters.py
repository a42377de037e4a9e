"""Filters of the charter, shared by the API and the pages.

A function is named by its id or its slug (``?function=3`` or ``?function=marketing``); a
journey stage by its slug; a date is ``YYYY-MM-DD``, and ``as_of`` means "at the end of that
day" in the current time zone.

The boards app adds ``board`` (the touchpoints a board governs) to ``ConflictFilterSet`` and
``MatrixFilterSet``, and this app adds ``function`` to the touchpoint list's filters, through
``engagement.core.filtersets.add_filter``: a lower app never imports a higher one.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from charter import selectors
from charter.models import Claim, Conflict, Right, RightAssignment
from engagement.core.choices import capitalised
from engagement.core.filtersets import IdFilter
from engagement.org.models import Function
from touchpoints.filters import stage_filter
from touchpoints.models import Channel, JourneyStage, Touchpoint


class FunctionField(forms.ModelChoiceField):
    """A function given by id or by slug; the HTML select offers slugs."""

    default_error_messages = {"invalid_choice": _("Unknown function.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        key = "pk" if value.isdigit() else "slug"
        try:
            return self.queryset.get(**{key: value})
        except (ValueError, TypeError, self.queryset.model.DoesNotExist):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


@extend_schema_field(OpenApiTypes.STR)
class FunctionFilter(django_filters.ModelChoiceFilter):
    field_class = FunctionField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Function.objects.order_by("name"))
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("label", _("Function"))
        kwargs.setdefault("help_text", _("A function's id or slug."))
        kwargs.setdefault("empty_label", _("All functions"))
        super().__init__(*args, **kwargs)


def touchpoints_held(queryset, name, value):
    """Touchpoints where the function ``value`` holds any right now."""
    return queryset.filter(pk__in=selectors.touchpoints_held_by(value))


def touchpoint_function_filter() -> FunctionFilter:
    """``function`` on the touchpoint list (added to it from ``CharterConfig.ready``)."""
    return FunctionFilter(
        method=touchpoints_held,
        label=_("Function with a right"),
        help_text=_("Touchpoints where this function holds any right now, by id or slug."),
    )


def _as_of_moment(filterset):
    day = getattr(filterset.form, "cleaned_data", {}).get("as_of")
    return selectors.end_of_day(day) if day else None


class RightAssignmentFilterSet(django_filters.FilterSet):
    touchpoint = IdFilter(field_name="touchpoint_id", label=_("Touchpoint"))
    right = django_filters.ChoiceFilter(choices=capitalised(Right.choices), label=_("Right"))
    function = FunctionFilter()
    active = django_filters.BooleanFilter(
        method="filter_active",
        label=_("Active"),
        help_text=_("true: held now; false: ended (released, transferred or revoked)."),
    )
    as_of = django_filters.DateFilter(
        method="filter_as_of",
        label=_("As of"),
        help_text=_("Only the assignments in force at the end of this day (YYYY-MM-DD)."),
    )

    class Meta:
        model = RightAssignment
        fields = ("touchpoint", "right", "function", "active", "as_of")

    def filter_active(self, queryset, name, value):
        return queryset.filter(ended_at__isnull=value)

    def filter_as_of(self, queryset, name, value):
        return queryset.as_of(selectors.end_of_day(value))


class ClaimFilterSet(django_filters.FilterSet):
    touchpoint = IdFilter(field_name="touchpoint_id", label=_("Touchpoint"))
    right = django_filters.ChoiceFilter(
        choices=capitalised(Right.choices), label=_("Right"), empty_label=_("All rights")
    )
    function = FunctionFilter(help_text=_("The claiming function's id or slug."))
    status = django_filters.ChoiceFilter(
        choices=capitalised(Claim.Status.choices), label=_("Status"), empty_label=_("Any status")
    )

    class Meta:
        model = Claim
        fields = ("touchpoint", "right", "function", "status")


class ConflictFilterSet(django_filters.FilterSet):
    touchpoint = IdFilter(field_name="touchpoint_id", label=_("Touchpoint"))
    right = django_filters.ChoiceFilter(
        choices=capitalised(Right.choices), label=_("Right"), empty_label=_("All rights")
    )
    function = FunctionFilter(
        method="filter_function",
        help_text=_("A function on either side (holding or claiming), by id or slug."),
    )
    stage = stage_filter(
        field_name="touchpoint__stage",
        help_text=_("The journey stage of the touchpoint, by slug."),
    )
    status = django_filters.ChoiceFilter(
        choices=capitalised(Conflict.Status.choices),
        label=_("Status"),
        empty_label=_("Any status"),
    )

    class Meta:
        model = Conflict
        fields = ("touchpoint", "right", "function", "stage", "status")

    def filter_function(self, queryset, name, value):
        return queryset.filter(Q(holder_function=value) | Q(claimant_function=value))


class MatrixFilterSet(django_filters.FilterSet):
    """The rights matrix, its printable page and its CSV export."""

    STATE_CHOICES = (
        ("vacant", _("A right vacant")),
        ("contested", _("A right contested")),
        ("complete", _("All four held")),
    )

    stage = django_filters.ModelChoiceFilter(
        queryset=JourneyStage.objects.order_by("position", "name"),
        to_field_name="slug",
        label=_("Journey stage"),
        empty_label=_("All stages"),
        error_messages={"invalid_choice": _("Unknown journey stage.")},
    )
    channel = django_filters.ModelChoiceFilter(
        queryset=Channel.objects.order_by("name"),
        to_field_name="slug",
        label=_("Channel"),
        empty_label=_("All channels"),
        error_messages={"invalid_choice": _("Unknown channel.")},
    )
    function = FunctionFilter(
        method="filter_function",
        help_text=_("Touchpoints where this function holds any right."),
    )
    priority = django_filters.ChoiceFilter(
        choices=capitalised(Touchpoint.Priority.choices),
        label=_("Priority"),
        empty_label=_("Any priority"),
    )
    state = django_filters.ChoiceFilter(
        choices=STATE_CHOICES,
        method="filter_state",
        label=_("Gaps"),
        empty_label=_("Any"),
    )
    as_of = django_filters.DateFilter(
        method="filter_as_of",
        label=_("Charter on"),
        help_text=_("Leave empty for today's charter."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Touchpoint
        fields = ("stage", "channel", "function", "priority", "state", "as_of")

    @property
    def moment(self):
        """The end of the ``as_of`` day, or None for now. Valid only after ``is_valid()``."""
        return _as_of_moment(self)

    def filter_function(self, queryset, name, value):
        return queryset.filter(pk__in=selectors.touchpoints_held_by(value, self.moment))

    def filter_state(self, queryset, name, value):
        moment = self.moment
        if value == "contested":
            return queryset.filter(pk__in=selectors.touchpoints_contested(moment))
        held = Count("right_assignments", filter=selectors.held_count_filter(moment))
        queryset = queryset.alias(_held=held)
        if value == "vacant":
            return queryset.filter(_held__lt=len(selectors.RIGHTS))
        return queryset.filter(_held__gte=len(selectors.RIGHTS))

    def filter_as_of(self, queryset, name, value):
        # The charter on a date shows the touchpoints that existed then.
        return queryset.filter(created_at__lte=selectors.end_of_day(value))
