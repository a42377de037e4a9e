"""The charter in the admin: read-only records, and actions that go through the services.

Rights, claims and conflicts are governance records: the admin lists and searches them, never
edits or deletes them. Its actions (release, approve, reject) call the same services as the
site and the API, so the same rules apply and the same audit events are recorded; a refused
row is reported as a message and the others go ahead.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from charter import services
from charter.models import Claim, Conflict, RightAssignment
from engagement.audit.admin import HistoryLinkMixin, ReadOnlyAdminMixin
from engagement.core.errors import DomainError


class ReadOnlyAdmin(ReadOnlyAdminMixin, HistoryLinkMixin, admin.ModelAdmin):
    """Viewable, searchable, never added, changed or deleted here."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "history_link"]

    def _each(self, request, queryset, action, done_message):
        """Run ``action(obj)`` for every selected row; report what was done and what was
        refused, row by row."""
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


class ActiveFilter(admin.SimpleListFilter):
    title = _("held now")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No, ended")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(ended_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(ended_at__isnull=False)
        return queryset


@admin.register(RightAssignment)
class RightAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("touchpoint", "right", "function", "accountable", "started_at", "ended_at")
    list_filter = ("right", ActiveFilter, "function", "source", "end_reason")
    list_select_related = ("touchpoint", "function", "accountable")
    search_fields = ("touchpoint__name",)
    date_hierarchy = "started_at"
    actions = ("release_selected",)

    @admin.action(description=_("Release selected rights"))
    def release_selected(self, request, queryset):
        self._each(
            request,
            queryset.select_related("touchpoint", "function"),
            lambda assignment: services.right_release(actor=request.user, assignment=assignment),
            gettext("%(count)d right(s) released."),
        )


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status", "claimant", "created_at", "decided_at")
    list_filter = ("status", "right", "function")
    list_select_related = ("touchpoint", "function", "claimant")
    search_fields = ("touchpoint__name", "function__name", "rationale")
    date_hierarchy = "created_at"
    actions = ("approve_selected", "reject_selected")

    @admin.action(description=_("Approve selected claims"))
    def approve_selected(self, request, queryset):
        self._each(
            request,
            queryset.select_related("touchpoint", "function"),
            lambda claim: services.claim_approve(
                actor=request.user, claim=claim, note=gettext("Approved in the admin.")
            ),
            gettext("%(count)d claim(s) approved."),
        )

    @admin.action(description=_("Reject selected claims"))
    def reject_selected(self, request, queryset):
        note = gettext("Rejected in the admin by %(person)s.") % {
            "person": request.user.get_full_name() or request.user.get_username()
        }
        self._each(
            request,
            queryset.select_related("touchpoint", "function"),
            lambda claim: services.claim_reject(actor=request.user, claim=claim, note=note),
            gettext("%(count)d claim(s) rejected."),
        )


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status", "opened_at", "winner", "decided_at")
    list_filter = ("status", "right")
    list_select_related = ("touchpoint", "holder_function", "claimant_function", "winner")
    search_fields = ("touchpoint__name", "holder_function__name", "claimant_function__name")
    date_hierarchy = "opened_at"

    def get_readonly_fields(self, request, obj=None):
        return ["decide_link", *super().get_readonly_fields(request, obj)]

    @admin.display(description=_("decision"))
    def decide_link(self, obj):
        url = reverse("charter:conflict_detail", kwargs={"pk": obj.pk})
        label = (
            _("Resolve it on the conflict's page")
            if obj.status == Conflict.Status.OPEN
            else _("See it on the conflict's page")
        )
        return format_html('<a href="{}">{}</a>', url, label)
