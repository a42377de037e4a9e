"""What people and administrators change in notify: reading the inbox, preferences, sending a
message again, and the channels and rules the jobs follow.

Keyword-only, each in one transaction. A person reaches only their own inbox: another
person's notification is not found (404), never refused (403), so its existence does not
leak. Marking read is bookkeeping of one person's inbox and leaves no audit event; every
other change (preferences, a message sent again, channels, rules) records one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _

from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.core.validation import clean, save_or_conflict
from engagement.notify.models import (
    LADDERED,
    REMINDED,
    ChatWebhook,
    EscalationRule,
    Kind,
    Notification,
    Preference,
    ReminderRule,
)
from engagement.notify.scanning import enqueue_delivery
from engagement.org.roles import is_admin

Status = Notification.Status

# Kinds a person chooses a way for; the digest itself always comes by e-mail.
CHOOSABLE_KINDS = tuple(k for k in Kind.values if k != Kind.DIGEST)
# The kinds as the preferences page and the messages name them (plural, capitalised).
KIND_NAMES = {
    Kind.REMINDER: _("Reminders of what comes due"),
    Kind.MEETING: _("Meetings tomorrow"),
    Kind.ESCALATION: _("Escalations"),
    Kind.CADENCE: _("Meetings missed"),
    Kind.CHARTER_GAPS: _("Charter gaps"),
}
# What a chat channel may follow: ``(app label, model name)``; notify imports neither app.
FOLLOWABLE = (("boards", "board"), ("org", "function"))
# Rows an administrator may send again: they were not sent, and will not be by themselves.
RETRYABLE = (Status.FAILED, Status.SKIPPED)

PREFERENCE_FIELDS = ("deliveries", "digest")
# The address is a secret: the log says when it changed, never what it is.
WEBHOOK_FIELDS = ("name", "flavour", "follows_type", "follows_id", "kinds", "is_active")
REMINDER_RULE_FIELDS = ("subject", "lead_days", "is_active")
ESCALATION_RULE_FIELDS = ("subject", "level", "after_days", "audience", "is_active")


def _inbox(user):
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.inbox_of(user)


def _require_admin(user, message: str) -> None:
    if not is_admin(user):
        raise NotAllowed(message)


# --- The inbox -------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(
    *, user, notification_id: int | None = None, notification: Notification | None = None
) -> Notification:
    """Mark one notification of ``user``'s inbox read (once: reading it again keeps the first
    time). A notification of someone else, or of a chat channel, is not found."""
    pk = notification.pk if notification is not None else notification_id
    row = _inbox(user).filter(pk=pk).first() if pk is not None else None
    if row is None:
        raise NotFound("No such notification in your inbox.")
    if row.read_at is None:
        now = timezone.now()
        # Conditional, so two clicks at once keep one reading time.
        if Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=now):
            row.read_at = now
        else:
            row.refresh_from_db(fields=["read_at"])
    return row


@transaction.atomic
def notification_mark_all_read(*, user) -> int:
    """Mark every unread notification of ``user``'s inbox read; returns how many were."""
    return _inbox(user).unread().update(read_at=timezone.now())


# --- Preferences ------------------------------------------------------------------------------


def _kind_name(kind: str) -> str:
    return str(KIND_NAMES[kind]).lower()


def unknown_kinds_message(unknown: Iterable[str]) -> str:
    return (
        f"Unknown kind(s) of notification: {', '.join(sorted(unknown))}. Choose among "
        f"{', '.join(CHOOSABLE_KINDS)} (the digest itself always comes by e-mail)."
    )


def _validate_deliveries(deliveries) -> dict[str, str]:
    if not isinstance(deliveries, Mapping):
        raise Invalid("Give the deliveries as kind → email, digest or inbox.", field="deliveries")
    unknown = [str(k) for k in deliveries if k not in CHOOSABLE_KINDS]
    if unknown:
        raise Invalid(unknown_kinds_message(unknown), field="deliveries")
    ways = Preference.Delivery.values
    for kind, way in deliveries.items():
        if way not in ways:
            raise Invalid(
                f"“{way}” is not a way to receive {_kind_name(kind)}; choose "
                f"{get_text_list(ways, 'or')}.",
                field=kind,
            )
    # In the order the kinds are listed, so the stored value reads the same every time.
    return {kind: deliveries[kind] for kind in CHOOSABLE_KINDS if kind in deliveries}


