"""Summits in the admin: every save goes through the services; the record of what happened is
read.

* Summits, participants, journey reviews, the capability plan and action items are saved
  through ``summits.services``, so the admin obeys the same rules (who may do what, due dates,
  a closed summit's frozen record) and leaves the same audit events as the pages and the API.
  A refused save shows the service's message on the form, next to the field it is about when
  there is one, with what was typed kept; nothing is saved.
* An administrator calls summits and sets them up (title, dates, chair, participants). The
  journey review and the capability plan are the chair's and the participants'; action items,
  marking a summit held and closing it are the chair's. The admin offers those saves and
  actions to everyone and the services refuse them, with their reason, to whom they are not
  given: the admin grants nobody more than the site does.
* An action item is started and completed by its owner only, so the admin does not offer
  those; it offers what a board's leaders and the summit's chair do (edit, re-plan with a
  reason, report progress, cancel) and what administrators may do for any board (put an item
  on the next meeting's agenda).
* The timeline of an action item and a review's evidence are append-only: read here.
  Nothing that records governance is deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from boards.admin import ReadOnlyInline
from boards.models import Meeting
from charter.admin import ReadOnlyAdmin
from engagement.audit.admin import HistoryLinkMixin
from engagement.core.errors import DomainError, Invalid
from engagement.org.admin import RefusalOnTheFormMixin, ServiceAdminMixin
from summits import selectors, services
from summits.models import (
    ActionItem,
    ActionItemUpdate,
    Capability,
    JourneyReview,
    Participant,
    ReviewEvidence,
    Summit,
)
from touchpoints.models import Kpi

OPEN = ActionItem.OPEN_STATUSES


def _changes(form, fields, change: bool) -> dict:
    """The fields to hand to a service: every field when adding, only the changed ones when
    changing."""
    names = [f for f in fields if f in form.cleaned_data]
    if change:
        names = [f for f in names if f in form.changed_data]
    return {f: form.cleaned_data[f] for f in names}


def _record_formset(formset, new=(), changed=(), deleted=()) -> None:
    """What the admin's change message reads after a formset is saved by the services."""
    formset.new_objects = list(new)
    formset.changed_objects = list(changed)
    formset.deleted_objects = list(deleted)


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class ServiceAdmin(ServiceAdminMixin, RefusalOnTheFormMixin, HistoryLinkMixin, admin.ModelAdmin):
    """Saved through the services; refusals on the form; never deleted."""

    def save_related(self, request, form, formsets, change):
        """Related rows were written by the services; the read-only inlines save nothing."""
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        _record_formset(formset)

    def _each(self, request, queryset, action, done_message) -> None:
        """Run ``action(obj)`` for every selected row through its service; report what was
        done and what was refused, row by row."""
        done = 0
        for obj in queryset:
            try:
                action(obj)
            except DomainError as exc:
                self.message_user(request, f"{obj}: {exc.message}", level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, level=messages.SUCCESS)


# --- Summits and participants ------------------------------------------------------------------

SUMMIT_FIELDS = ("title", "purpose", "starts_on", "ends_on", "location", "chair")


class SummitForm(forms.ModelForm):
    class Meta:
        model = Summit
        fields = SUMMIT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "ends_on" in self.fields:
            self.fields["ends_on"].required = False
            self.fields["ends_on"].help_text = gettext("Empty: a one-day summit.")

    def _post_clean(self):
        # A summit without an end lasts one day: the service sets it too.
        if "ends_on" in self.fields and self.cleaned_data.get("ends_on") is None:
            self.cleaned_data["ends_on"] = self.cleaned_data.get("starts_on")
        super()._post_clean()


class ParticipantInline(admin.TabularInline):
    """New participants are invited through the service; who took part is then part of the
    record (read here), and a closed summit's list is frozen."""

    model = Participant
    fields = ("person", "function", "note")
    autocomplete_fields = ("person", "function")
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        open_ = obj is None or not obj.is_closed
        return open_ and super().has_add_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "function")


class JourneyReviewInline(ReadOnlyInline):
    model = JourneyReview
    fields = ("stage", "touchpoint", "current_level", "target_level", "notes")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stage", "touchpoint")


