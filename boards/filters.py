"""Filters of boards, memberships, meetings, decisions and escalations, shared by the API and
the HTML lists.

Invalid values are errors, never silently ignored: the API answers 400 naming the filter,
and an HTML list shows the form error (``filterset.is_valid()`` is false). Yes/no filters
take ``true`` or ``false``; dates are ``YYYY-MM-DD`` and date ranges include both ends.
A person, a board or a meeting is named by its id; a function by its id or its slug.

This app also adds ``board`` to the charter's conflict and matrix filters (``scope_filter``,
from ``BoardsConfig.ready``): the conflicts, or touchpoints, in the board's scope.

``EscalationFilterSet``'s ``mine`` needs the request (``EscalationFilterSet(data,
queryset=..., request=request)``); the API's filter backend passes it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from boards.models import Board, Decision, Escalation, Meeting, Membership
from boards.querysets import current_on
from boards.selectors import scope_touchpoints
from charter.filters import FunctionFilter
from engagement.core.choices import capitalised
from engagement.core.filtersets import IdFilter
from engagement.org.models import User
from touchpoints.filters import stage_filter

# Words of a search: more would only slow the query without narrowing it further.
MAX_SEARCH_WORDS = 10
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def search_words(queryset, value: str, fields: tuple[str, ...]):
    """Every word must appear in one of ``fields`` (any case)."""
    for word in value.split()[:MAX_SEARCH_WORDS]:
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


class YesNoField(django_filters.fields.ChoiceField):
    """``true`` or ``false`` as a ``bool``; empty is ``None`` (no filtering)."""

    def clean(self, value):
        return {"true": True, "false": False}.get(super().clean(value))


class YesNoFilter(django_filters.ChoiceFilter):
    """``true`` or ``false``. django-filter's BooleanFilter ignores any other value silently
    (``?active=maybe`` would list everything); a choice makes it a form error instead. The
    filter's ``method`` receives a ``bool``."""

    field_class = YesNoField

    def __init__(self, *args, yes=None, no=None, **kwargs):
        kwargs.setdefault("empty_label", _("Any"))
        choices = (("true", yes or _("Yes")), ("false", no or _("No")))
        super().__init__(*args, choices=choices, **kwargs)


def person_filter(**kwargs) -> django_filters.ModelChoiceFilter:
    kwargs.setdefault("empty_label", _("Anyone"))
    kwargs.setdefault("error_messages", {"invalid_choice": _("Unknown person.")})
    return django_filters.ModelChoiceFilter(
        queryset=User.objects.order_by("last_name", "first_name", "username"), **kwargs
    )


def board_filter(**kwargs) -> django_filters.ModelChoiceFilter:
    kwargs.setdefault("empty_label", _("All boards"))
    kwargs.setdefault("error_messages", {"invalid_choice": _("Unknown board.")})
    return django_filters.ModelChoiceFilter(queryset=Board.objects.order_by("name"), **kwargs)


def _in_scope(path: str):
    def method(queryset, name, board):
        return queryset.filter(**{f"{path}__in": scope_touchpoints(board).values("pk")})

    return method


@extend_schema_field(OpenApiTypes.INT)
class ScopeFilter(django_filters.ModelChoiceFilter):
    """A board by its id, filtering by what is in its scope (typed for the API schema)."""


def scope_filter(path: str, help_text) -> ScopeFilter:
    """``board`` on a charter list: the rows whose touchpoint (reached through ``path``:
    ``pk`` for touchpoints, ``touchpoint`` for conflicts) the board governs, directly or by
    its journey stage (``boards.selectors.scope_touchpoints``)."""
    return ScopeFilter(
        queryset=Board.objects.order_by("name"),
        method=_in_scope(path),
        label=_("Board"),
        empty_label=_("All boards"),
        error_messages={"invalid_choice": _("Unknown board.")},
        help_text=help_text,
    )


