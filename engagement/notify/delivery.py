"""Delivery: the second, idempotent step that sends what the ledger recorded.

A sender *claims* a row with one conditional UPDATE (pending → sending, with a lease), sends
it, then marks it sent. Two senders never both win the claim, on PostgreSQL or SQLite, and no
transaction stays open across the network call. A sender killed after its claim leaves the row
"sending"; when the lease runs out the row is sent again rather than never. Its e-mail keeps
the same Message-ID (made from the dedupe key), so a mail client shows a repeat once.

For a person the channel is e-mail, as their ``Preference`` says (each one, held for their
digest, or the inbox only). For a chat channel it is an HTTP POST to the webhook: a failure
is retried with exponential back-off up to ``NOTIFY_WEBHOOK_MAX_ATTEMPTS``, then given up with
the reason recorded; a refusal that retrying cannot fix (the channel is gone) gives up at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from engagement.notify.models import ChatWebhook, Notification, Preference
from engagement.notify.scanning import keyset_chunks

logger = logging.getLogger(__name__)

Status = Notification.Status
LEASE = timedelta(minutes=10)


@dataclass
class DeliveryReport:
    sent: int = 0
    held: int = 0
    skipped: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.held + self.skipped + self.retrying + self.failed

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.held} held for digests, {self.skipped} not sent, "
            f"{self.retrying} to retry, {self.failed} failed"
        )


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def message_id(row: Notification) -> str:
    digest = hashlib.sha256(row.dedupe_key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<{digest}@{domain}>"


def _claim(row_id: int, now) -> bool:
    claimed = (
        Notification.objects.awaiting_delivery(now)
        .filter(id=row_id)
        .update(status=Status.SENDING, next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    )
    return claimed == 1


def _finish(row_id: int, **fields) -> None:
    Notification.objects.filter(id=row_id, status=Status.SENDING).update(**fields)


def deliver_pending(*, now=None, limit: int | None = None, chunk: int = 200) -> DeliveryReport:
    """Send every row awaiting delivery, oldest first; safe to run in several workers."""
    now = now or timezone.now()
    report = DeliveryReport()
    done = 0
    candidates = Notification.objects.awaiting_delivery(now).values_list("id")
    for ids in keyset_chunks(candidates, size=chunk):
        rows = (
            Notification.objects.filter(id__in=[i for (i,) in ids])
            .select_related("recipient", "webhook")
            .order_by("id")
        )
        prefs = {
            p.person_id: p
            for p in Preference.objects.filter(
                person_id__in={r.recipient_id for r in rows if r.recipient_id}
            )
        }
        for row in rows:
            if not _claim(row.id, timezone.now()):
                continue  # another sender has it
            row.attempts += 1
            if row.webhook_id:
                _deliver_chat(row, report)
            else:
                _deliver_email(row, prefs.get(row.recipient_id), report)
            done += 1
            if limit is not None and done >= limit:
                return report
    return report


def _deliver_email(row: Notification, pref: Preference | None, report: DeliveryReport) -> None:
    person = row.recipient
    now = timezone.now()
    delivery = Preference.Delivery.EMAIL
    if pref is not None and row.kind != "digest":
        delivery = pref.delivery_for(row.kind)
    if not person.is_active:
        _finish(row.id, status=Status.SKIPPED, reason="The person is no longer active.")
        report.skipped += 1
        return
    if delivery == Preference.Delivery.INBOX:
        _finish(row.id, status=Status.SKIPPED, reason="Inbox only, as the person prefers.")
        report.skipped += 1
        return
    if delivery == Preference.Delivery.DIGEST:
        _finish(row.id, status=Status.IN_DIGEST, next_attempt_at=None)
        report.held += 1
        return
    if not person.email:
        _finish(row.id, status=Status.SKIPPED, reason="The person has no e-mail address.")
        report.skipped += 1
        return
    context = {"notification": row, "person": person, "link": absolute(row.url)}
    message = EmailMultiAlternatives(
        subject=row.title,
        body=render_to_string("notify/email.txt", context),
        to=[person.email],
        headers={"Message-ID": message_id(row), "X-Engagement-Key": row.dedupe_key},
    )
    message.attach_alternative(render_to_string("notify/email.html", context), "text/html")
    try:
        message.send()
    except Exception as exc:
        _retry_or_fail(row, f"E-mail not accepted: {exc}"[:300], report)
        return
    _finish(row.id, status=Status.SENT, delivered_at=now, next_attempt_at=None, reason="")
    if row.kind == "digest":
        # The messages held for this digest went out with it.
        Notification.objects.filter(digest=row, status=Status.IN_DIGEST).update(
            status=Status.SENT, delivered_at=now
        )
    report.sent += 1


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: base * 2^(attempts - 1), at most an hour."""
    base = settings.NOTIFY_WEBHOOK_BACKOFF_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _retry_or_fail(row: Notification, reason: str, report: DeliveryReport, final=False) -> None:
    if final or row.attempts >= settings.NOTIFY_WEBHOOK_MAX_ATTEMPTS:
        _finish(
            row.id, status=Status.FAILED, next_attempt_at=None,
            reason=f"Given up after {row.attempts} attempt(s): {reason}"[:300],
        )  # fmt: skip
        report.failed += 1
        logger.warning("Notification %s given up: %s", row.dedupe_key, reason)
        return
    _finish(
        row.id, status=Status.PENDING, next_attempt_at=timezone.now() + backoff(row.attempts),
        reason=reason[:300],
    )  # fmt: skip
    report.retrying += 1


def chat_payload(row: Notification, flavour: str) -> dict:
    link = absolute(row.url)
    if flavour == ChatWebhook.Flavour.TEAMS:
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {"type": "TextBlock", "text": row.title, "weight": "Bolder", "wrap": True},
                *([{"type": "TextBlock", "text": row.body, "wrap": True}] if row.body else []),
            ],
            "actions": [{"type": "Action.OpenUrl", "title": "Open", "url": link}] if link else [],
        }
        return {
            "type": "message",
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
            ],
        }
    text = f"*{row.title}*" + (f"\n{row.body}" if row.body else "")
    if link:
        text += f"\n<{link}|Open>"
    return {"text": text}


# 4xx answers that retrying cannot fix: the channel was removed or the address is wrong.
_PERMANENT = {400, 401, 403, 404, 410}


def _deliver_chat(row: Notification, report: DeliveryReport) -> None:
    hook = row.webhook
    if not hook.is_active:
        _finish(row.id, status=Status.SKIPPED, reason="The chat webhook was switched off.")
        report.skipped += 1
        return
    if not hook.url.startswith(("https://", "http://")):
        _retry_or_fail(row, "The webhook address is not an http(s) URL.", report, final=True)
        return
    body = json.dumps(chat_payload(row, hook.flavour)).encode()
    # The scheme is checked above: urllib is never asked for file: or other schemes.
    request = urllib.request.Request(  # noqa: S310
        hook.url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    timeout = settings.NOTIFY_WEBHOOK_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            answer.read(1024)
    except urllib.error.HTTPError as exc:
        detail = exc.read(200).decode(errors="replace").strip()
        reason = f"HTTP {exc.code}" + (f": {detail}" if detail else "")
        _retry_or_fail(row, reason, report, final=exc.code in _PERMANENT)
        return
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        _retry_or_fail(row, f"Could not reach the webhook: {getattr(exc, 'reason', exc)}", report)
        return
    _finish(
        row.id, status=Status.SENT, delivered_at=timezone.now(), next_attempt_at=None, reason=""
    )
    report.sent += 1
