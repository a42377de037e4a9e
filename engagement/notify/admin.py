"""Notifications in the admin: the ledger is read, the rest is saved through the services.

* The ledger (``Notification``) is read-only: nothing is added, changed or deleted here. A
  message that failed or was not sent can be **sent again** (an action), through
  ``notification_retry``: it refuses rows already sent or still on their way, and changes
  nothing when it refuses.
* Preferences, chat channels and the rules are saved through ``engagement.notify.services``,
  so the admin obeys the same rules and leaves the same audit events as the pages and the
  API. A refused save shows the service's message on the form, with what was typed kept.
* A chat channel follows one board or one function, offered in one select. notify sits below
  the boards app and never imports it: the choices are read from the app registry at run
  time.
* An escalation ladder's rungs never come sooner as they rise. Several rungs edited at once
  in the list are checked together and saved together, so a ladder can move as a whole.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from engagement.audit.admin import ReadOnlyAdminMixin
from engagement.core.choices import capitalised
from engagement.core.errors import DomainError
from engagement.notify import services
from engagement.notify.models import (
    ChatWebhook,
    EscalationRule,
    Notification,
    Preference,
    ReminderRule,
)
from engagement.notify.services import CHOOSABLE_KINDS, KIND_NAMES, ladder_problem
from engagement.org.admin import RefusalOnTheFormMixin, ServiceAdminMixin


class ServiceAdmin(ServiceAdminMixin, RefusalOnTheFormMixin, admin.ModelAdmin):
    """Saved through the services; refusals on the form; never deleted. A refusal while
    saving the list's editable columns is a message, and nothing of the list is saved."""

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# --- The ledger ------------------------------------------------------------------------------


