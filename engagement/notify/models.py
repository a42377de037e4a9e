"""Notifications: the ledger of everything the jobs tell people, and the rules they follow.

The **ledger** (``Notification``) holds one row per message to one recipient, a person or a
chat channel, under a **dedupe key** with a unique constraint: a scan that runs twice, two
schedulers, or a task delivered twice all try to insert the same key, and the database keeps
one. A row is recorded *before* anything is sent; sending is a second step that moves the
row's delivery status, so a crash between the two loses nothing (the row waits, pending) and
doubles nothing (the key exists).

A person's row is in their **inbox** from the moment it is recorded; its e-mail delivery is
decided by their ``Preference``: each message by e-mail, held for a daily or weekly digest, or
the inbox only. A chat channel's row is posted to its ``ChatWebhook`` and retried with
back-off when the endpoint fails.

The **rules** (``ReminderRule``, ``EscalationRule``) are rows the administrator edits: the lead
times of reminders and the rungs of each escalation ladder.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about; people choose how each kind reaches them."""

    REMINDER = "reminder", _("reminder of something coming due")
    MEETING = "meeting", _("meeting tomorrow")
    ESCALATION = "escalation", _("escalation of something overdue")
    CADENCE = "cadence", _("meeting missed")
    CHARTER_GAPS = "charter_gaps", _("charter gaps")
    DIGEST = "digest", _("digest")


class Subject(models.TextChoices):
    """The kinds of record that come due, for the rules."""

    DECISION = "decision", _("board decision")
    ACTION_ITEM = "action_item", _("summit action item")
    CLAIM = "claim", _("claim awaiting approval")
    CONFLICT = "conflict", _("charter conflict")


# What the scanners remind of (a conflict has no due date) and what climbs a ladder (a claim
# waiting for approval is reminded to its deciders, who are the top of its ladder already).
REMINDED = (Subject.DECISION, Subject.ACTION_ITEM, Subject.CLAIM)
LADDERED = (Subject.DECISION, Subject.ACTION_ITEM, Subject.CONFLICT)


class Audience(models.TextChoices):
    """Who stands on a rung of an escalation ladder."""

    OWNER = "owner", _("the owner")
    CHAIR = "chair", _("the board chair")
    SPONSOR = "sponsor", _("the executive sponsor")
    CEO = "ceo", _("the CEO (chair of the top of the ladder)")


