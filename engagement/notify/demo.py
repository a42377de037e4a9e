"""The demo's notification preferences, for ``manage.py seed_demo``.

The CEO takes a daily digest (the executive's exceptions) and keeps escalations as single
e-mails; nkowalski keeps reminders in the inbox only. Everyone else has the default: every
message by e-mail, which in the zero-setup run is a file in ``var/mail``. The messages
themselves come from the scanners, which the scheduler runs every minute under ``make run``:
within a minute or two of starting, the demo's overdue and due-soon items reach the inboxes
and the mail folder. Written through the service as the demo administrator; idempotent.
"""

from __future__ import annotations

from engagement.notify import services
from engagement.notify.models import Kind, Preference
from engagement.org.models import User

PREFERENCES = {
    "ceo": ({Kind.ESCALATION: "email", Kind.REMINDER: "digest"}, Preference.Frequency.DAILY),
    "nkowalski": ({Kind.REMINDER: "inbox"}, Preference.Frequency.NONE),
}


def seed(*, stdout) -> list:
    admin = User.objects.get(username="admin")
    for username, (deliveries, digest) in PREFERENCES.items():
        person = User.objects.filter(username=username).first()
        if person is None:
            continue
        current = Preference.objects.filter(person=person).first()
        wanted = {str(k): v for k, v in deliveries.items()}
        if current and current.deliveries == wanted and current.digest == digest:
            continue
        services.preference_update(user=admin, person=person, deliveries=wanted, digest=digest)
    stdout.write("Notifications: the CEO takes a daily digest; nkowalski reminders in the inbox")
    return []
