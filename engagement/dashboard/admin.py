"""The dashboard's own tables in the admin, read-only: they are derived from the records by
jobs (``engagement.dashboard.services``), so nothing here is added, changed or deleted by
hand. The weekly snapshots are the trend's history; the summary table and its refreshes show
how fresh the dashboard's summarised figures are."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from engagement.audit.admin import ReadOnlyAdminMixin
from engagement.dashboard.models import (
    ActionItemStage,
    DashboardSnapshot,
    DecisionStage,
    SummaryRefresh,
    TouchpointSummary,
)


@admin.register(DashboardSnapshot)
class DashboardSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "week", "scope", "scope_object", "coverage_percent", "vacant", "contested",
        "open_conflicts", "overdue_decisions", "overdue_actions", "ceo_escalations", "taken_at",
    )  # fmt: skip
    list_filter = ("scope", ("week", admin.DateFieldListFilter))
    search_fields = ("function__name", "stage__name", "board__name")
    list_select_related = ("function", "stage", "board")
    date_hierarchy = "week"

    @admin.display(description=_("function, stage or board"))
    def scope_object(self, obj):
        return obj.scope_object or "—"


@admin.register(TouchpointSummary)
class TouchpointSummaryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "touchpoint", "stage", "score", "findings", "rights_held", "contested",
        "pending_claims", "kpis_on_target", "kpis_at_risk", "kpis_off_target", "kpis_stale",
        "changed_at",
    )  # fmt: skip
    list_filter = ("stage",)
    search_fields = ("touchpoint__name",)
    list_select_related = ("touchpoint", "stage")
    ordering = ("score", "priority_rank", "touchpoint__name")
    show_full_result_count = False

    @admin.display(description=_("rights held"))
    def rights_held(self, obj):
        return sum((obj.held_design, obj.held_build, obj.held_operate, obj.held_update))


@admin.register(SummaryRefresh)
class SummaryRefreshAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("finished_at", "started_at", "touchpoints", "changed", "removed")
    date_hierarchy = "finished_at"


@admin.register(DecisionStage)
class DecisionStageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("decision", "stage")
    list_filter = ("stage",)
    search_fields = ("decision__title",)
    list_select_related = ("decision", "stage")
    show_full_result_count = False


@admin.register(ActionItemStage)
class ActionItemStageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("item", "stage")
    list_filter = ("stage",)
    search_fields = ("item__title",)
    list_select_related = ("item", "stage")
    show_full_result_count = False
