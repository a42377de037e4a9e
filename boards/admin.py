"""Boards in the admin: set-up goes through the services; the record of governance is read.

* Boards, memberships and meetings are saved through ``boards.services`` (``ServiceAdminMixin``),
  so the admin obeys the same rules (cadence validation, permissions, the ladder) and leaves
  the same audit events as the pages and the API; a refused change is shown as a message and
  changes nothing.
* Agenda items are added and removed on the meeting's page through the agenda services; an
  item already on the agenda is read, not edited (move or retitle it on the meeting's page).
* Decisions, their facts and escalations are append-only records logged by chairs on the
  site: the admin lists, searches and shows them, and never adds, changes or deletes them.
* Nothing that records governance is deleted: boards are archived, memberships ended,
  meetings cancelled. Only a calendar feed is removed, which revokes its secret address.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from boards import feed_services, services
from boards.cadence import describe, validate_cadence, validate_time_zone
from boards.models import (
    AgendaItem,
    Attendance,
    Board,
    CalendarFeed,
    Decision,
    DecisionFact,
    Escalation,
    Meeting,
    Membership,
)
from boards.querysets import current_on
from charter.admin import ReadOnlyAdmin
from engagement.audit.admin import HistoryLinkMixin
from engagement.core.errors import DomainError, Invalid
from engagement.org.admin import ServiceAdminMixin


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


# What a conflict's and a claim's names are made of.
CONFLICT_RELATED = (
    "conflict__touchpoint",
    "conflict__holder_function",
    "conflict__claimant_function",
)
CLAIM_RELATED = ("claim__touchpoint", "claim__function")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Boards and members ------------------------------------------------------------------------


class BoardForm(forms.ModelForm):
    """Checks the cadence and time zone as the service will, so a bad rule is shown next to
    the field with the person's text kept (the service still checks on save)."""

    class Meta:
        model = Board
        fields = (*services.BOARD_FIELDS, "scope_stages", "scope_touchpoints")

    def clean_cadence(self):
        return self._checked(validate_cadence, "cadence")

    def clean_time_zone(self):
        return self._checked(validate_time_zone, "time_zone")

    def _checked(self, check, name):
        try:
            return check(self.cleaned_data.get(name, ""))
        except Invalid as exc:
            raise forms.ValidationError(exc.message) from None