class CapabilityInline(ReadOnlyInline):
    model = Capability
    fields = ("area", "sourcing", "partners", "gap", "owner")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")


class SummitActionItemInline(ReadOnlyInline):
    model = ActionItem
    fields = ("title", "owner", "owner_function", "board", "due_on", "status", "completed_on")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("owner", "owner_function", "board")
            .order_by("due_on", "pk")
        )


@admin.register(Summit)
class SummitAdmin(ServiceAdmin):
    form = SummitForm
    list_display = (
        "title",
        "starts_on",
        "ends_on",
        "status",
        "chair",
        "participant_count",
        "item_count",
        "overdue_count",
        "completion_rate",
    )
    list_filter = ("status",)
    list_select_related = ("chair",)
    search_fields = (
        "title",
        "purpose",
        "location",
        "chair__first_name",
        "chair__last_name",
        "chair__username",
    )
    autocomplete_fields = ("chair",)
    date_hierarchy = "starts_on"
    actions = ("hold_selected", "close_selected")

    def get_queryset(self, request):
        """Counts and completion of every row in the one changelist query."""
        today = timezone.localdate()
        items = "action_items"
        return (
            super()
            .get_queryset(request)
            .annotate(
                _participants=Count("participants", distinct=True),
                _items=Count(items, distinct=True),
                _done=Count(items, filter=Q(action_items__status="done"), distinct=True),
                _cancelled=Count(items, filter=Q(action_items__status="cancelled"), distinct=True),
                _overdue=Count(
                    items,
                    filter=Q(action_items__status__in=OPEN, action_items__due_on__lt=today),
                    distinct=True,
                ),
            )
            # A grouped query drops the model's ordering; the autocomplete needs one.
            .order_by(*Summit._meta.ordering)
        )

    @admin.display(description=_("participants"), ordering="_participants")
    def participant_count(self, obj):
        return obj._participants

    @admin.display(description=_("action items"), ordering="_items")
    def item_count(self, obj):
        return obj._items

    @admin.display(description=_("overdue"), ordering="_overdue")
    def overdue_count(self, obj):
        return obj._overdue

    @admin.display(description=_("completion rate"))
    def completion_rate(self, obj):
        """Done over what was committed (cancelled items left out), as on the summit page."""
        committed = obj._items - obj._cancelled
        return f"{round(100 * obj._done / committed)} %" if committed else "-"

    @admin.display(description=_("completion"))
    def completion(self, obj):
        if not obj or not obj.pk:
            return "-"
        counts = selectors.completion_for(ActionItem.objects.filter(summit=obj.pk))
        return gettext(
            "%(on_time)d done on time, %(late)d done late, %(open)d open, %(overdue)d "
            "overdue, %(cancelled)d cancelled"
        ) % {
            "on_time": counts.on_time,
            "late": counts.late,
            "open": counts.open,
            "overdue": counts.overdue,
            "cancelled": counts.cancelled,
        }

    def get_fields(self, request, obj=None):
        if obj is None:
            return SUMMIT_FIELDS
        return (
            *SUMMIT_FIELDS,
            "status",
            "held_at",
            "closed_at",
            "completion",
            "created_by",
            "created_at",
            "history_link",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fixed = (
            "status",
            "held_at",
            "closed_at",
            "completion",
            "created_by",
            "created_at",
            "history_link",
        )
        return (*SUMMIT_FIELDS, *fixed) if obj.is_closed else fixed

    def get_inlines(self, request, obj):
        if obj is None:
            return (ParticipantInline,)
        return (ParticipantInline, JourneyReviewInline, CapabilityInline, SummitActionItemInline)

    def save_model(self, request, obj, form, change):
        fields = _changes(form, SUMMIT_FIELDS, change)
        if change:
            if fields:
                services.summit_update(actor=request.user, summit=obj, **fields)
            return
        created = services.summit_create(actor=request.user, **fields)
        obj.pk = created.pk
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if formset.model is not Participant:
            _record_formset(formset)
            return
        added = []
        for participant_form in formset.extra_forms:
            if not participant_form.has_changed():
                continue
            data = participant_form.cleaned_data
            participant = services.participant_add(
                actor=request.user, summit=form.instance, person=data["person"],
                function=data["function"], note=data.get("note", ""),
            )  # fmt: skip
            added.append(participant)
        _record_formset(formset, new=added)

    @admin.action(description=_("Mark selected summits as held"))
    def hold_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda summit: services.summit_hold(actor=request.user, summit=summit),
            gettext("%(count)d summit(s) marked held."),
        )

    @admin.action(description=_("Close selected summits (freezes their record)"))
    def close_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda summit: services.summit_close(actor=request.user, summit=summit),
            gettext("%(count)d summit(s) closed."),
        )


