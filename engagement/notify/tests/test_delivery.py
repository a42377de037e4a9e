"""Delivery sends each recorded row once, the way its recipient wants, and keeps trying a chat
channel that fails for a while, then gives up saying why.

E-mail goes to Django's locmem backend (``mailoutbox``); chat posts go to a real HTTP server
on 127.0.0.1 started by the test, answering what the test scripts.
"""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from engagement.notify.delivery import LEASE, deliver_pending, message_id
from engagement.notify.models import ChatWebhook, Kind, Notification
from engagement.notify.tests.factories import (
    ChatWebhookFactory,
    NotificationFactory,
    PreferenceFactory,
)
from engagement.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Notification.Status
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(time_machine, settings):
    time_machine.move_to(NOW, tick=False)
    settings.SITE_URL = "https://governance.example.com"
    settings.DEFAULT_FROM_EMAIL = "governance@example.com"
    settings.NOTIFY_WEBHOOK_MAX_ATTEMPTS = 3
    settings.NOTIFY_WEBHOOK_BACKOFF_SECONDS = 60
    settings.NOTIFY_WEBHOOK_TIMEOUT = 5


def refreshed(row: Notification) -> Notification:
    row.refresh_from_db()
    return row


# --- E-mail ----------------------------------------------------------------------------------


def test_a_row_is_e_mailed_once_with_a_link_and_marked_sent(mailoutbox):
    person = UserFactory(email="ann@example.com", first_name="Ann", last_name="Lee")
    row = NotificationFactory(
        recipient=person, title="Reminder: “Script” is due in 2 days", url="/summits/items/4/"
    )

    report = deliver_pending()
    deliver_pending()  # a second run finds nothing to send

    assert (report.sent, report.total) == (1, 1)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ann@example.com"]
    assert mail.subject == "Reminder: “Script” is due in 2 days"
    assert "https://governance.example.com/summits/items/4/" in mail.body
    assert mail.extra_headers["Message-ID"] == message_id(row)
    assert mail.extra_headers["X-Engagement-Key"] == row.dedupe_key
    assert "text/html" in [mimetype for _content, mimetype in mail.alternatives]
    row = refreshed(row)
    assert (row.status, row.attempts, row.delivered_at, row.next_attempt_at) == (
        Status.SENT,
        1,
        NOW,
        None,
    )


@pytest.mark.parametrize(
    ("deliveries", "digest", "status", "reason", "mails"),
    [
        ({}, "none", Status.SENT, "", 1),
        ({"reminder": "email"}, "daily", Status.SENT, "", 1),
        ({"reminder": "digest"}, "daily", Status.IN_DIGEST, "", 0),
        ({"reminder": "digest"}, "weekly", Status.IN_DIGEST, "", 0),
        # Held for a digest the person does not receive would be lost: sent instead.
        ({"reminder": "digest"}, "none", Status.SENT, "", 1),
        ({"reminder": "inbox"}, "daily", Status.SKIPPED, "Inbox only, as the person prefers.", 0),
        # A preference for another kind leaves reminders by e-mail.
        ({"escalation": "inbox"}, "none", Status.SENT, "", 1),
    ],
)
def test_the_person_s_preference_decides_the_e_mail(
    mailoutbox, deliveries, digest, status, reason, mails
):
    pref = PreferenceFactory(deliveries=deliveries, digest=digest)
    row = NotificationFactory(recipient=pref.person, kind=Kind.REMINDER)

    deliver_pending()

    row = refreshed(row)
    assert (row.status, row.reason) == (status, reason)
    assert len(mailoutbox) == mails
    # Whatever the channel, the message is in the inbox.
    assert Notification.objects.inbox_of(pref.person).get() == row


def test_a_digest_is_e_mailed_even_to_someone_who_wants_everything_else_in_the_inbox(mailoutbox):
    pref = PreferenceFactory(deliveries={"digest": "inbox", "reminder": "inbox"}, digest="daily")
    NotificationFactory(recipient=pref.person, kind=Kind.DIGEST)
    deliver_pending()
    assert len(mailoutbox) == 1


def test_an_inactive_person_gets_no_e_mail(mailoutbox):
    row = NotificationFactory(recipient=UserFactory(is_active=False))
    deliver_pending()
    assert mailoutbox == []
    assert (refreshed(row).status, row.reason) == (
        Status.SKIPPED,
        "The person is no longer active.",
    )


def test_a_person_without_an_address_gets_no_e_mail(mailoutbox):
    row = NotificationFactory(recipient=UserFactory(email=""))
    deliver_pending()
    assert mailoutbox == []
    assert (refreshed(row).status, row.reason) == (
        Status.SKIPPED,
        "The person has no e-mail address.",
    )