class MembershipInlineForm(forms.ModelForm):
    """Who sits on the board and since when are fixed once the seat exists: end it and add
    the person again instead."""

    class Meta:
        model = Membership
        fields = ("person", "function", "role", "is_delegate", "started_on", "ended_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("person", "started_on"):
                if name in self.fields:
                    self.fields[name].disabled = True
            if self.instance.ended_on is not None and "ended_on" in self.fields:
                self.fields["ended_on"].disabled = True


def save_memberships(request, board: Board, forms_) -> tuple[list, list]:
    """Save membership forms through the services: add, change, end. Returns what was added
    and what changed, for the admin's change message."""
    added, changed = [], []
    for form in forms_:
        if not form.has_changed() or getattr(form, "cleaned_data", None) is None:
            continue
        data = form.cleaned_data
        if form.instance.pk is None:
            membership = services.membership_add(
                actor=request.user, board=board, person=data["person"],
                function=data["function"], role=data["role"],
                is_delegate=data.get("is_delegate", False), started_on=data.get("started_on"),
            )  # fmt: skip
            if data.get("ended_on"):
                membership = services.membership_end(
                    actor=request.user, membership=membership, ended_on=data["ended_on"]
                )
            added.append(membership)
            continue
        membership = form.instance
        updates = {
            f: data[f] for f in ("function", "role", "is_delegate") if f in form.changed_data
        }
        if updates:
            membership = services.membership_update(
                actor=request.user, membership=membership, **updates
            )
        if "ended_on" in form.changed_data:
            if data.get("ended_on") is None or form.initial.get("ended_on") is not None:
                raise Invalid(
                    gettext("An ended membership stays as it was; add the person again instead."),
                    field="ended_on",
                )
            membership = services.membership_end(
                actor=request.user, membership=membership, ended_on=data["ended_on"]
            )
        changed.append((membership, form.changed_data))
    return added, changed


class MembershipInline(admin.TabularInline):
    """Current and future seats. Ended ones stay on the Memberships list."""

    model = Membership
    form = MembershipInlineForm
    fields = ("person", "function", "role", "is_delegate", "started_on", "ended_on")
    autocomplete_fields = ("person", "function")
    extra = 0
    can_delete = False  # a seat is ended (give “until”), never deleted
    show_change_link = True

    def get_queryset(self, request):
        today = timezone.localdate()
        return (
            super()
            .get_queryset(request)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
            .select_related("person", "function")
        )


class LadderFilter(admin.SimpleListFilter):
    title = _("place in the ladder")
    parameter_name = "ladder"

    def lookups(self, request, model_admin):
        return (("top", _("Top (escalates to nobody)")), ("below", _("Below another body")))

    def queryset(self, request, queryset):
        if self.value() == "top":
            return queryset.filter(escalates_to__isnull=True)
        if self.value() == "below":
            return queryset.filter(escalates_to__isnull=False)
        return queryset


@admin.register(Board)
class BoardAdmin(ServiceAdminMixin, HistoryLinkMixin, admin.ModelAdmin):
    form = BoardForm
    list_display = (
        "name",
        "chair",
        "sponsor",
        "escalates_to",
        "cadence_in_words",
        "member_count",
        "is_active",
    )
    list_filter = ("is_active", LadderFilter, "escalates_to", "scope_stages")
    list_select_related = ("chair", "sponsor", "escalates_to")
    search_fields = (
        "name",
        "purpose",
        "chair__first_name",
        "chair__last_name",
        "chair__username",
    )
    autocomplete_fields = ("chair", "sponsor", "escalates_to")
    filter_horizontal = ("scope_stages", "scope_touchpoints")
    readonly_fields = ("cadence_in_words", "history_link")
    fieldsets = (
        (None, {"fields": ("name", "purpose", "is_active", "history_link")}),
        (_("Who leads it"), {"fields": ("chair", "sponsor", "escalates_to", "core_size_limit")}),
        (
            _("Cadence"),
            {
                "fields": (
                    "cadence",
                    "cadence_in_words",
                    "time_zone",
                    "starts_on",
                    "start_time",
                    "duration_minutes",
                    "location",
                )
            },
        ),
        (_("Scope"), {"fields": ("scope_stages", "scope_touchpoints")}),
    )
    inlines = (MembershipInline,)

    def get_queryset(self, request):
        today = timezone.localdate()
        return (
            super()
            .get_queryset(request)
            .annotate(_members=Count("memberships", filter=current_on(today, "memberships__")))
        )

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, obj):
        return obj._members

    @admin.display(description=_("cadence"), ordering="cadence")
    def cadence_in_words(self, obj):
        return describe(obj.cadence) if obj and obj.cadence else "-"

    def save_model(self, request, obj, form, change):
        fields = _changes(form, services.BOARD_FIELDS, change)
        scope = {
            name: list(form.cleaned_data[name])
            for name in ("scope_touchpoints", "scope_stages")
            if name in form.cleaned_data and (not change or name in form.changed_data)
        }
        if change:
            services.board_update(actor=request.user, board=obj, **scope, **fields)
            return
        created = services.board_create(actor=request.user, **scope, **fields)
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """The scope was set by the service; members are seated through the services."""
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        added, changed = save_memberships(request, form.instance, formset.forms)
        _record_formset(formset, new=added, changed=changed)


class CurrentMembershipFilter(admin.SimpleListFilter):
    title = _("sitting now")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No, ended or not started")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(current_on())
        if self.value() == "no":
            return queryset.exclude(current_on())
        return queryset


