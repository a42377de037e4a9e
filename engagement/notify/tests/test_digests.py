"""Digests: the messages a person held for their digest, and the sections the apps add, go out
in one e-mail a day (or a week), once per period, however often the scan runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engagement.notify.delivery import deliver_pending
from engagement.notify.digests import Line, Section, scan_digests
from engagement.notify.models import Kind, Notification
from engagement.notify.scanning import run_scans
from engagement.notify.tests.factories import NotificationFactory, PreferenceFactory

pytestmark = pytest.mark.django_db

Status = Notification.Status
# Tuesday 1 December 2026, ISO week 49; digests go out from 07:00.
TUESDAY = datetime(2026, 12, 1, tzinfo=UTC)


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day + timedelta(hours=hour, minutes=minute)


@pytest.fixture(autouse=True)
def _digests_only(only_scanners, only_sections, settings):
    settings.NOTIFY_DIGEST_HOUR = 7
    settings.TIME_ZONE = "UTC"
    only_scanners("reminders", "digests", scan_digests)


@pytest.fixture
def daily():
    """Someone who wants reminders in a daily digest (escalations still by e-mail)."""
    return PreferenceFactory(
        deliveries={Kind.REMINDER: "digest"}, digest="daily", person__email="dee@example.com"
    ).person


def held(person, *titles, when):
    """Reminders recorded for ``person`` and held by delivery for their digest."""
    rows = [
        NotificationFactory(recipient=person, title=title, created_at=when, url=f"/r/{i}/")
        for i, title in enumerate(titles)
    ]
    deliver_pending(now=when)
    assert {row.status for row in Notification.objects.filter(pk__in=[r.pk for r in rows])} == {
        Status.IN_DIGEST
    }
    return rows


def digests():
    return Notification.objects.filter(kind=Kind.DIGEST).order_by("id")


def test_held_messages_go_out_in_one_digest_a_day(daily, mailoutbox, time_machine):
    time_machine.move_to(at(TUESDAY, 6), tick=False)
    rows = held(
        daily,
        "Reminder: “Script” is due in 2 days",
        "Reminder: “FAQ” is due today",
        when=at(TUESDAY, 6),
    )
    assert mailoutbox == []

    # Before the hour: nothing.
    assert run_scans("reminders", now=at(TUESDAY, 6, 59)).recorded == 0
    assert not digests().exists()

    time_machine.move_to(at(TUESDAY, 7), tick=False)
    assert run_scans("reminders", now=at(TUESDAY, 7)).recorded == 1
    again = run_scans("reminders", now=at(TUESDAY, 18))

    assert again.recorded == 0
    assert again.recorders["digests"].already == 1
    digest = digests().get()
    assert digest.dedupe_key == f"digest:daily:2026-12-01:u{daily.pk}"
    assert (digest.recipient, digest.url) == (daily, "/notifications/")
    assert set(digest.digested.all()) == set(rows)

    deliver_pending()
    deliver_pending()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["dee@example.com"]
    assert "Since your last digest" in mail.body
    assert "- Reminder: “Script” is due in 2 days (/r/0/)" in mail.body
    assert "- Reminder: “FAQ” is due today (/r/1/)" in mail.body
    digest.refresh_from_db()
    assert digest.status == Status.SENT
    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.delivered_at, row.digest) == (Status.SENT, at(TUESDAY, 7), digest)


def test_the_next_day_s_digest_has_only_what_was_held_since(daily, mailoutbox, time_machine):
    time_machine.move_to(at(TUESDAY, 8), tick=False)
    held(daily, "Alpha reminder", when=at(TUESDAY, 6))
    run_scans("reminders", now=at(TUESDAY, 8))
    deliver_pending()

    wednesday = TUESDAY + timedelta(days=1)
    time_machine.move_to(at(wednesday, 9), tick=False)
    second = held(daily, "Bravo reminder", when=at(wednesday, 3))
    run_scans("reminders", now=at(wednesday, 9))
    deliver_pending()

    assert [d.dedupe_key.split(":u")[0] for d in digests()] == [
        "digest:daily:2026-12-01",
        "digest:daily:2026-12-02",
    ]
    assert list(digests().last().digested.all()) == second
    assert len(mailoutbox) == 2
    assert "Bravo reminder" in mailoutbox[1].body
    assert "Alpha reminder" not in mailoutbox[1].body


def test_a_day_without_anything_to_say_sends_no_digest(daily):
    assert run_scans("reminders", now=at(TUESDAY, 8)).recorded == 0
    assert not digests().exists()


def test_a_scan_that_was_down_sends_only_today_s_digest(daily, mailoutbox):
    held(daily, "Old", when=at(TUESDAY, 6))
    friday = TUESDAY + timedelta(days=3)
    run_scans("reminders", now=at(friday, 10))
    assert [d.dedupe_key for d in digests()] == [f"digest:daily:2026-12-04:u{daily.pk}"]


def test_a_weekly_digest_goes_out_once_per_iso_week(mailoutbox, time_machine):
    person = PreferenceFactory(deliveries={Kind.REMINDER: "digest"}, digest="weekly").person
    time_machine.move_to(at(TUESDAY, 8), tick=False)
    held(person, "This week", when=at(TUESDAY, 5))

    run_scans("reminders", now=at(TUESDAY, 8))
    held(person, "Later this week", when=at(TUESDAY, 9))
    thursday = TUESDAY + timedelta(days=2)
    run_scans("reminders", now=at(thursday, 8))
    sunday = TUESDAY + timedelta(days=5)
    run_scans("reminders", now=at(sunday, 23, 59))
    monday = TUESDAY + timedelta(days=6)
    run_scans("reminders", now=at(monday, 6))  # before the hour
    assert [d.dedupe_key for d in digests()] == [f"digest:weekly:2026-W49:u{person.pk}"]

    run_scans("reminders", now=at(monday, 7))
    assert [d.dedupe_key for d in digests()] == [
        f"digest:weekly:2026-W49:u{person.pk}",
        f"digest:weekly:2026-W50:u{person.pk}",
    ]
    assert [row.title for row in digests().last().digested.all()] == ["Later this week"]


def test_no_digest_for_someone_who_wants_none():
    person = PreferenceFactory(digest="none").person
    NotificationFactory(recipient=person, status=Status.IN_DIGEST)
    run_scans("reminders", now=at(TUESDAY, 8))
    assert not digests().exists()


def test_no_digest_for_an_inactive_person(daily):
    held(daily, "Held", when=at(TUESDAY, 6))
    daily.is_active = False
    daily.save()
    run_scans("reminders", now=at(TUESDAY, 8))
    assert not digests().exists()


def test_a_dry_run_lists_the_digest_and_records_nothing(daily):
    held(daily, "Held", when=at(TUESDAY, 6))
    report = run_scans("reminders", now=at(TUESDAY, 8), dry_run=True)
    assert [(p.recipient, p.kind, p.dedupe_key) for p in report.planned] == [
        (f"{daily} <dee@example.com>", Kind.DIGEST, f"digest:daily:2026-12-01:u{daily.pk}")
    ]
    assert not digests().exists()
    assert Notification.objects.get().digest is None


# --- Sections the apps register --------------------------------------------------------------


def test_registered_sections_appear_in_order_with_the_previous_figures(
    daily, only_sections, mailoutbox, time_machine
):
    calls = []

    def coverage(person, *, since, now, previous):
        calls.append({"person": person, "since": since, "now": now, "previous": previous})
        share = 80 + len(calls)
        return Section(
            "Charter coverage",
            [Line(f"{share}% of rights held (was {previous.get('coverage', 'n/a')})", "/charter/")],
            figures={"coverage": share},
        )

    only_sections("coverage", coverage, order=20)
    only_sections("quiet", lambda person, **kw: None, order=10)
    only_sections("first", lambda person, **kw: Section("Due this week", [Line("Script")]), order=5)

    time_machine.move_to(at(TUESDAY, 7), tick=False)
    run_scans("reminders", now=at(TUESDAY, 7))
    wednesday = TUESDAY + timedelta(days=1)
    time_machine.move_to(at(wednesday, 7), tick=False)
    run_scans("reminders", now=at(wednesday, 7))
    deliver_pending()

    first, second = digests()
    assert [s["title"] for s in first.data["sections"]] == ["Due this week", "Charter coverage"]
    assert first.data["figures"] == {"coverage": 81}
    assert second.data["figures"] == {"coverage": 82}
    assert [c["previous"] for c in calls] == [{}, {"coverage": 81}]
    assert calls[0]["since"] == TUESDAY - timedelta(days=1)
    assert calls[0]["now"] == at(TUESDAY, 7)
    assert calls[0]["person"] == daily
    assert "- 82% of rights held (was 81) (/charter/)" in mailoutbox[1].body
    assert mailoutbox[1].body.index("Due this week") < mailoutbox[1].body.index("Charter")


def test_a_weekly_digest_looks_back_from_the_monday_before(only_sections):
    person = PreferenceFactory(digest="weekly").person
    seen = []

    def probe(someone, *, since, now, previous):
        seen.append((someone, since))

    only_sections("probe", probe)
    run_scans("reminders", now=at(TUESDAY, 8))
    # Week 49 started on Monday 30 November; it reports from Monday 23 November.
    assert seen == [(person, datetime(2026, 11, 23, tzinfo=UTC))]
