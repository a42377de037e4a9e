"""Admin for the touchpoint inventory and its fact base. Saves go through the touchpoint
services, so the admin obeys the same rules and leaves the same audit trail as the pages and
the API. Nothing is deleted: stages, channels and KPIs are retired, touchpoints archived."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from engagement.audit.admin import HistoryLinkMixin
from engagement.org.admin import ServiceAdminMixin
from touchpoints import selectors, services
from touchpoints.models import Channel, JourneyStage, Kpi, Measurement, Touchpoint


def _changes(form, fields, change: bool) -> dict:
    """The fields to hand to a service: every field when adding, only the changed ones when
    changing (so an untouched retired stage is not refused as if newly chosen)."""
    names = [f for f in fields if f in form.cleaned_data]
    if change:
        names = [f for f in names if f in form.changed_data]
    return {f: form.cleaned_data[f] for f in names}


@admin.register(JourneyStage)
class JourneyStageAdmin(ServiceAdminMixin, HistoryLinkMixin, admin.ModelAdmin):
    list_display = ("name", "position", "slug", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "description")
    ordering = ("position", "name")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "position", "description", "is_active", "history_link")
    readonly_fields = ("history_link",)

    def save_model(self, request, obj, form, change):
        fields = _changes(form, services.STAGE_FIELDS, change)
        saved = services.stage_save(actor=request.user, stage=obj if change else None, **fields)
        obj.pk = saved.pk


@admin.register(Channel)
class ChannelAdmin(ServiceAdminMixin, HistoryLinkMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "description", "is_active", "history_link")
    readonly_fields = ("history_link",)

    def save_model(self, request, obj, form, change):
        fields = _changes(form, services.CHANNEL_FIELDS, change)
        saved = services.channel_save(actor=request.user, channel=obj if change else None, **fields)
        obj.pk = saved.pk


class KpiInline(admin.TabularInline):
    """The touchpoint's KPIs, to read; each is added and changed on its own page."""

    model = Kpi
    fields = ("name", "unit", "direction", "target", "at_risk_threshold", "period", "is_active")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Touchpoint)
class TouchpointAdmin(ServiceAdminMixin, HistoryLinkMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "stage",
        "channel",
        "priority",
        "status",
        "data_steward",
        "kpi_count",
        "is_archived",
    )
    list_filter = ("stage", "channel", "priority", "status", "is_archived")
    search_fields = ("name", "description", "segment")
    autocomplete_fields = ("stage", "channel", "data_steward")
    fields = (
        "name",
        "description",
        "stage",
        "channel",
        "segment",
        "priority",
        "status",
        "data_steward",
        "is_archived",
        "history_link",
    )
    readonly_fields = ("history_link",)
    inlines = (KpiInline,)

    def get_queryset(self, request):
        return selectors.touchpoint_list(user=request.user)

    @admin.display(description=_("active KPIs"), ordering="kpi_count")
    def kpi_count(self, obj):
        return obj.kpi_count

    def save_model(self, request, obj, form, change):
        fields = _changes(form, services.TOUCHPOINT_FIELDS, change)
        if change:
            services.touchpoint_update(actor=request.user, touchpoint=obj, **fields)
            return
        archived = fields.pop("is_archived", False)
        created = services.touchpoint_create(actor=request.user, **fields)
        if archived:
            services.touchpoint_update(actor=request.user, touchpoint=created, is_archived=True)
        obj.pk = created.pk


@admin.register(Kpi)
class KpiAdmin(ServiceAdminMixin, HistoryLinkMixin, admin.ModelAdmin):
    list_display = ("name", "touchpoint", "unit", "direction", "target", "period", "is_active")
    list_filter = ("period", "direction", "is_active", "touchpoint__stage")
    list_select_related = ("touchpoint",)
    search_fields = ("name", "unit", "touchpoint__name")
    autocomplete_fields = ("touchpoint",)
    fields = (
        "touchpoint",
        "name",
        "unit",
        "direction",
        "target",
        "at_risk_threshold",
        "period",
        "stale_after_periods",
        "is_active",
        "history_link",
    )
    readonly_fields = ("history_link",)

    def get_readonly_fields(self, request, obj=None):
        # A KPI stays with its touchpoint: its values mean nothing anywhere else.
        return ("touchpoint", "history_link") if obj else ("history_link",)

    def save_model(self, request, obj, form, change):
        fields = _changes(form, services.KPI_FIELDS, change)
        fields.pop("touchpoint", None)
        if change:
            services.kpi_update(actor=request.user, kpi=obj, **fields)
            return
        created = services.kpi_create(
            actor=request.user, touchpoint=form.cleaned_data["touchpoint"], **fields
        )
        obj.pk = created.pk


@admin.register(Measurement)
class MeasurementAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Values are read here and added one at a time through the same service as the pages;
    they are not edited (record a correction through the data steward's process)."""

    list_display = ("kpi", "touchpoint", "period", "value", "source", "entered_by", "entered_at")
    list_filter = (
        ("period", admin.DateFieldListFilter),
        "kpi__period",
        "kpi__touchpoint__stage",
        "kpi__touchpoint__channel",
    )
    list_select_related = ("kpi__touchpoint", "entered_by")
    search_fields = ("kpi__name", "kpi__touchpoint__name", "source")
    autocomplete_fields = ("kpi",)
    date_hierarchy = "period"
    show_full_result_count = False

    @admin.display(description=_("touchpoint"), ordering="kpi__touchpoint__name")
    def touchpoint(self, obj):
        return obj.kpi.touchpoint

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("kpi", "period", "value", "source")
        return ("kpi", "period", "value", "source", "entered_by", "entered_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("kpi", "period", "value", "source", "entered_by", "entered_at")

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = services.measurement_record(
            actor=request.user,
            kpi=data["kpi"],
            period=data["period"],
            value=data["value"],
            source=data.get("source", ""),
        )
        obj.pk = created.pk