@admin.register(Membership)
class MembershipAdmin(ServiceAdminMixin, HistoryLinkMixin, admin.ModelAdmin):
    form = MembershipInlineForm
    list_display = (
        "person",
        "board",
        "function",
        "role",
        "is_delegate",
        "started_on",
        "ended_on",
    )
    list_filter = ("board", "function", "role", "is_delegate", CurrentMembershipFilter)
    list_select_related = ("person", "board", "function")
    search_fields = (
        "person__first_name",
        "person__last_name",
        "person__username",
        "board__name",
        "function__name",
    )
    autocomplete_fields = ("board", "person", "function")
    date_hierarchy = "started_on"

    def get_fields(self, request, obj=None):
        return (
            "board",
            "person",
            "function",
            "role",
            "is_delegate",
            "started_on",
            "ended_on",
            "history_link",
        )

    def get_readonly_fields(self, request, obj=None):
        return ("board", "history_link") if obj else ("history_link",)

    def save_model(self, request, obj, form, change):
        board = obj.board if change else form.cleaned_data["board"]
        added, _changed = save_memberships(request, board, [form])
        if added:
            obj.pk = added[0].pk
            obj._state.adding = False


# --- Meetings ----------------------------------------------------------------------------------


class AgendaItemInline(admin.TabularInline):
    """New items are added at the end through the agenda service; ticking “delete” removes
    an item through it. Items already on the agenda are read here: move them on the
    meeting's page. The agenda of a held meeting is part of the record."""

    model = AgendaItem
    fields = (
        "position",
        "title",
        "notes",
        "duration_minutes",
        "presenter",
        "touchpoint",
        "conflict",
        "claim",
        "decision",
    )
    readonly_fields = ("position",)
    autocomplete_fields = ("presenter", "touchpoint", "conflict", "claim", "decision")
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The service titles an item after what it is about when no title is given.
        formset.form.base_fields["title"].required = False
        return formset

    def _open(self, obj) -> bool:
        return (
            obj is not None
            and obj.status == Meeting.Status.SCHEDULED
            and obj.minutes_approved_at is None
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._open(obj) and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "presenter", "touchpoint", "decision", *CONFLICT_RELATED, *CLAIM_RELATED
            )
        )