@transaction.atomic
def preference_update(*, user, person, deliveries: dict, digest: str) -> Preference:
    """Set how ``person`` receives each kind of notification and how often their digest goes
    out. ``deliveries`` replaces the whole choice: a kind not in it comes by e-mail.

    A person changes their own; an administrator anyone's. A kind held for the digest needs
    a digest that goes out (daily or weekly), or it would never reach them. Records one
    audit event when something changed.
    """
    if person is None:
        raise Invalid("Choose a person.", field="person")
    if user.pk != person.pk and not is_admin(user):
        raise NotAllowed("You can change only your own notification preferences.")
    deliveries = _validate_deliveries(deliveries)
    if digest not in Preference.Frequency.values:
        raise Invalid(
            f"“{digest}” is not a digest frequency; choose "
            f"{get_text_list(Preference.Frequency.values, 'or')}.",
            field="digest",
        )
    held = [k for k, way in deliveries.items() if way == Preference.Delivery.DIGEST]
    if held and digest == Preference.Frequency.NONE:
        names = get_text_list([_kind_name(k) for k in held], "and")
        raise Invalid(
            f"You chose the digest for {names}; choose a daily or weekly digest, or another "
            "way to receive them.",
            field="digest",
        )
    preference, created = Preference.objects.select_for_update().get_or_create(person=person)
    before = snapshot(preference, PREFERENCE_FIELDS)
    preference.deliveries = deliveries
    preference.digest = digest
    after = snapshot(preference, PREFERENCE_FIELDS)
    if after != before or created:
        preference.save()
        record_event(
            actor=user, verb="notification_preference.updated", obj=preference,
            before=None if created else before, after=after,
        )  # fmt: skip
    return preference


# --- Sending again -----------------------------------------------------------------------------


@transaction.atomic
def notification_retry(*, user, ids: Iterable[int]) -> int:
    """Put failed or skipped messages (e-mail or chat) back in the queue, with a fresh count
    of attempts (administrators). All or nothing: if one of them was sent, or is still on its
    way, none is touched and the refusal names it. Delivery is enqueued after the commit;
    each row keeps its dedupe key, so a message never goes out twice."""
    _require_admin(user, "Only an administrator can send notifications again.")
    try:
        ids = sorted({int(i) for i in ids})
    except (TypeError, ValueError):
        raise Invalid("Notifications are named by their ids (numbers).") from None
    if not ids:
        raise Invalid("Choose the notifications to send again.")
    rows = list(Notification.objects.select_for_update().filter(pk__in=ids).order_by("id"))
    missing = sorted(set(ids) - {row.pk for row in rows})
    if missing:
        raise NotFound(f"No such notification: {', '.join(map(str, missing))}.")
    refused = [row for row in rows if row.status not in RETRYABLE]
    if refused:
        reasons = [f"“{row.title}” ({row.get_status_display()})" for row in refused[:5]]
        more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
        raise Conflict(
            "Only failed or skipped notifications can be sent again; nothing was changed. "
            f"Not sent again: {'; '.join(reasons)}{more}."
        )
    for row in rows:
        before = {"status": row.status, "attempts": row.attempts, "reason": row.reason}
        record_event(
            actor=user, verb="notification.retried", obj=row, before=before,
            after={"status": Status.PENDING, "attempts": 0, "reason": ""},
        )  # fmt: skip
    count = Notification.objects.filter(pk__in=ids, status__in=RETRYABLE).update(
        status=Status.PENDING, attempts=0, next_attempt_at=None, delivered_at=None, reason=""
    )
    transaction.on_commit(enqueue_delivery)
    return count


# --- Chat channels -----------------------------------------------------------------------------


def followable_models() -> list:
    """The models a chat channel may follow, those installed (boards sits above notify)."""
    found = []
    for app_label, model_name in FOLLOWABLE:
        try:
            found.append(apps.get_model(app_label, model_name))
        except LookupError:
            continue
    return found


def _validate_follows(webhook: ChatWebhook) -> None:
    allowed = {ContentType.objects.get_for_model(m).pk: m for m in followable_models()}
    model = allowed.get(webhook.follows_type_id)
    if model is None:
        raise Invalid("A chat channel follows one board or one function.", field="follows")
    if not model._default_manager.filter(pk=webhook.follows_id).exists():
        raise Invalid(f"No such {model._meta.verbose_name} to follow.", field="follows")


def _validate_kinds(kinds) -> list[str]:
    if not isinstance(kinds, list):
        raise Invalid("List the kinds of notification the channel posts.", field="kinds")
    unknown = [str(k) for k in kinds if k not in CHOOSABLE_KINDS]
    if unknown:
        raise Invalid(
            f"A chat channel cannot post {', '.join(unknown)}; choose among "
            f"{', '.join(CHOOSABLE_KINDS)} (digests are personal and go by e-mail).",
            field="kinds",
        )
    return [k for k in CHOOSABLE_KINDS if k in kinds]