@admin.register(Participant)
class ParticipantAdmin(ServiceAdmin):
    """Invited through the service; then part of the summit's record, read here."""

    list_display = ("person", "function", "summit", "note")
    list_filter = ("summit", "function")
    list_select_related = ("person", "function", "summit")
    search_fields = (
        "person__first_name",
        "person__last_name",
        "person__username",
        "function__name",
        "summit__title",
        "note",
    )
    autocomplete_fields = ("summit", "person", "function")

    def get_fields(self, request, obj=None):
        fields = ("summit", "person", "function", "note")
        return fields if obj is None else (*fields, "history_link")

    def get_readonly_fields(self, request, obj=None):
        return ("history_link",)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = services.participant_add(
            actor=request.user, summit=data["summit"], person=data["person"],
            function=data["function"], note=data.get("note", ""),
        )  # fmt: skip
        obj.pk = created.pk
        obj._state.adding = False


# --- Journey review and capability plan --------------------------------------------------------


class ReviewEvidenceInline(ReadOnlyInline):
    """The KPIs as they stood when they were added as evidence."""

    model = ReviewEvidence
    fields = ("kpi", "value", "period", "target", "kpi_status", "captured_at")
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("kpi")


class JourneyReviewForm(forms.ModelForm):
    """The evidence is chosen as KPIs; the service copies their values as they stand now."""

    kpis = forms.ModelMultipleChoiceField(
        label=_("evidence (KPIs)"),
        queryset=Kpi.objects.select_related("touchpoint"),
        required=False,
        widget=AutocompleteSelectMultiple(ReviewEvidence._meta.get_field("kpi"), admin.site),
        help_text=_(
            "KPIs of the reviewed touchpoint, or of touchpoints at the reviewed stage. A KPI "
            "already listed keeps the value captured then."
        ),
    )

    class Meta:
        model = JourneyReview
        fields = ("summit", "stage", "touchpoint", "current_level", "target_level", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["kpis"].initial = list(
                self.instance.evidence.values_list("kpi_id", flat=True)
            )


REVIEW_LEVELS = ("current_level", "target_level", "notes")


@admin.register(JourneyReview)
class JourneyReviewAdmin(ServiceAdmin):
    form = JourneyReviewForm
    list_display = (
        "__str__",
        "summit",
        "current_level",
        "target_level",
        "gap",
        "evidence_count",
        "updated_by",
        "updated_at",
    )
    list_filter = ("summit", "stage")
    list_select_related = ("summit", "stage", "touchpoint", "updated_by")
    search_fields = ("stage__name", "touchpoint__name", "notes", "summit__title")
    autocomplete_fields = ("summit", "stage", "touchpoint")
    inlines = (ReviewEvidenceInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_evidence=Count("evidence"))
            .order_by(*JourneyReview._meta.ordering)
        )

    @admin.display(description=_("gap"))
    def gap(self, obj):
        return obj.gap

    @admin.display(description=_("evidence"), ordering="_evidence")
    def evidence_count(self, obj):
        return obj._evidence

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("summit", "stage", "touchpoint", *REVIEW_LEVELS, "kpis")
        # A closed summit's evidence is read in the list below.
        kpis = () if obj.summit.is_closed else ("kpis",)
        fixed = ("updated_by", "updated_at", "history_link")
        return ("summit", "stage", "touchpoint", *REVIEW_LEVELS, *kpis, *fixed)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fixed = ("summit", "stage", "touchpoint", "updated_by", "updated_at", "history_link")
        return (*fixed, *REVIEW_LEVELS) if obj.summit.is_closed else fixed

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = _changes(form, REVIEW_LEVELS, change=True)
            kpis = list(data["kpis"]) if "kpis" in form.changed_data else None
            if changes or kpis is not None:
                services.review_update(actor=request.user, review=obj, kpis=kpis, **changes)
            return
        created = services.review_add(
            actor=request.user, summit=data["summit"], stage=data.get("stage"),
            touchpoint=data.get("touchpoint"), current_level=data["current_level"],
            target_level=data["target_level"], notes=data.get("notes", ""),
            kpis=list(data.get("kpis") or ()),
        )  # fmt: skip
        obj.pk = created.pk
        obj._state.adding = False


