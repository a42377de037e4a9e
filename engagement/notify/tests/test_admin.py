"""Notifications in the admin: the ledger is read and sent again through the service; the
preferences, channels and rules are saved through the services with their checks; a refusal
is shown and saves nothing."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from engagement.audit.models import AuditEvent
from engagement.notify.models import (
    ChatWebhook,
    EscalationRule,
    Notification,
    Preference,
    ReminderRule,
    Subject,
)
from engagement.notify.tests.factories import (
    ChatWebhookFactory,
    NotificationFactory,
    PreferenceFactory,
)
from engagement.org.tests.factories import FunctionFactory

pytestmark = pytest.mark.django_db

Status = Notification.Status


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def record(member):
    webhook = ChatWebhookFactory(name="#marketing")
    return {
        "notification": NotificationFactory(recipient=member, title="Reminder: “Pricing”"),
        "preference": PreferenceFactory(person=member, deliveries={"meeting": "inbox"}),
        "chatwebhook": webhook,
        "reminderrule": ReminderRule.objects.first(),
        "escalationrule": EscalationRule.objects.first(),
    }


MODELS = ("notification", "preference", "chatwebhook", "reminderrule", "escalationrule")
ADDABLE = ("preference", "chatwebhook", "reminderrule", "escalationrule")


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _errors(response) -> dict:
    return response.context["adminform"].form.errors


def _ladder(subject=Subject.DECISION):
    return list(
        EscalationRule.objects.filter(subject=subject)
        .order_by("level")
        .values_list("level", "after_days", "audience", "is_active")
    )


# --- Pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_changelists_and_change_pages_render(admin_client, record, model):
    changelist = admin_client.get(reverse(f"admin:notify_{model}_changelist") + "?q=e")
    assert changelist.status_code == 200
    change = admin_client.get(reverse(f"admin:notify_{model}_change", args=[record[model].pk]))
    assert change.status_code == 200


@pytest.mark.parametrize("model", ADDABLE)
def test_add_pages_render(admin_client, model):
    assert admin_client.get(reverse(f"admin:notify_{model}_add")).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["?status__exact=failed", "?kind__exact=escalation", "?channel=chat", "?channel=person",
     "?q=test%3A", "?o=5"],
)  # fmt: skip
def test_ledger_filters_and_search(admin_client, record, query):
    response = admin_client.get(reverse("admin:notify_notification_changelist") + query)
    assert response.status_code == 200


def test_the_ledger_is_read_only(admin_client, record):
    row = record["notification"]
    assert admin_client.get(reverse("admin:notify_notification_add")).status_code == 403
    url = reverse("admin:notify_notification_change", args=[row.pk])
    response = admin_client.post(url, {"title": "Changed"})
    assert response.status_code == 403
    delete = admin_client.get(reverse("admin:notify_notification_delete", args=[row.pk]))
    assert delete.status_code == 403
    assert Notification.objects.get(pk=row.pk).title == "Reminder: “Pricing”"


def test_the_ledger_shows_a_channels_name_never_its_address(admin_client):
    hook = ChatWebhookFactory(name="#ops", url="https://hooks.example.com/very-secret")
    NotificationFactory(recipient=None, webhook=hook, status=Status.FAILED, reason="HTTP 500")
    html = admin_client.get(reverse("admin:notify_notification_changelist")).content.decode()
    assert "chat: #ops" in html
    assert "very-secret" not in html
    hooks = admin_client.get(reverse("admin:notify_chatwebhook_changelist")).content.decode()
    assert "very-secret" not in hooks


# --- Sending again -----------------------------------------------------------------------------


def _send_again(client, rows):
    return client.post(
        reverse("admin:notify_notification_changelist"),
        {"action": "send_again", "_selected_action": [r.pk for r in rows]},
        follow=True,
    )


def test_send_again_puts_failed_and_skipped_rows_back_in_the_queue(admin_client):
    chat = NotificationFactory(
        recipient=None, webhook=ChatWebhookFactory(), status=Status.FAILED, attempts=5,
        reason="Given up after 5 attempt(s): HTTP 503",
    )  # fmt: skip
    mail = NotificationFactory(status=Status.SKIPPED, reason="The person has no e-mail address.")
    response = _send_again(admin_client, [chat, mail])
    assert "2 notification(s) will be sent again." in _messages(response)
    for row in (chat, mail):
        row.refresh_from_db()
        assert (row.status, row.attempts, row.reason) == (Status.PENDING, 0, "")
    assert AuditEvent.objects.filter(verb="notification.retried").count() == 2


def test_send_again_refuses_rows_already_sent_and_changes_nothing(admin_client):
    failed = NotificationFactory(status=Status.FAILED, reason="SMTP down")
    sent = NotificationFactory(status=Status.SENT, title="Went out")
    response = _send_again(admin_client, [failed, sent])
    assert any("“Went out” (sent)" in m for m in _messages(response))
    failed.refresh_from_db()
    assert (failed.status, failed.reason) == (Status.FAILED, "SMTP down")
    assert not AuditEvent.objects.filter(verb="notification.retried").exists()


# --- Preferences -------------------------------------------------------------------------------


def _preference_form(person, **changes):
    kinds = ("reminder", "meeting", "escalation", "cadence", "charter_gaps")
    return {"person": person.pk, **dict.fromkeys(kinds, "email"), "digest": "none", **changes}


def test_an_administrator_sets_someones_preferences(admin_client, admin_user, outsider):
    response = admin_client.post(
        reverse("admin:notify_preference_add"),
        _preference_form(outsider, escalation="inbox", reminder="digest", digest="weekly"),
    )
    assert response.status_code == 302, _errors(response)
    preference = Preference.objects.get(person=outsider)
    assert preference.deliveries["reminder"] == "digest"
    assert preference.deliveries["escalation"] == "inbox"
    assert preference.digest == "weekly"
    assert AuditEvent.objects.get(verb="notification_preference.updated").actor == admin_user


def test_a_refused_preference_is_shown_on_the_form(admin_client, record):
    preference = record["preference"]
    url = reverse("admin:notify_preference_change", args=[preference.pk])
    response = admin_client.post(url, _preference_form(preference.person, cadence="digest"))
    assert response.status_code == 200
    assert "choose a daily or weekly digest" in _errors(response)["digest"][0]
    preference.refresh_from_db()
    assert preference.deliveries == {"meeting": "inbox"}


# --- Chat channels -----------------------------------------------------------------------------


def _webhook_form(follows, **changes):
    return {
        "name": "#service-desk", "flavour": "slack",
        "url": "https://hooks.slack.com/services/T0/B0/abc", "follows": follows,
        "kinds": ["escalation"], "is_active": "on", **changes,
    }  # fmt: skip


def _follow(obj) -> str:
    return f"{ContentType.objects.get_for_model(obj).pk}:{obj.pk}"


def test_the_follows_select_offers_boards_and_functions(admin_client):
    FunctionFactory(name="Customer service")
    response = admin_client.get(reverse("admin:notify_chatwebhook_add"))
    choices = response.context["adminform"].form.fields["follows"].choices
    groups = [label for label, _rows in choices[1:]]
    assert groups == ["Boards", "Functions"]
    assert "Customer service" in [label for _value, label in choices[2][1]]


def test_an_administrator_adds_a_channel_following_a_function(admin_client):
    function = FunctionFactory(name="Customer service")
    response = admin_client.post(
        reverse("admin:notify_chatwebhook_add"), _webhook_form(_follow(function))
    )
    assert response.status_code == 302, _errors(response)
    webhook = ChatWebhook.objects.get()
    assert (webhook.follows, webhook.kinds) == (function, ["escalation"])
    event = AuditEvent.objects.get(verb="chat_webhook.created")
    assert "hooks.slack.com" not in str(event.after)


@pytest.mark.parametrize("follows", ["", "person", "junk", "999999"])
def test_a_channel_follows_exactly_one_board_or_function(admin_client, member, follows):
    if follows == "person":
        follows = _follow(member)
    elif follows == "999999":
        follows = f"{ContentType.objects.get_for_model(FunctionFactory()).pk}:999999"
    response = admin_client.post(reverse("admin:notify_chatwebhook_add"), _webhook_form(follows))
    assert response.status_code == 200
    assert "follows" in _errors(response)
    assert not ChatWebhook.objects.exists()


# --- Rules -------------------------------------------------------------------------------------


def test_a_rung_that_comes_sooner_than_the_one_below_is_refused_on_the_form(admin_client):
    rule = EscalationRule.objects.get(subject=Subject.DECISION, level=3)
    before = _ladder()
    response = admin_client.post(
        reverse("admin:notify_escalationrule_change", args=[rule.pk]),
        {"subject": "decision", "level": 3, "after_days": 5, "audience": "sponsor",
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "sooner than rung 2 (7 days)" in _errors(response)["after_days"][0]
    assert _ladder() == before


def _list_edit(client, subject, days: dict[int, int]):
    """Post the escalation list of one ladder with new days per level."""
    url = reverse("admin:notify_escalationrule_changelist") + f"?subject__exact={subject}"
    rules = list(EscalationRule.objects.filter(subject=subject).order_by("level"))
    data = {
        "form-TOTAL_FORMS": str(len(rules)), "form-INITIAL_FORMS": str(len(rules)),
        "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000", "_save": "Save",
    }  # fmt: skip
    for i, rule in enumerate(rules):
        data[f"form-{i}-id"] = str(rule.pk)
        data[f"form-{i}-after_days"] = str(days.get(rule.level, rule.after_days))
        data[f"form-{i}-audience"] = rule.audience
        if rule.is_active:
            data[f"form-{i}-is_active"] = "on"
    return client.post(url, data)


def test_a_whole_ladder_moves_in_the_list(admin_client):
    response = _list_edit(admin_client, "decision", {2: 10, 3: 20, 4: 30})
    assert response.status_code == 302
    assert [days for _level, days, *_ in _ladder()] == [0, 10, 20, 30]
    assert AuditEvent.objects.filter(verb="escalation_rule.updated").count() == 3


def test_a_ladder_out_of_order_in_the_list_is_refused_next_to_the_rung(admin_client):
    before = _ladder()
    response = _list_edit(admin_client, "decision", {3: 30, 4: 25})
    assert response.status_code == 200
    formset = response.context["cl"].formset
    errors = [form.errors.get("after_days") for form in formset.forms]
    assert errors[3] and "rung 4 comes after 25 days, sooner than rung 3 (30 days)" in errors[3][0]
    assert _ladder() == before
    assert not AuditEvent.objects.exists()


def test_reminder_lead_times_are_edited_in_the_list(admin_client):
    rule = ReminderRule.objects.get(subject=Subject.CLAIM, lead_days=2)
    url = reverse("admin:notify_reminderrule_changelist") + "?subject__exact=claim"
    rules = list(ReminderRule.objects.filter(subject=Subject.CLAIM).order_by("-lead_days"))
    data = {
        "form-TOTAL_FORMS": str(len(rules)), "form-INITIAL_FORMS": str(len(rules)),
        "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000", "_save": "Save",
    }  # fmt: skip
    for i, row in enumerate(rules):
        data[f"form-{i}-id"] = str(row.pk)
        data[f"form-{i}-lead_days"] = "3" if row.pk == rule.pk else str(row.lead_days)
        data[f"form-{i}-is_active"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.lead_days == 3
    assert AuditEvent.objects.get(verb="reminder_rule.updated").after["lead_days"] == 3


def test_nothing_is_deleted_here(admin_client, record):
    for model in ("preference", "chatwebhook", "reminderrule", "escalationrule"):
        url = reverse(f"admin:notify_{model}_delete", args=[record[model].pk])
        assert admin_client.get(url).status_code == 403
