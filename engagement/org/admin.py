"""Admin for people and functions. Saves go through the organisation's services, so the admin
obeys the same rules and leaves the same audit trail as every other interface."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from engagement.audit.admin import HistoryLinkMixin
from engagement.core.errors import DomainError
from engagement.org import services
from engagement.org.models import Function, User


class ServiceAdminMixin:
    """Turns a domain error from a service into an error message instead of a 500.

    The admin's save runs in one transaction, so a refused change leaves nothing behind; the
    person is sent back to the form with the reason.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None):
        # Governance records are archived (deactivated), never deleted.
        return False


def _refused(form_class, refusal: DomainError):
    """``form_class`` carrying the service's refusal as an error: on its field when the
    form has it, above the form otherwise."""

    class Refused(form_class):
        def clean(self):
            cleaned = super().clean()
            field = refusal.field if refusal.field in self.fields else None
            self.add_error(field, refusal.message)
            return cleaned

    Refused.__name__ = form_class.__name__
    return Refused


class RefusalOnTheFormMixin:
    """Shows a service's refusal on the form instead of a message over an emptied form.

    The admin saves in one transaction; a ``DomainError`` from a service rolls it back, so
    nothing is saved. The same POST is then shown again with the refusal as a form error,
    which keeps what the person typed. A second refusal (or one outside a save) goes on to
    ``ServiceAdminMixin``, which shows it as a message.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            if request.method != "POST" or hasattr(request, "_service_refusal"):
                raise
            request._service_refusal = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        return form if refusal is None else _refused(form, refusal)


@admin.register(Function)
class FunctionAdmin(ServiceAdminMixin, HistoryLinkMixin, admin.ModelAdmin):
    list_display = ("name", "head", "delegate_count", "member_count", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "description", "head__first_name", "head__last_name")
    autocomplete_fields = ("head", "delegates")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "description", "head", "delegates", "is_active", "history_link")
    readonly_fields = ("history_link",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("head")
            .annotate(
                _delegates=Count("delegates", distinct=True),
                _members=Count("members", distinct=True),
            )
        )

    @admin.display(description=_("delegates"), ordering="_delegates")
    def delegate_count(self, obj):
        return obj._delegates

    @admin.display(description=_("people"), ordering="_members")
    def member_count(self, obj):
        return obj._members

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in ("name", "slug", "description", "head")}
        data["delegates"] = list(form.cleaned_data["delegates"])
        if change:
            services.function_update(
                actor=request.user,
                function=obj,
                is_active=form.cleaned_data["is_active"],
                **data,
            )
        else:
            created = services.function_create(actor=request.user, **data)
            if not form.cleaned_data["is_active"]:
                services.function_update(actor=request.user, function=created, is_active=False)
            obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        """Delegates were set by the service; the admin must not write them a second time."""


class PersonChangeForm(UserChangeForm):
    is_executive = forms.BooleanField(
        label=_("Executive"),
        required=False,
        help_text=_("Executives see the dashboard first and receive escalations."),
    )

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["is_executive"].initial = self.instance.groups.filter(
                name=settings.EXECUTIVE_GROUP_NAME
            ).exists()


class PersonCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username",)


class ExecutiveFilter(admin.SimpleListFilter):
    title = _("executive")
    parameter_name = "executive"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(groups__name=settings.EXECUTIVE_GROUP_NAME)
        if self.value() == "no":
            return queryset.exclude(groups__name=settings.EXECUTIVE_GROUP_NAME)
        return queryset


@admin.register(User)
class PersonAdmin(ServiceAdminMixin, HistoryLinkMixin, UserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    list_display = ("username", "display_name", "title", "function", "is_staff", "is_active")
    list_filter = ("function", ExecutiveFilter, "is_staff", "is_active")
    list_select_related = ("function",)
    search_fields = ("username", "first_name", "last_name", "email", "title")
    autocomplete_fields = ("function",)
    readonly_fields = ("last_login", "date_joined", "history_link")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "title", "function")}),
        (_("Roles"), {"fields": ("is_executive", "is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "history_link")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
    )

    @admin.display(description=_("name"), ordering="last_name")
    def display_name(self, obj):
        return obj.get_full_name()

    def save_model(self, request, obj, form, change):
        if not change:
            password = form.cleaned_data.get("password1")
            usable = form.cleaned_data.get("usable_password", "true") != "false"
            created = services.person_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                password=password if usable else None,
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        fields = ("first_name", "last_name", "email", "title", "function")
        changes = {f: form.cleaned_data[f] for f in fields}
        for flag in ("is_active", "is_staff", "is_superuser", "username"):
            changes[flag] = form.cleaned_data[flag]
        services.person_update(
            actor=request.user,
            person=obj,
            is_executive=form.cleaned_data["is_executive"],
            **changes,
        )

    def save_related(self, request, form, formsets, change):
        """Roles are set by the service; there are no other related fields to save."""