CAPABILITY_EDITABLE = ("sourcing", "partners", "gap", "owner", "notes")


@admin.register(Capability)
class CapabilityAdmin(ServiceAdmin):
    list_display = ("area", "summit", "sourcing", "partners", "gap", "owner")
    list_filter = ("summit", "area", "sourcing", "gap")
    list_select_related = ("summit", "owner")
    search_fields = ("partners", "notes", "summit__title", "owner__first_name", "owner__last_name")
    autocomplete_fields = ("summit", "owner")

    def get_fields(self, request, obj=None):
        fields = ("summit", "area", *CAPABILITY_EDITABLE)
        return fields if obj is None else (*fields, "updated_at", "history_link")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fixed = ("summit", "area", "updated_at", "history_link")
        return (*fixed, *CAPABILITY_EDITABLE) if obj.summit.is_closed else fixed

    def save_model(self, request, obj, form, change):
        if change:
            changes = _changes(form, CAPABILITY_EDITABLE, change=True)
            if changes:
                services.capability_update(actor=request.user, capability=obj, **changes)
            return
        data = form.cleaned_data
        created = services.capability_add(
            actor=request.user, summit=data["summit"], area=data["area"],
            sourcing=data["sourcing"], gap=data["gap"], owner=data["owner"],
            partners=data.get("partners", ""), notes=data.get("notes", ""),
        )  # fmt: skip
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(ReviewEvidence)
class ReviewEvidenceAdmin(ReadOnlyAdmin):
    """Captured by the journey-review service when a KPI is added as evidence."""

    list_display = ("kpi", "review", "value", "period", "target", "kpi_status", "captured_at")
    list_filter = ("kpi_status", "review__summit")
    list_select_related = ("kpi", "review__stage", "review__touchpoint")
    search_fields = ("kpi__name", "kpi__touchpoint__name", "review__summit__title")


# --- Action items ------------------------------------------------------------------------------


class DueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return (
            ("overdue", _("Overdue")),
            ("soon", _("Due within 14 days")),
            ("open", _("Still open")),
            ("closed", _("Done or cancelled")),
        )

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "soon":
            return queryset.due_soon()
        if self.value() == "open":
            return queryset.open()
        if self.value() == "closed":
            return queryset.closed()
        return queryset


class ActionItemUpdateInline(ReadOnlyInline):
    """The item's timeline: append-only."""

    model = ActionItemUpdate
    fields = (
        "created_at",
        "kind",
        "author",
        "note",
        "status_before",
        "status_after",
        "due_before",
        "due_after",
        "decision",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author", "decision")
            .order_by("created_at", "pk")
        )


class ActionItemForm(forms.ModelForm):
    """On an existing item, a new due date or owner is a re-plan (with its reason), and a
    note is a progress update: both go on the item's timeline."""

    reason = forms.CharField(
        label=_("reason for re-planning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the due date or the owner changes."),
    )
    note = forms.CharField(
        label=_("progress note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Added to the item's timeline."),
    )

    class Meta:
        model = ActionItem
        fields = (
            "summit",
            "title",
            "description",
            "owner",
            "owner_function",
            "due_on",
            "priority",
            "board",
            "touchpoints",
        )


ITEM_EDITABLE = ("title", "description", "priority")
ITEM_REPLAN = ("due_on", "owner", "owner_function")
ITEM_FIXED = (
    "summit",
    "board",
    "status",
    "completed_on",
    "agenda",
    "created_by",
    "created_at",
    "history_link",
)