class AttendanceInline(ReadOnlyInline):
    """Attendance is taken on the meeting's page by the chair or a delegate."""

    model = Attendance
    fields = ("person", "status", "recorded_at")
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ("board", "starts_at", "ends_at", "location", "minutes_notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "ends_at" in self.fields and not self.instance.pk:
            self.fields["ends_at"].required = False
            self.fields["ends_at"].help_text = gettext("Empty: the board's usual duration.")

    def _post_clean(self):
        # A new meeting without an end takes the board's duration: the service sets it.
        if not self.instance.pk and self.cleaned_data.get("ends_at") is None:
            board = self.cleaned_data.get("board")
            starts_at = self.cleaned_data.get("starts_at")
            if board is not None and starts_at is not None:
                self.cleaned_data["ends_at"] = starts_at + board.duration
        super()._post_clean()


@admin.register(Meeting)
class MeetingAdmin(ServiceAdminMixin, HistoryLinkMixin, admin.ModelAdmin):
    form = MeetingForm
    list_display = (
        "starts_at",
        "board",
        "status",
        "kind",
        "location",
        "agenda_count",
        "minutes_approved",
    )
    list_filter = ("board", "status", ("starts_at", admin.DateFieldListFilter))
    list_select_related = ("board",)
    search_fields = ("board__name", "location", "status_note", "minutes_notes")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("board",)
    inlines = (AgendaItemInline, AttendanceInline)
    actions = ("cancel_selected", "hold_selected")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_agenda=Count("agenda_items"))

    @admin.display(description=_("agenda items"), ordering="_agenda")
    def agenda_count(self, obj):
        return obj._agenda

    @admin.display(description=_("kind"))
    def kind(self, obj):
        return gettext("ad hoc") if obj.is_ad_hoc else gettext("cadence")

    @admin.display(description=_("minutes approved"), boolean=True)
    def minutes_approved(self, obj):
        return obj.minutes_approved_at is not None

    @admin.display(description=_("approved minutes"))
    def minutes_link(self, obj):
        if not obj or not obj.pk:
            return "-"
        url = reverse("boards:meeting_minutes", kwargs={"pk": obj.pk})
        label = _("Read the approved minutes") if obj.minutes_approved else _("Draft minutes")
        return format_html('<a href="{}">{}</a>', url, label)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("board", "starts_at", "ends_at", "location")
        return (
            "board",
            "kind",
            "occurrence",
            "starts_at",
            "ends_at",
            "location",
            "status",
            "status_note",
            "sequence",
            "minutes_notes",
            "minutes_approved_at",
            "minutes_approved_by",
            "minutes_link",
            "history_link",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fixed = [
            "board",
            "kind",
            "occurrence",
            "status",
            "status_note",
            "sequence",
            "minutes_approved_at",
            "minutes_approved_by",
            "minutes_link",
            "history_link",
        ]
        if obj.status != Meeting.Status.SCHEDULED or obj.minutes_approved_at is not None:
            fixed += ["starts_at", "ends_at", "location"]
        if obj.status == Meeting.Status.CANCELLED or obj.minutes_approved_at is not None:
            fixed.append("minutes_notes")
        return fixed

    def save_model(self, request, obj, form, change):
        if change:
            fields = ("starts_at", "ends_at", "location", "minutes_notes")
            changes = _changes(form, fields, change=True)
            if changes:
                services.meeting_update(actor=request.user, meeting=obj, **changes)
            return
        data = form.cleaned_data
        created = services.meeting_create(
            actor=request.user, board=data["board"], starts_at=data["starts_at"],
            ends_at=data.get("ends_at"), location=data.get("location", ""),
        )  # fmt: skip
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not AgendaItem:
            _record_formset(formset)
            return
        meeting = form.instance
        added, removed = [], []
        for item in formset.deleted_forms:
            if item.instance.pk:
                services.agenda_item_remove(actor=request.user, item=item.instance)
                removed.append(item.instance)
        for item_form in formset.extra_forms:
            if not item_form.has_changed() or item_form in formset.deleted_forms:
                continue
            data = item_form.cleaned_data
            item = services.agenda_item_add(
                actor=request.user, meeting=meeting, title=data.get("title", ""),
                notes=data.get("notes", ""), duration_minutes=data.get("duration_minutes") or 10,
                presenter=data.get("presenter"), touchpoint=data.get("touchpoint"),
                conflict=data.get("conflict"), claim=data.get("claim"),
                decision=data.get("decision"),
            )  # fmt: skip
            added.append(item)
        _record_formset(formset, new=added, deleted=removed)

    def _each(self, request, queryset, action, done_message):
        done = 0
        for obj in queryset.select_related("board"):
            try:
                action(obj)
            except DomainError as exc:
                self.message_user(request, f"{obj}: {exc.message}", level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, level=messages.SUCCESS)

    @admin.action(description=_("Cancel selected meetings"))
    def cancel_selected(self, request, queryset):
        reason = gettext("Cancelled in the admin by %(person)s.") % {
            "person": _person(request.user)
        }
        self._each(
            request,
            queryset,
            lambda meeting: services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=reason
            ),
            gettext("%(count)d meeting(s) cancelled."),
        )

    @admin.action(description=_("Mark selected meetings as held"))
    def hold_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda meeting: services.meeting_hold(actor=request.user, meeting=meeting),
            gettext("%(count)d meeting(s) marked held."),
        )


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    """Read here; added and removed on the meeting's admin page or the meeting's page."""

    list_display = ("title", "meeting", "position", "presenter", "touchpoint", "conflict")
    list_filter = ("meeting__board",)
    list_select_related = ("meeting__board", "presenter", "touchpoint", *CONFLICT_RELATED)
    search_fields = ("title", "notes", "meeting__board__name", "touchpoint__name")


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    """Taken on the meeting's page by the chair or a delegate; read here."""

    list_display = ("person", "meeting", "status", "recorded_at")
    list_filter = ("status", "meeting__board")
    list_select_related = ("person", "meeting__board")
    search_fields = ("person__first_name", "person__last_name", "meeting__board__name")


# --- Decisions and escalations -----------------------------------------------------------------