def test_the_message_id_is_stable_per_dedupe_key_and_differs_between_keys():
    a = NotificationFactory(dedupe_key="action_item:1:due:2026-12-03:remind:2:u7")
    b = NotificationFactory(dedupe_key="action_item:1:due:2026-12-03:remind:0:u7")
    again = Notification(dedupe_key=a.dedupe_key)
    assert message_id(a) == message_id(again)
    assert message_id(a) != message_id(b)
    assert message_id(a).startswith("<") and message_id(a).endswith("@example.com>")


def test_a_row_claimed_by_a_live_sender_is_left_alone(mailoutbox):
    row = NotificationFactory(status=Status.SENDING, next_attempt_at=NOW + LEASE, attempts=1)
    report = deliver_pending()
    assert report.total == 0
    assert mailoutbox == []
    assert refreshed(row).status == Status.SENDING


def test_a_row_whose_sender_died_is_sent_when_the_lease_runs_out(mailoutbox, time_machine):
    row = NotificationFactory()
    # A sender claimed the row, then died before sending: the row stays "sending".
    Notification.objects.filter(pk=row.pk).update(
        status=Status.SENDING, next_attempt_at=NOW + LEASE, attempts=1
    )
    deliver_pending()
    assert mailoutbox == []

    time_machine.move_to(NOW + LEASE + timedelta(seconds=1), tick=False)
    deliver_pending()
    deliver_pending()

    assert len(mailoutbox) == 1
    # Had the first sender got its message out after all, the repeat has the same Message-ID.
    assert mailoutbox[0].extra_headers["Message-ID"] == message_id(row)
    row = refreshed(row)
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_only_one_of_two_senders_wins_the_claim(mailoutbox, monkeypatch):
    """Another sender claims each row between this one's read and its claim."""
    from engagement.notify import delivery

    rows = NotificationFactory.create_batch(3)
    real_claim = delivery._claim

    def claimed_by_another_first(row_id, now):
        assert real_claim(row_id, now)  # the other sender wins ...
        return real_claim(row_id, now)  # ... so this one loses

    monkeypatch.setattr(delivery, "_claim", claimed_by_another_first)
    report = deliver_pending()

    assert report.total == 0
    assert mailoutbox == []
    assert {refreshed(row).status for row in rows} == {Status.SENDING}


def test_delivery_stops_at_the_limit_and_the_rest_waits(mailoutbox):
    NotificationFactory.create_batch(5)
    assert deliver_pending(limit=2).sent == 2
    assert Notification.objects.awaiting_delivery().count() == 3
    assert deliver_pending().sent == 3
    assert len(mailoutbox) == 5