class NotificationQuerySet(models.QuerySet):
    def inbox_of(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def awaiting_delivery(self, now=None):
        """Rows to send now: pending (past any back-off), or claimed by a sender whose lease
        ran out (it died after claiming; the row goes out again rather than never)."""
        now = now or timezone.now()
        Status = Notification.Status
        return self.filter(
            Q(status=Status.PENDING, next_attempt_at__isnull=True)
            | Q(status__in=(Status.PENDING, Status.SENDING), next_attempt_at__lte=now)
        )


class Notification(models.Model):
    """One message to one recipient (a person or a chat channel), recorded once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        IN_DIGEST = "in_digest", _("held for the digest")
        SKIPPED = "skipped", _("not sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="notifications",
    )  # fmt: skip
    webhook = models.ForeignKey(
        "notify.ChatWebhook", verbose_name=_("chat channel"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="notifications",
    )  # fmt: skip
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("about (type)"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    subject_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Delivery by e-mail (a person) or by chat post (a channel).
    status = models.CharField(
        _("delivery"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    reason = models.CharField(_("why not sent"), max_length=300, blank=True)
    digest = models.ForeignKey(
        "self", verbose_name=_("sent in digest"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="digested",
    )  # fmt: skip

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="notify_notification_once"),
            models.CheckConstraint(
                condition=(
                    Q(recipient__isnull=False, webhook__isnull=True)
                    | Q(recipient__isnull=True, webhook__isnull=False)
                ),
                name="notify_notification_one_recipient",
                violation_error_message=_("A notification goes to a person or to a channel."),
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notify_inbox_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notify_unread_idx",
            ),
            models.Index(
                fields=["id"],
                condition=Q(status__in=("pending", "sending")),
                name="notify_pending_idx",
            ),
            models.Index(fields=["subject_type", "subject_id"], name="notify_subject_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """How one person wants each kind of notification; without a row, everything by e-mail."""

    class Delivery(models.TextChoices):
        EMAIL = "email", _("e-mail each one")
        DIGEST = "digest", _("in the digest")
        INBOX = "inbox", _("inbox only")

    class Frequency(models.TextChoices):
        NONE = "none", _("no digest")
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly (Mondays)")

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
        related_name="notification_preference",
    )  # fmt: skip
    deliveries = models.JSONField(
        _("delivery per kind"), default=dict, blank=True,
        help_text=_("Kind → email, digest or inbox. A kind not listed is sent by e-mail."),
    )  # fmt: skip
    digest = models.CharField(
        _("digest"), max_length=10, choices=Frequency.choices, default=Frequency.NONE
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.person)

    def delivery_for(self, kind: str) -> str:
        delivery = self.deliveries.get(kind, self.Delivery.EMAIL)
        if delivery == self.Delivery.DIGEST and self.digest == self.Frequency.NONE:
            # Held for a digest that never goes out would be lost: send it instead.
            return self.Delivery.EMAIL
        return delivery


class ChatWebhook(models.Model):
    """An incoming-webhook address of a chat channel that follows a board or a function."""

    class Flavour(models.TextChoices):
        SLACK = "slack", _("Slack incoming webhook")
        TEAMS = "teams", _("Microsoft Teams Workflows webhook (Adaptive Card)")

    name = models.CharField(_("name"), max_length=150)
    flavour = models.CharField(_("service"), max_length=10, choices=Flavour.choices)
    url = models.URLField(
        _("webhook address"), max_length=500,
        help_text=_("Kept secret: whoever has it can post to the channel."),
    )  # fmt: skip
    follows_type = models.ForeignKey(
        ContentType, verbose_name=_("follows (type)"), on_delete=models.PROTECT, related_name="+"
    )
    follows_id = models.PositiveBigIntegerField(_("follows (id)"))
    follows = GenericForeignKey("follows_type", "follows_id")
    kinds = models.JSONField(
        _("kinds"), default=list, blank=True,
        help_text=_("The kinds of notification posted; empty posts every kind but digests."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("chat webhook")
        verbose_name_plural = _("chat webhooks")
        ordering = ("name",)
        indexes = [
            models.Index(fields=["follows_type", "follows_id"], name="notify_webhook_follows_idx")
        ]

    def __str__(self) -> str:
        return self.name

    def posts(self, kind: str) -> bool:
        return kind != Kind.DIGEST and (not self.kinds or kind in self.kinds)


class ReminderRule(models.Model):
    """Remind the owner this many days before something is due (0: on the day)."""

    subject = models.CharField(_("reminds of"), max_length=20, choices=Subject.choices)
    lead_days = models.PositiveSmallIntegerField(
        _("days before due"), validators=[MaxValueValidator(365)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ("subject", "-lead_days")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "lead_days"],
                name="notify_reminder_rule_unique",
                violation_error_message=_("This lead time is already a rule."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()}: {self.lead_days} d"


class EscalationRule(models.Model):
    """One rung of a ladder: past ``after_days`` overdue, the item climbs to ``level``."""

    subject = models.CharField(_("escalates"), max_length=20, choices=Subject.choices)
    level = models.PositiveSmallIntegerField(
        _("rung"), validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1 is the first rung; an item climbs one rung at a time."),
    )  # fmt: skip
    after_days = models.PositiveSmallIntegerField(
        _("days overdue"), validators=[MaxValueValidator(365)],
        help_text=_(
            "Days past the due date (for a conflict: days since it opened) before this rung."
        ),
    )  # fmt: skip
    audience = models.CharField(_("goes to"), max_length=10, choices=Audience.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ("subject", "level")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "level"],
                name="notify_escalation_rule_unique",
                violation_error_message=_("This ladder already has this rung."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.level}: {self.get_audience_display()}"