class DecisionFactInline(ReadOnlyInline):
    model = DecisionFact
    fields = ("touchpoint", "kpi", "value", "period", "target", "kpi_status")
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("touchpoint", "kpi")


def _where_subtitle(text, url_name: str, link_text):
    return format_html('{} <a href="{}">{}</a>', text, reverse(url_name), link_text)


class DecisionStatusFilter(admin.SimpleListFilter):
    title = _("still to be carried out")
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes (open or overdue)")), ("overdue", _("Past its due date")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.pending()
        if self.value() == "overdue":
            return queryset.overdue()
        return queryset


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    """Append-only: logged by a board's chair or delegate on the board's page."""

    list_display = (
        "title",
        "board",
        "status",
        "owner",
        "owner_function",
        "due_on",
        "logged_at",
        "logged_by",
    )
    list_filter = ("status", DecisionStatusFilter, "board", "owner_function")
    list_select_related = ("board", "owner", "owner_function", "logged_by")
    search_fields = ("title", "rationale", "outcome", "board__name")
    date_hierarchy = "logged_at"
    inlines = (DecisionFactInline,)
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "subtitle": _where_subtitle(
                gettext(
                    "Decisions are append-only and are logged by a board's chair or delegate "
                    "on the board's page, where a correction supersedes an earlier decision."
                ),
                "boards:board_list",
                gettext("Go to the boards"),
            ),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)


@admin.register(DecisionFact)
class DecisionFactAdmin(ReadOnlyAdmin):
    """The facts a decision considered, as they stood when it was logged."""

    list_display = ("decision", "touchpoint", "kpi", "value", "target", "kpi_status")
    list_select_related = ("decision", "touchpoint", "kpi")
    list_filter = ("kpi_status",)
    search_fields = ("decision__title", "touchpoint__name", "kpi__name")


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    """Raised by a board's chair and answered by the body above, on the site."""

    list_display = (
        "title",
        "from_board",
        "to_board",
        "status",
        "raised_by",
        "raised_at",
        "acknowledged_at",
        "closed_at",
    )
    list_filter = ("status", "to_board", "from_board")
    list_select_related = ("from_board", "to_board", "raised_by")
    search_fields = ("title", "reason", "response", "from_board__name", "to_board__name")
    date_hierarchy = "raised_at"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "subtitle": _where_subtitle(
                gettext(
                    "Escalations are raised by a board's chair or delegate on the board's "
                    "page, and answered by the chair of the body above in its inbox."
                ),
                "boards:escalation_inbox",
                gettext("Go to the escalation inbox"),
            ),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)


# --- Calendar feeds ----------------------------------------------------------------------------


@admin.register(CalendarFeed)
class CalendarFeedAdmin(HistoryLinkMixin, admin.ModelAdmin):
    """Feeds are created on the board's or the person's calendar page. Deleting one here
    revokes its secret address through the feed service, with its rules: an administrator
    revokes a board's feed; a personal feed only its person (the refusal is a message)."""

    list_display = ("__str__", "board", "person", "created_by", "created_at")
    list_filter = (("board", admin.EmptyFieldListFilter), ("person", admin.EmptyFieldListFilter))
    list_select_related = ("board", "person", "created_by")
    search_fields = ("board__name", "person__first_name", "person__last_name", "person__username")
    date_hierarchy = "created_at"
    fields = ("board", "person", "created_by", "created_at", "history_link")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    actions = ("revoke_selected",)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # revoking goes through the service, row by row
        return actions

    def _revoke(self, request, feed) -> None:
        feed_services.calendar_feed_revoke(actor=request.user, board=feed.board, person=feed.person)

    def delete_model(self, request, obj):
        self._revoke(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:boards_calendarfeed_changelist"))

    @admin.action(description=_("Revoke selected calendar feeds"), permissions=("delete",))
    def revoke_selected(self, request, queryset):
        done = 0
        for feed in queryset.select_related("board", "person"):
            try:
                self._revoke(request, feed)
            except DomainError as exc:
                self.message_user(request, f"{feed}: {exc.message}", level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                gettext("%(count)d calendar feed(s) revoked.") % {"count": done},
                level=messages.SUCCESS,
            )