def test_an_e_mail_refused_by_the_server_is_retried(mailoutbox, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    def refuse(self, fail_silently=False):
        raise OSError("421 try again later")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    row = NotificationFactory()
    deliver_pending()
    row = refreshed(row)
    assert row.status == Status.PENDING
    assert row.reason == "E-mail not accepted: 421 try again later"
    assert row.next_attempt_at == NOW + timedelta(seconds=60)


# --- Chat channels, against a real HTTP server -----------------------------------------------


class ChatServer:
    """Records each POST and answers with the next scripted status (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                server.requests.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("Content-Type"),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                status, text = server.answers.pop(0) if server.answers else (200, "ok")
                body = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def answer(self, *answers: tuple[int, str]):
        self.answers.extend(answers)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def chat_server():
    server = ChatServer()
    yield server
    server.close()


def chat_row(url: str, flavour=ChatWebhook.Flavour.SLACK, **fields) -> Notification:
    hook = ChatWebhookFactory(url=url, flavour=flavour)
    return NotificationFactory(
        recipient=None,
        webhook=hook,
        title="Escalated: “Script” is 8 days overdue",
        body="Complete it or re-plan it.",
        url="/summits/items/4/",
        kind=Kind.ESCALATION,
        **fields,
    )


def test_a_slack_channel_gets_a_text_post(chat_server, mailoutbox):
    row = chat_row(f"{chat_server.url}/services/T1/B2/xyz")

    report = deliver_pending()

    assert report.sent == 1
    assert mailoutbox == []
    [request] = chat_server.requests
    assert request["path"] == "/services/T1/B2/xyz"
    assert request["content_type"] == "application/json"
    assert request["json"] == {
        "text": "*Escalated: “Script” is 8 days overdue*\nComplete it or re-plan it.\n"
        "<https://governance.example.com/summits/items/4/|Open>"
    }
    row = refreshed(row)
    assert (row.status, row.attempts, row.delivered_at) == (Status.SENT, 1, NOW)


def test_a_teams_channel_gets_an_adaptive_card(chat_server):
    chat_row(f"{chat_server.url}/workflows/abc", flavour=ChatWebhook.Flavour.TEAMS)

    deliver_pending()

    [request] = chat_server.requests
    payload = request["json"]
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert [block["text"] for block in card["body"]] == [
        "Escalated: “Script” is 8 days overdue",
        "Complete it or re-plan it.",
    ]
    assert all(block["type"] == "TextBlock" and block["wrap"] for block in card["body"])
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open",
            "url": "https://governance.example.com/summits/items/4/",
        }
    ]


@pytest.mark.parametrize("status", [200, 202, 204])
def test_any_2xx_answer_marks_the_post_sent(chat_server, status):
    chat_server.answer((status, ""))
    row = chat_row(chat_server.url)
    deliver_pending()
    assert refreshed(row).status == Status.SENT


def test_a_failing_channel_is_retried_with_back_off_then_given_up(chat_server, time_machine):
    chat_server.answer(*[(500, "boom")] * 3)
    row = chat_row(chat_server.url)

    deliver_pending()
    row = refreshed(row)
    assert (row.status, row.attempts, row.reason) == (Status.PENDING, 1, "HTTP 500: boom")
    assert row.next_attempt_at == NOW + timedelta(seconds=60)

    # Not before the back-off is over.
    time_machine.move_to(NOW + timedelta(seconds=59), tick=False)
    assert deliver_pending().total == 0
    assert len(chat_server.requests) == 1

    time_machine.move_to(NOW + timedelta(seconds=61), tick=False)
    deliver_pending()
    row = refreshed(row)
    assert (row.status, row.attempts) == (Status.PENDING, 2)
    # The wait doubles.
    assert row.next_attempt_at == NOW + timedelta(seconds=61 + 120)

    time_machine.move_to(NOW + timedelta(seconds=61 + 121), tick=False)
    report = deliver_pending()
    row = refreshed(row)
    assert report.failed == 1
    assert (row.status, row.attempts, row.next_attempt_at) == (Status.FAILED, 3, None)
    assert row.reason == "Given up after 3 attempt(s): HTTP 500: boom"
    assert len(chat_server.requests) == 3

    time_machine.move_to(NOW + timedelta(days=1), tick=False)
    assert deliver_pending().total == 0
    assert len(chat_server.requests) == 3


def test_a_channel_that_recovers_is_sent_on_the_retry(chat_server, time_machine):
    chat_server.answer((503, "maintenance"))
    row = chat_row(chat_server.url)
    deliver_pending()
    time_machine.move_to(NOW + timedelta(minutes=2), tick=False)
    deliver_pending()
    row = refreshed(row)
    assert (row.status, row.attempts, row.reason) == (Status.SENT, 2, "")
    assert len(chat_server.requests) == 2


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_a_channel_that_is_gone_is_given_up_at_once(chat_server, status):
    chat_server.answer((status, "no_service"))
    row = chat_row(chat_server.url)

    report = deliver_pending()

    row = refreshed(row)
    assert report.failed == 1
    assert (row.status, row.attempts, row.next_attempt_at) == (Status.FAILED, 1, None)
    assert row.reason == f"Given up after 1 attempt(s): HTTP {status}: no_service"


def test_a_channel_that_cannot_be_reached_is_retried(chat_server, time_machine):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    row = chat_row(f"http://127.0.0.1:{closed}/hook")

    report = deliver_pending()

    row = refreshed(row)
    assert report.retrying == 1
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert row.reason.startswith("Could not reach the webhook:")
    assert "refused" in row.reason.lower()
    assert row.next_attempt_at == NOW + timedelta(seconds=60)

    # The channel comes back at its address.
    ChatWebhook.objects.filter(pk=row.webhook_id).update(url=chat_server.url)
    time_machine.move_to(NOW + timedelta(seconds=61), tick=False)
    deliver_pending()
    assert refreshed(row).status == Status.SENT


def test_a_switched_off_channel_gets_nothing(chat_server):
    row = chat_row(chat_server.url)
    ChatWebhook.objects.filter(pk=row.webhook_id).update(is_active=False)
    deliver_pending()
    assert chat_server.requests == []
    assert (refreshed(row).status, row.reason) == (
        Status.SKIPPED,
        "The chat webhook was switched off.",
    )


def test_chat_and_e_mail_rows_of_one_event_each_go_out_once(chat_server, mailoutbox):
    person = UserFactory()
    row = chat_row(chat_server.url, dedupe_key="e:1:h1")
    NotificationFactory(recipient=person, dedupe_key="e:1:u1")
    deliver_pending()
    deliver_pending()
    assert len(chat_server.requests) == 1
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(status=Status.SENT).count() == 2
    assert refreshed(row).delivered_at == timezone.now()