def _start_of(day):
    """Midnight at the start of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


class BoardFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_("Words to find in the name or purpose (every word must match)."),
    )
    active = YesNoFilter(
        method="filter_active",
        label=_("Active"),
        yes=_("Active only"),
        no=_("Archived only"),
        empty_label=_("Active and archived"),
        help_text=_("true: boards in use; false: archived boards."),
    )
    chair = person_filter(label=_("Chair"), help_text=_("The id of the person who chairs it."))

    class Meta:
        model = Board
        fields = ("q", "active", "chair")

    def filter_search(self, queryset, name, value):
        return search_words(queryset, value, ("name", "purpose"))

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value)


class MembershipFilterSet(django_filters.FilterSet):
    board = board_filter(label=_("Board"), help_text=_("The board's id."))
    person = person_filter(label=_("Person"), help_text=_("The member's id."))
    function = FunctionFilter(help_text=_("The function represented, by id or slug."))
    role = django_filters.ChoiceFilter(
        choices=capitalised(Membership.Role.choices), label=_("Role"), empty_label=_("Any role")
    )
    current = YesNoFilter(
        method="filter_current",
        label=_("Current"),
        yes=_("Sitting today"),
        no=_("Past or future"),
        empty_label=_("All memberships"),
        help_text=_("true: members today; false: memberships that ended or have not started."),
    )

    class Meta:
        model = Membership
        fields = ("board", "person", "function", "role", "current")

    def filter_current(self, queryset, name, value):
        condition = current_on()
        return queryset.filter(condition) if value else queryset.exclude(condition)


class MeetingFilterSet(django_filters.FilterSet):
    board = board_filter(label=_("Board"), help_text=_("The board's id."))
    status = django_filters.ChoiceFilter(
        choices=capitalised(Meeting.Status.choices),
        label=_("Status"),
        empty_label=_("Any status"),
    )
    starts_after = django_filters.DateFilter(
        method="filter_starts_after",
        label=_("Starting from"),
        help_text=_("Meetings starting on or after this day (YYYY-MM-DD)."),
        widget=DATE_WIDGET,
    )
    starts_before = django_filters.DateFilter(
        method="filter_starts_before",
        label=_("Starting until"),
        help_text=_("Meetings starting on or before this day (YYYY-MM-DD)."),
        widget=DATE_WIDGET,
    )
    upcoming = YesNoFilter(
        method="filter_upcoming",
        label=_("Upcoming"),
        yes=_("Upcoming only"),
        no=_("Past and cancelled only"),
        help_text=_("true: scheduled meetings that have not ended yet; false: the others."),
    )

    class Meta:
        model = Meeting
        fields = ("board", "status", "starts_after", "starts_before", "upcoming")

    def filter_starts_after(self, queryset, name, value):
        return queryset.filter(starts_at__gte=_start_of(value))

    def filter_starts_before(self, queryset, name, value):
        return queryset.filter(starts_at__lt=_start_of(value + timedelta(days=1)))

    def filter_upcoming(self, queryset, name, value):
        # Meeting.objects.upcoming() without its ordering, so the list's ordering stands.
        upcoming = Q(status=Meeting.Status.SCHEDULED, ends_at__gte=timezone.now())
        return queryset.filter(upcoming) if value else queryset.exclude(upcoming)


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Rows without a value (a decision with no due date) come last in either direction,
    on every database (SQLite and PostgreSQL put NULLs at opposite ends)."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        field = F(value.lstrip("-"))
        return field.desc(nulls_last=True) if value.startswith("-") else field.asc(nulls_last=True)


class DecisionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_("Words to find in the title, rationale or outcome (every word must match)."),
    )
    board = board_filter(label=_("Board"), help_text=_("The board's id."))
    status = django_filters.ChoiceFilter(
        choices=capitalised(Decision.Status.choices),
        method="filter_status",
        label=_("Status"),
        empty_label=_("Any status"),
        help_text=_(
            "overdue: still to be carried out and past its due date, whether or not the "
            "nightly job has marked it yet; open: to be carried out and not yet past due."
        ),
    )
    due_after = django_filters.DateFilter(
        field_name="due_on",
        lookup_expr="gte",
        label=_("Due from"),
        help_text=_("Decisions due on or after this day (YYYY-MM-DD)."),
        widget=DATE_WIDGET,
    )
    due_before = django_filters.DateFilter(
        field_name="due_on",
        lookup_expr="lte",
        label=_("Due until"),
        help_text=_("Decisions due on or before this day (YYYY-MM-DD)."),
        widget=DATE_WIDGET,
    )
    owner = person_filter(label=_("Owner"), help_text=_("The id of the person who carries it out."))
    owner_function = FunctionFilter(
        label=_("Owner function"), help_text=_("The function that carries it out, by id or slug.")
    )
    meeting = IdFilter(
        field_name="meeting_id",
        label=_("Meeting"),
        help_text=_("The id of the meeting it was taken in."),
    )
    stage = stage_filter(
        method="filter_stage",
        help_text=_("Decisions about a touchpoint at this journey stage, by slug."),
    )
    ordering = NullsLastOrderingFilter(
        fields=(
            ("logged_at", "logged_at"),
            ("due_on", "due_on"),
            ("title", "title"),
            ("status", "status"),
            ("board__name", "board"),
        ),
        field_labels={
            "logged_at": _("Date logged"),
            "due_on": _("Due date"),
            "title": _("Title"),
            "status": _("Status"),
            "board__name": _("Board"),
        },
        label=_("Sort by"),
        empty_label=_("Newest first"),
        help_text=_(
            "Sort by logged_at, due_on, title, status or board; prefix with - to reverse. "
            "Newest first by default."
        ),
    )

    class Meta:
        model = Decision
        fields = (
            "q", "board", "status", "due_after", "due_before", "owner", "owner_function",
            "meeting", "stage", "ordering",
        )  # fmt: skip

    def filter_search(self, queryset, name, value):
        return search_words(queryset, value, ("title", "rationale", "outcome"))

    def filter_stage(self, queryset, name, value):
        # A subquery, not a join: a decision about two touchpoints at the stage is one row.
        return queryset.filter(
            pk__in=Decision.objects.filter(touchpoints__stage=value).values("pk")
        )

    def filter_status(self, queryset, name, value):
        # The scan marks decisions overdue once a day; between scans an open decision past
        # its due date is overdue all the same, and no longer merely open.
        overdue = Q(pk__in=Decision.objects.overdue().values("pk"))
        if value == Decision.Status.OVERDUE:
            return queryset.filter(overdue)
        if value == Decision.Status.OPEN:
            return queryset.filter(status=Decision.Status.OPEN).exclude(overdue)
        return queryset.filter(status=value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("ordering"):
            # Ties (same due date, same status) keep a stable order across pages.
            queryset = queryset.order_by(*queryset.query.order_by, "-logged_at", "-id")
        return queryset


class EscalationFilterSet(django_filters.FilterSet):
    from_board = board_filter(label=_("From board"), help_text=_("The raising board's id."))
    to_board = board_filter(label=_("To body"), help_text=_("The receiving body's id."))
    status = django_filters.ChoiceFilter(
        choices=capitalised(Escalation.Status.choices),
        label=_("Status"),
        empty_label=_("Any status"),
    )
    open = YesNoFilter(
        method="filter_open",
        label=_("Open"),
        yes=_("Waiting or acknowledged"),
        no=_("Decided or sent back"),
        help_text=_("true: still waiting for an answer; false: decided or sent back."),
    )
    mine = YesNoFilter(
        method="filter_mine",
        label=_("Waiting for me"),
        yes=_("Waiting for a body I lead"),
        no=_("Everything else"),
        help_text=_("true: open escalations sent to a body you chair or are a delegate of."),
    )
    function = FunctionFilter(
        method="filter_function",
        help_text=_(
            "Escalations about this function's part, by id or slug: a decision it owns, or a "
            "conflict it holds or claims the right in."
        ),
    )
    stage = stage_filter(
        method="filter_stage",
        help_text=_(
            "Escalations about a touchpoint at this journey stage, by slug: the conflict's "
            "touchpoint or one of the decision's."
        ),
    )

    class Meta:
        model = Escalation
        fields = ("from_board", "to_board", "status", "open", "mine", "function", "stage")

    def filter_function(self, queryset, name, value):
        return queryset.filter(
            Q(decision__owner_function=value)
            | Q(conflict__holder_function=value)
            | Q(conflict__claimant_function=value)
        )

    def filter_stage(self, queryset, name, value):
        about = Escalation.objects.filter(
            Q(conflict__touchpoint__stage=value) | Q(decision__touchpoints__stage=value)
        ).values("pk")
        return queryset.filter(pk__in=about)

    def filter_open(self, queryset, name, value):
        condition = Q(status__in=Escalation.OPEN_STATUSES)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        waiting = Q(
            status__in=Escalation.OPEN_STATUSES,
            to_board__in=Board.objects.led_by(user).values("pk"),
        )
        return queryset.filter(waiting) if value else queryset.exclude(waiting)
