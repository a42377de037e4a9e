"""The audit log in the admin: searchable, filterable, and read-only."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from engagement.audit.models import AuditEvent


class HistoryLinkMixin:
    """Adds a read-only field linking an object's admin page to its governance history."""

    @admin.display(description=_("governance history"))
    def history_link(self, obj):
        if not obj or not obj.pk:
            return "-"
        url = reverse(
            "audit:object_history",
            kwargs={
                "app_label": obj._meta.app_label,
                "model_name": obj._meta.model_name,
                "object_id": obj.pk,
            },
        )
        return format_html('<a href="{}">{}</a>', url, _("View every recorded change"))


class ReadOnlyAdminMixin:
    """Viewable and searchable, never added, changed or deleted in the admin: records kept
    by the services or the jobs (the audit log, the notification ledger, the charter's
    records, the dashboard's derived tables)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "actor", "verb", "content_type", "object_repr")
    list_filter = ("verb", "content_type", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("object_repr", "verb", "actor__username", "actor__last_name", "object_id")
    list_select_related = ("actor", "content_type")
    date_hierarchy = "occurred_at"
    show_full_result_count = False
