"""The inbox, preferences, sending again, chat channels and rules: who may, what is checked,
and that a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from engagement.audit.models import AuditEvent
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.notify import selectors, services
from engagement.notify.models import (
    ChatWebhook,
    EscalationRule,
    Kind,
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


def _ledger():
    return list(
        Notification.objects.order_by("pk").values_list(
            "pk", "read_at", "status", "attempts", "reason", "next_attempt_at"
        )
    )


def _preferences():
    return list(Preference.objects.order_by("pk").values_list("person", "deliveries", "digest"))


# --- Mark read ---------------------------------------------------------------------------------


def test_mark_read_marks_the_recipients_notification_once(member):
    # given
    row = NotificationFactory(recipient=member)
    # when
    read = services.notification_mark_read(user=member, notification_id=row.pk)
    first = read.read_at
    again = services.notification_mark_read(user=member, notification=row)
    # then
    assert first is not None
    assert again.read_at == first
    row.refresh_from_db()
    assert row.read_at == first
    assert selectors.unread_count(user=member) == 0


@pytest.mark.parametrize("who", ["other", "anonymous"])
def test_someone_elses_notification_is_not_found_and_stays_unread(member, outsider, who):
    row = NotificationFactory(recipient=member)
    user = outsider if who == "other" else AnonymousUser()
    before = _ledger()
    with pytest.raises(NotFound):
        services.notification_mark_read(user=user, notification_id=row.pk)
    assert _ledger() == before


def test_a_channels_row_and_an_unknown_id_are_not_found(admin_user):
    row = NotificationFactory(recipient=None, webhook=ChatWebhookFactory())
    with pytest.raises(NotFound):
        services.notification_mark_read(user=admin_user, notification_id=row.pk)
    with pytest.raises(NotFound):
        services.notification_mark_read(user=admin_user, notification_id=999_999)
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_mark_all_read_marks_only_the_persons_unread_rows(member, outsider):
    # given
    earlier = timezone.now() - timedelta(days=2)
    mine = NotificationFactory.create_batch(3, recipient=member)
    already = NotificationFactory(recipient=member, read_at=earlier)
    theirs = NotificationFactory(recipient=outsider)
    # when
    count = services.notification_mark_all_read(user=member)
    # then
    assert count == 3
    assert all(Notification.objects.get(pk=r.pk).read_at for r in mine)
    assert Notification.objects.get(pk=already.pk).read_at == earlier
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert services.notification_mark_all_read(user=member) == 0


def test_mark_all_read_for_anonymous_changes_nothing(member):
    NotificationFactory(recipient=member)
    before = _ledger()
    assert services.notification_mark_all_read(user=AnonymousUser()) == 0
    assert _ledger() == before


# --- Preferences -------------------------------------------------------------------------------


def test_a_person_sets_their_own_preferences_with_one_audit_event(member):
    # when
    preference = services.preference_update(
        user=member, person=member,
        deliveries={"escalation": "inbox", "reminder": "digest"}, digest="daily",
    )  # fmt: skip
    # then
    preference.refresh_from_db()
    assert preference.deliveries == {"reminder": "digest", "escalation": "inbox"}
    assert preference.digest == "daily"
    assert preference.delivery_for(Kind.REMINDER) == "digest"
    assert preference.delivery_for(Kind.MEETING) == "email"
    event = AuditEvent.objects.get(verb="notification_preference.updated")
    assert event.actor == member
    assert event.after == {"deliveries": preference.deliveries, "digest": "daily"}


def test_saving_the_same_preferences_again_records_nothing(member):
    kwargs = {
        "user": member,
        "person": member,
        "deliveries": {"meeting": "inbox"},
        "digest": "none",
    }
    services.preference_update(**kwargs)
    services.preference_update(**kwargs)
    assert AuditEvent.objects.filter(verb="notification_preference.updated").count() == 1


def test_an_administrator_may_change_anyones_preferences(admin_user, member):
    PreferenceFactory(person=member)
    services.preference_update(
        user=admin_user, person=member, deliveries={"cadence": "inbox"}, digest="weekly"
    )
    assert Preference.objects.get(person=member).digest == "weekly"
    assert AuditEvent.objects.get(verb="notification_preference.updated").actor == admin_user


def test_nobody_else_may_change_a_persons_preferences(member, outsider, executive):
    PreferenceFactory(person=member)
    before = (_preferences(), AuditEvent.objects.count())
    for user in (outsider, executive):
        with pytest.raises(NotAllowed, match="only your own"):
            services.preference_update(
                user=user, person=member, deliveries={"reminder": "inbox"}, digest="none"
            )
    assert (_preferences(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("deliveries", "digest", "field", "words"),
    [
        ({"newsletter": "email"}, "none", "deliveries", "Unknown kind(s) of notification: news"),
        ({"digest": "inbox"}, "none", "deliveries", "the digest itself always comes by e-mail"),
        ({"reminder": "pigeon"}, "none", "reminder", "“pigeon” is not a way to receive"),
        ({}, "hourly", "digest", "“hourly” is not a digest frequency"),
        ({"reminder": "digest", "meeting": "digest"}, "none", "digest",
         "You chose the digest for reminders of what comes due and meetings tomorrow"),
        (["reminder"], "none", "deliveries", "kind → email, digest or inbox"),
    ],
)  # fmt: skip
def test_invalid_preferences_are_refused_with_a_clear_message(
    member, deliveries, digest, field, words
):
    PreferenceFactory(person=member, deliveries={"meeting": "inbox"})
    before = (_preferences(), AuditEvent.objects.count())
    with pytest.raises(Invalid) as caught:
        services.preference_update(user=member, person=member, deliveries=deliveries, digest=digest)
    assert caught.value.field == field
    assert words in caught.value.message
    assert (_preferences(), AuditEvent.objects.count()) == before


def test_preference_for_is_a_default_until_one_is_saved(member):
    default = selectors.preference_for(user=member)
    assert default.pk is None
    assert selectors.deliveries_of(default) == dict.fromkeys(services.CHOOSABLE_KINDS, "email")
    PreferenceFactory(person=member, deliveries={"meeting": "inbox"}, digest="weekly")
    saved = selectors.preference_for(user=member)
    assert saved.pk is not None
    assert selectors.deliveries_of(saved)["meeting"] == "inbox"


# --- Sending again -----------------------------------------------------------------------------


@pytest.fixture
def given_up(db):
    """A chat post given up, and an e-mail not sent."""
    chat = NotificationFactory(
        recipient=None, webhook=ChatWebhookFactory(), status=Status.FAILED, attempts=5,
        reason="Given up after 5 attempt(s): HTTP 500",
    )  # fmt: skip
    mail = NotificationFactory(
        status=Status.SKIPPED, attempts=1, reason="The person has no e-mail address."
    )
    return chat, mail


def test_an_administrator_sends_failed_and_skipped_rows_again(
    admin_user, given_up, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        count = services.notification_retry(user=admin_user, ids=[r.pk for r in given_up])
    # then
    assert count == 2
    for row in given_up:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.reason, row.next_attempt_at) == (
            Status.PENDING, 0, "", None,
        )  # fmt: skip
        assert row in Notification.objects.awaiting_delivery()
    assert AuditEvent.objects.filter(verb="notification.retried").count() == 2
    assert len(callbacks) == 1  # delivery enqueued once, after the commit


@pytest.mark.parametrize("status", [Status.SENT, Status.PENDING, Status.SENDING, Status.IN_DIGEST])
def test_a_row_sent_or_on_its_way_refuses_the_whole_retry(admin_user, given_up, status):
    sent = NotificationFactory(status=status, title="Already out")
    before = (_ledger(), AuditEvent.objects.count())
    with pytest.raises(Conflict, match="“Already out”"):
        services.notification_retry(user=admin_user, ids=[*(r.pk for r in given_up), sent.pk])
    assert (_ledger(), AuditEvent.objects.count()) == before


def test_only_an_administrator_sends_again(member, executive, given_up):
    before = (_ledger(), AuditEvent.objects.count())
    for user in (member, executive, AnonymousUser()):
        with pytest.raises(NotAllowed):
            services.notification_retry(user=user, ids=[r.pk for r in given_up])
    assert (_ledger(), AuditEvent.objects.count()) == before


def test_retry_of_unknown_or_no_rows_is_refused(admin_user, given_up):
    before = _ledger()
    with pytest.raises(NotFound, match="999999"):
        services.notification_retry(user=admin_user, ids=[given_up[0].pk, 999_999])
    with pytest.raises(Invalid):
        services.notification_retry(user=admin_user, ids=[])
    assert _ledger() == before


# --- Chat channels -----------------------------------------------------------------------------


def test_an_administrator_adds_a_channel_following_a_function(admin_user):
    function = FunctionFactory(name="Service")
    webhook = ChatWebhook(
        name=" #service ", flavour="teams", url="https://example.webhook.office.com/secret-123",
        follows_type=ContentType.objects.get_for_model(function), follows_id=function.pk,
        kinds=["escalation", "reminder"],
    )  # fmt: skip
    services.chat_webhook_save(user=admin_user, webhook=webhook)
    webhook.refresh_from_db()
    assert webhook.name == "#service"
    assert webhook.kinds == ["reminder", "escalation"]
    assert webhook.follows == function
    event = AuditEvent.objects.get(verb="chat_webhook.created")
    assert "secret-123" not in str(event.after)
    assert event.after["address_changed"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kinds": ["digest"]}, "kinds"),
        ({"follows_id": 999_999}, "follows"),
        ({"follows": "person"}, "follows"),
        ({"url": "not an address"}, "url"),
    ],
)
def test_a_channel_that_breaks_a_rule_is_refused(admin_user, member, change, field):
    webhook = ChatWebhookFactory()
    before = list(ChatWebhook.objects.values_list("pk", "kinds", "follows_id", "url"))
    webhook.refresh_from_db()
    if change.pop("follows", None):
        webhook.follows_type = ContentType.objects.get_for_model(member)
        webhook.follows_id = member.pk
    for name, value in change.items():
        setattr(webhook, name, value)
    with pytest.raises(Invalid) as caught:
        services.chat_webhook_save(user=admin_user, webhook=webhook)
    assert caught.value.field == field
    assert list(ChatWebhook.objects.values_list("pk", "kinds", "follows_id", "url")) == before


def test_only_an_administrator_sets_up_a_channel(member):
    webhook = ChatWebhookFactory.build(follows=FunctionFactory())
    with pytest.raises(NotAllowed):
        services.chat_webhook_save(user=member, webhook=webhook)
    assert not ChatWebhook.objects.exists()


# --- Rules -------------------------------------------------------------------------------------


def _ladder(subject=Subject.DECISION):
    return list(
        EscalationRule.objects.filter(subject=subject)
        .order_by("level")
        .values_list("level", "after_days")
    )


def test_a_ladder_moves_as_a_whole(admin_user):
    # given the default 0/7/14/21 ladder
    rules = list(EscalationRule.objects.filter(subject=Subject.DECISION).order_by("level"))
    for rule, days in zip(rules, (0, 10, 20, 30), strict=True):
        rule.after_days = days
    # when
    services.escalation_rules_save(user=admin_user, rules=rules)
    # then
    assert _ladder() == [(1, 0), (2, 10), (3, 20), (4, 30)]
    assert AuditEvent.objects.filter(verb="escalation_rule.updated").count() == 3


def test_a_rung_that_comes_sooner_than_the_one_below_is_refused(admin_user):
    before = (_ladder(), AuditEvent.objects.count())
    rule = EscalationRule.objects.get(subject=Subject.DECISION, level=3)
    rule.after_days = 5
    with pytest.raises(Invalid) as caught:
        services.escalation_rules_save(user=admin_user, rules=[rule])
    assert caught.value.field == "after_days"
    assert "rung 3 comes after 5 days, sooner than rung 2 (7 days)" in caught.value.message
    assert (_ladder(), AuditEvent.objects.count()) == before


def test_a_new_rung_must_not_undercut_the_ladder(admin_user):
    new = EscalationRule(subject=Subject.DECISION, level=5, after_days=20, audience="ceo")
    with pytest.raises(Invalid, match="rung 5 comes after 20 days"):
        services.escalation_rules_save(user=admin_user, rules=[new])
    assert len(_ladder()) == 4


def test_ladder_problem_accepts_equal_days_and_any_order_given():
    assert services.ladder_problem("decision", [(2, 7), (1, 0), (3, 7)]) is None
    assert "rung 2" in services.ladder_problem("conflict", [(1, 14), (2, 10)])


def test_reminder_rules_are_unique_and_admin_only(admin_user, member):
    duplicate = ReminderRule(subject=Subject.DECISION, lead_days=7)
    with pytest.raises(Conflict, match="already have a 7-day reminder"):
        services.reminder_rule_save(user=admin_user, rule=duplicate)
    with pytest.raises(NotAllowed):
        services.reminder_rule_save(
            user=member, rule=ReminderRule(subject=Subject.DECISION, lead_days=3)
        )
    services.reminder_rule_save(
        user=admin_user, rule=ReminderRule(subject=Subject.DECISION, lead_days=3)
    )
    assert ReminderRule.objects.filter(subject=Subject.DECISION).count() == 4
    assert AuditEvent.objects.filter(verb="reminder_rule.created").count() == 1


def test_only_an_administrator_changes_a_ladder(member):
    rule = EscalationRule.objects.get(subject=Subject.DECISION, level=2)
    rule.after_days = 8
    with pytest.raises(NotAllowed):
        services.escalation_rules_save(user=member, rules=[rule])
    assert _ladder()[1] == (2, 7)


def test_a_rule_for_something_no_scanner_reads_is_refused(admin_user):
    # conflicts have no due date to remind of; claims have no ladder
    before = (ReminderRule.objects.count(), EscalationRule.objects.count())
    with pytest.raises(Invalid, match="no due date") as reminder:
        services.reminder_rule_save(
            user=admin_user, rule=ReminderRule(subject=Subject.CONFLICT, lead_days=3)
        )
    with pytest.raises(Invalid, match="has no escalation ladder") as ladder:
        services.escalation_rules_save(
            user=admin_user,
            rules=[EscalationRule(subject=Subject.CLAIM, level=1, after_days=0, audience="chair")],
        )
    assert reminder.value.field == ladder.value.field == "subject"
    assert (ReminderRule.objects.count(), EscalationRule.objects.count()) == before