class ChannelFilter(admin.SimpleListFilter):
    title = _("channel")
    parameter_name = "channel"

    def lookups(self, request, model_admin):
        return (("person", _("a person (inbox, e-mail)")), ("chat", _("a chat channel")))

    def queryset(self, request, queryset):
        if self.value() == "person":
            return queryset.filter(recipient__isnull=False)
        if self.value() == "chat":
            return queryset.filter(webhook__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger: one row per message to one person or channel, recorded once."""

    list_display = (
        "title", "kind", "to", "status", "created_at", "delivered_at", "attempts", "why",
    )  # fmt: skip
    list_filter = ("kind", "status", ChannelFilter, ("created_at", admin.DateFieldListFilter))
    search_fields = (
        "title", "dedupe_key", "recipient__username", "recipient__first_name",
        "recipient__last_name", "recipient__email", "webhook__name",
    )  # fmt: skip
    list_select_related = ("recipient", "webhook")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ("send_again",)

    @admin.display(description=_("recipient / channel"))
    def to(self, obj):
        if obj.webhook_id:
            return gettext("chat: %(name)s") % {"name": obj.webhook.name}
        return obj.recipient

    @admin.display(description=_("why not sent"), ordering="reason")
    def why(self, obj):
        return Truncator(obj.reason).chars(80)

    @admin.action(description=_("Send the selected failed or skipped notifications again"))
    def send_again(self, request, queryset):
        try:
            count = services.notification_retry(
                user=request.user, ids=list(queryset.values_list("pk", flat=True))
            )
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return
        self.message_user(
            request,
            gettext("%(count)d notification(s) will be sent again.") % {"count": count},
            level=messages.SUCCESS,
        )


# --- Preferences -------------------------------------------------------------------------------


def _delivery_field(kind: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=KIND_NAMES[kind], choices=capitalised(Preference.Delivery))


class _PreferenceAdminForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ("person", "digest")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.deliveries if self.instance.pk else {}
        for kind in CHOOSABLE_KINDS:
            self.initial.setdefault(kind, current.get(kind, Preference.Delivery.EMAIL))

    def deliveries(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in CHOOSABLE_KINDS}


# The way per kind as one select each, instead of the raw JSON (declared, so the admin's
# ``fields`` may name them).
PreferenceAdminForm = type(
    "PreferenceAdminForm",
    (_PreferenceAdminForm,),
    {kind: _delivery_field(kind) for kind in CHOOSABLE_KINDS},
)


@admin.register(Preference)
class PreferenceAdmin(ServiceAdmin):
    form = PreferenceAdminForm
    list_display = ("person", "digest", "summary", "updated_at")
    list_filter = ("digest",)
    search_fields = ("person__username", "person__first_name", "person__last_name")
    list_select_related = ("person",)
    autocomplete_fields = ("person",)

    def get_fields(self, request, obj=None):
        return ("person", *CHOOSABLE_KINDS, "digest")

    def get_readonly_fields(self, request, obj=None):
        # One preference per person: whose it is does not change.
        return ("person",) if obj is not None else ()

    @admin.display(description=_("not by e-mail"))
    def summary(self, obj):
        other = {k: v for k, v in obj.deliveries.items() if v != Preference.Delivery.EMAIL}
        return ", ".join(f"{k}: {v}" for k, v in other.items()) or "—"

    def save_model(self, request, obj, form, change):
        person = obj.person if change else form.cleaned_data["person"]
        saved = services.preference_update(
            user=request.user, person=person, deliveries=form.deliveries(),
            digest=form.cleaned_data["digest"],
        )  # fmt: skip
        obj.pk = saved.pk
        obj._state.adding = False


# --- Chat channels -----------------------------------------------------------------------------


def _follow_value(content_type_id: int, object_id: int) -> str:
    return f"{content_type_id}:{object_id}"


def follow_choices() -> list:
    """Boards and functions, grouped, as ``"<content type id>:<id>"`` values."""
    groups = []
    for model in services.followable_models():
        content_type = ContentType.objects.get_for_model(model)
        rows = []
        for obj in model._default_manager.order_by("name"):
            label = str(obj)
            if not getattr(obj, "is_active", True):
                label = gettext("%(name)s (archived)") % {"name": label}
            rows.append((_follow_value(content_type.pk, obj.pk), label))
        groups.append((str(model._meta.verbose_name_plural).capitalize(), rows))
    return [("", "—"), *groups]


class ChatWebhookForm(forms.ModelForm):
    url = forms.URLField(
        label=ChatWebhook._meta.get_field("url").verbose_name,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Kept secret: whoever has it can post to the channel. It is never shown in lists "
            "or written to the audit log."
        ),
    )
    follows = forms.ChoiceField(
        label=_("follows"),
        help_text=_("The board or the function whose notifications the channel receives."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("kinds"),
        required=False,
        choices=[(k, KIND_NAMES[k]) for k in CHOOSABLE_KINDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind (digests are personal and never posted)."),
    )

    class Meta:
        model = ChatWebhook
        fields = ("name", "flavour", "url", "kinds", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["follows"].choices = follow_choices()
        if self.instance.pk:
            self.initial["follows"] = _follow_value(
                self.instance.follows_type_id, self.instance.follows_id
            )

    def clean_follows(self):
        value = self.cleaned_data["follows"]
        type_id, _sep, object_id = value.partition(":")
        if not (type_id.isdigit() and object_id.isdigit()):
            raise forms.ValidationError(gettext("Choose one board or one function."))
        return int(type_id), int(object_id)

    def _post_clean(self):
        follows = self.cleaned_data.get("follows")
        if follows:
            self.instance.follows_type_id, self.instance.follows_id = follows
        super()._post_clean()


@admin.register(ChatWebhook)
class ChatWebhookAdmin(ServiceAdmin):
    form = ChatWebhookForm
    list_display = ("name", "flavour", "follows_label", "kind_list", "is_active", "created_at")
    list_filter = ("flavour", "is_active", ("follows_type", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name",)
    list_select_related = ("follows_type",)
    fields = ("name", "flavour", "url", "follows", "kinds", "is_active")
    # The model's generic "follows" is not a form field; the form declares its own select.
    exclude = ("follows",)

    @admin.display(description=_("follows"))
    def follows_label(self, obj):
        return f"{obj.follows_type.name}: {obj.follows or obj.follows_id}"

    @admin.display(description=_("kinds"))
    def kind_list(self, obj):
        return ", ".join(obj.kinds) or gettext("every kind")

    def get_queryset(self, request):
        # The followed boards and functions, one query per type for the whole page.
        return super().get_queryset(request).prefetch_related("follows")

    def save_model(self, request, obj, form, change):
        services.chat_webhook_save(user=request.user, webhook=obj)


# --- Rules -------------------------------------------------------------------------------------


@admin.register(ReminderRule)
class ReminderRuleAdmin(ServiceAdmin):
    list_display = ("subject", "lead_days", "is_active")
    list_display_links = ("subject",)
    list_editable = ("lead_days", "is_active")
    list_filter = ("subject", "is_active")
    ordering = ("subject", "-lead_days")

    def save_model(self, request, obj, form, change):
        services.reminder_rule_save(user=request.user, rule=obj)


def _ladder_of(subject: str, overrides: dict[int | None, tuple[int, int]]) -> list:
    """The rungs of a ladder as saved, with ``overrides`` (rule pk → (level, after_days))
    in place of the saved values; a new rule is keyed ``None``."""
    rungs = {
        pk: (level, days)
        for pk, level, days in EscalationRule.objects.filter(subject=subject).values_list(
            "pk", "level", "after_days"
        )
    }
    rungs.update({pk: value for pk, value in overrides.items() if pk is not None})
    return [*rungs.values(), *(v for pk, v in overrides.items() if pk is None)]


class EscalationRuleForm(forms.ModelForm):
    class Meta:
        model = EscalationRule
        fields = ("subject", "level", "after_days", "audience", "is_active")

    def clean(self):
        cleaned = super().clean()
        subject, level, days = (cleaned.get(f) for f in ("subject", "level", "after_days"))
        if subject and level is not None and days is not None:
            # This rung with its new values in its (new) ladder, in place of its saved self.
            rungs = _ladder_of(subject, {self.instance.pk: (level, days)})
            problem = ladder_problem(subject, rungs)
            if problem:
                self.add_error("after_days", problem)
        return cleaned


class LadderFormSet(forms.BaseModelFormSet):
    """The list's editable rows, checked as whole ladders: the rows changed here with the
    saved rungs not on the page."""

    def clean(self):
        super().clean()
        by_subject: dict[str, dict] = {}
        forms_by_rung = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or form.instance.pk is None or "after_days" not in data:
                continue
            rule = form.instance
            by_subject.setdefault(rule.subject, {})[rule.pk] = (rule.level, data["after_days"])
            forms_by_rung[(rule.subject, rule.level)] = form
        for subject, overrides in by_subject.items():
            problem = ladder_problem(subject, _ladder_of(subject, overrides))
            if not problem:
                continue
            # Next to the first rung of the ladder on the page that is out of order.
            rungs = sorted(_ladder_of(subject, overrides))
            culprit = None
            for (level, days), (_level, below) in zip(rungs[1:], rungs, strict=False):
                if days < below:
                    culprit = forms_by_rung.get((subject, level))
                    break
            if culprit is not None:
                culprit.add_error("after_days", problem)
            else:
                raise forms.ValidationError(problem)


@admin.register(EscalationRule)
class EscalationRuleAdmin(ServiceAdmin):
    form = EscalationRuleForm
    list_display = ("subject", "level", "after_days", "audience", "is_active")
    list_display_links = ("subject", "level")
    list_editable = ("after_days", "audience", "is_active")
    list_filter = ("subject", "audience", "is_active")
    ordering = ("subject", "level")

    def get_changelist_formset(self, request, **kwargs):
        return super().get_changelist_formset(request, formset=LadderFormSet, **kwargs)

    def changelist_view(self, request, extra_context=None):
        """The rows edited in the list are saved together by one service call, which checks
        each ladder once all its rungs have their new values."""
        if request.method != "POST" or "_save" not in request.POST:
            return super().changelist_view(request, extra_context)
        request._rule_batch = []
        try:
            with transaction.atomic():
                response = super(ServiceAdmin, self).changelist_view(request, extra_context)
                if request._rule_batch:
                    services.escalation_rules_save(user=request.user, rules=request._rule_batch)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return response

    def save_model(self, request, obj, form, change):
        batch = getattr(request, "_rule_batch", None)
        if batch is not None:
            batch.append(obj)
            return
        services.escalation_rules_save(user=request.user, rules=[obj])