@transaction.atomic
def chat_webhook_save(*, user, webhook: ChatWebhook) -> ChatWebhook:
    """Add or change a chat channel (administrators): it follows exactly one board or one
    function and posts the kinds listed (none listed: every kind but digests). The audit
    event records that the address changed, never the address."""
    _require_admin(user, "Only an administrator can set up chat channels.")
    webhook.name = (webhook.name or "").strip()
    webhook.kinds = _validate_kinds(webhook.kinds)
    _validate_follows(webhook)
    clean(webhook, exclude=["follows_type"])
    adding = webhook._state.adding
    before = None
    url_changed = adding
    if not adding:
        old = ChatWebhook.objects.select_for_update().get(pk=webhook.pk)
        before = snapshot(old, WEBHOOK_FIELDS)
        url_changed = old.url != webhook.url
    webhook.save()
    after = snapshot(webhook, WEBHOOK_FIELDS)
    if url_changed or after != before:
        record_event(
            actor=user, verb="chat_webhook.created" if adding else "chat_webhook.updated",
            obj=webhook, before=before, after={**after, "address_changed": url_changed},
        )  # fmt: skip
    return webhook


# --- Rules -------------------------------------------------------------------------------------


@transaction.atomic
def reminder_rule_save(*, user, rule: ReminderRule) -> ReminderRule:
    """Add or change a reminder lead time (administrators); one rule per subject and lead."""
    _require_admin(user, "Only an administrator can change the reminder rules.")
    if rule.subject not in REMINDED:
        raise Invalid(
            f"Nothing reminds of a {rule.get_subject_display()}: it has no due date. Its "
            "escalation ladder says who hears about it.",
            field="subject",
        )
    clean(rule)
    adding = rule._state.adding
    before = None
    if not adding:
        before = snapshot(ReminderRule.objects.get(pk=rule.pk), REMINDER_RULE_FIELDS)
    save_or_conflict(
        rule, f"{rule.get_subject_display().capitalize()}s already have a {rule.lead_days}-day "
        "reminder.",
    )  # fmt: skip
    after = snapshot(rule, REMINDER_RULE_FIELDS)
    if after != before:
        record_event(
            actor=user, verb="reminder_rule.created" if adding else "reminder_rule.updated",
            obj=rule, before=before, after=after,
        )  # fmt: skip
    return rule


def ladder_problem(subject: str, rungs: Iterable[tuple[int, int]]) -> str | None:
    """Why a ladder of ``(level, after_days)`` rungs is wrong, or None: a higher rung never
    comes sooner than the one below it (active or not, so switching one on cannot break it)."""
    previous = None
    label = dict(EscalationRule._meta.get_field("subject").choices).get(subject, subject)
    for level, after_days in sorted(rungs):
        if previous is not None and after_days < previous[1]:
            return (
                f"On the {label} ladder, rung {level} comes after {after_days} days, sooner "
                f"than rung {previous[0]} ({previous[1]} days). A higher rung must wait at "
                "least as long as the one below it."
            )
        previous = (level, after_days)
    return None


@transaction.atomic
def escalation_rules_save(*, user, rules: list[EscalationRule]) -> list[EscalationRule]:
    """Add or change rungs of escalation ladders together (administrators), then check each
    ladder touched as a whole: the days overdue never decrease as the rung rises. Saving them
    together lets several rungs move at once (0/7/14/21 → 0/10/20/30) without passing
    through a state that breaks the rule. One audit event per rung changed."""
    _require_admin(user, "Only an administrator can change the escalation ladders.")
    if not rules:
        return []
    for rule in rules:
        if rule.subject not in LADDERED:
            raise Invalid(
                f"A {rule.get_subject_display()} has no escalation ladder: its reminders go "
                "to whoever may decide it.",
                field="subject",
            )
        clean(rule)
    existing = {
        r.pk: r
        for r in EscalationRule.objects.select_for_update().filter(
            pk__in=[r.pk for r in rules if r.pk]
        )
    }
    events = []
    for rule in rules:
        old = existing.get(rule.pk)
        before = snapshot(old, ESCALATION_RULE_FIELDS) if old else None
        save_or_conflict(
            rule, f"The {rule.get_subject_display()} ladder already has a rung {rule.level}."
        )
        after = snapshot(rule, ESCALATION_RULE_FIELDS)
        if after != before:
            events.append((rule, before, after))
    for subject in sorted({r.subject for r in rules} | {o.subject for o in existing.values()}):
        rungs = EscalationRule.objects.filter(subject=subject).values_list("level", "after_days")
        problem = ladder_problem(subject, rungs)
        if problem:
            raise Invalid(problem, field="after_days")
    for rule, before, after in events:
        record_event(
            actor=user, verb="escalation_rule.created" if before is None else
            "escalation_rule.updated", obj=rule, before=before, after=after,
        )  # fmt: skip
    return rules