@admin.register(ActionItem)
class ActionItemAdmin(ServiceAdmin):
    form = ActionItemForm
    list_display = (
        "title",
        "summit",
        "owner",
        "owner_function",
        "board",
        "due_on",
        "priority",
        "status",
        "overdue",
        "completed_on",
    )
    list_filter = ("status", DueFilter, "priority", "board", "owner_function", "summit")
    list_select_related = ("summit", "owner", "owner_function", "board")
    search_fields = (
        "title",
        "description",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
        "owner_function__name",
        "board__name",
        "summit__title",
    )
    autocomplete_fields = ("summit", "owner", "owner_function", "board", "touchpoints")
    date_hierarchy = "due_on"
    inlines = (ActionItemUpdateInline,)
    actions = ("cancel_selected", "put_on_next_agenda")
    show_full_result_count = False

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    @admin.display(description=_("on the agenda of"))
    def agenda(self, obj):
        if not obj or not obj.pk:
            return "-"
        meetings = [str(a.meeting) for a in obj.agenda_items.select_related("meeting__board")]
        return "; ".join(meetings) or "-"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ActionItemForm.Meta.fields
        # Nothing is re-planned or reported on a done or cancelled item.
        steering = ("reason", "note") if obj.is_open else ()
        return (
            "summit",
            "board",
            "title",
            "description",
            "priority",
            "touchpoints",
            "status",
            "completed_on",
            *ITEM_REPLAN,
            *steering,
            "agenda",
            "created_by",
            "created_at",
            "history_link",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not obj.is_open:  # done and cancelled are final
            return (*ITEM_FIXED, *ITEM_EDITABLE, "touchpoints", *ITEM_REPLAN)
        return ITEM_FIXED

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.action_item_create(
                actor=request.user, summit=data["summit"], title=data["title"],
                description=data.get("description", ""), owner=data["owner"],
                owner_function=data["owner_function"], due_on=data["due_on"],
                priority=data["priority"], board=data["board"],
                touchpoints=list(data.get("touchpoints") or ()),
            )  # fmt: skip
            obj.pk = created.pk
            obj._state.adding = False
            return
        edits = _changes(form, ITEM_EDITABLE, change=True)
        touchpoints = list(data["touchpoints"]) if "touchpoints" in form.changed_data else None
        if edits or touchpoints is not None:
            services.action_item_update(
                actor=request.user, item=obj, touchpoints=touchpoints, **edits
            )
        replan = _changes(form, ITEM_REPLAN, change=True)
        if replan:
            services.action_item_replan(
                actor=request.user, item=obj, reason=data.get("reason", ""), **replan
            )
        if data.get("note"):
            services.action_item_progress(actor=request.user, item=obj, note=data["note"])

    @admin.action(description=_("Cancel selected action items"))
    def cancel_selected(self, request, queryset):
        reason = gettext("Cancelled in the admin by %(person)s.") % {
            "person": _person(request.user)
        }
        self._each(
            request,
            queryset.select_related("summit", "board"),
            lambda item: services.action_item_cancel(actor=request.user, item=item, reason=reason),
            gettext("%(count)d action item(s) cancelled."),
        )

    @admin.action(description=_("Put selected on the next meeting of the board following them up"))
    def put_on_next_agenda(self, request, queryset):
        def put(item):
            meeting = Meeting.objects.upcoming().filter(board=item.board_id).first()
            if meeting is None:
                raise Invalid(gettext("%(board)s has no upcoming meeting.") % {"board": item.board})
            services.action_item_put_on_agenda(actor=request.user, item=item, meeting=meeting)

        self._each(
            request,
            queryset.select_related("board"),
            put,
            gettext("%(count)d action item(s) put on an agenda."),
        )


@admin.register(ActionItemUpdate)
class ActionItemUpdateAdmin(ReadOnlyAdmin):
    """An action item's timeline, written by the action-item services."""

    list_display = (
        "created_at",
        "item",
        "kind",
        "author",
        "status_after",
        "due_before",
        "due_after",
        "decision",
    )
    list_filter = ("kind", "item__board")
    list_select_related = ("item", "author", "decision")
    search_fields = ("item__title", "note", "author__first_name", "author__last_name")
    date_hierarchy = "created_at"
    show_full_result_count = False
