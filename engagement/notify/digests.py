"""Digests: one e-mail a day or a week per person, instead of single messages.

A digest has two parts: the messages the person chose to have held for it (their ledger rows
in "held for the digest"), and sections per role that the apps above register in their
``AppConfig.ready`` (notify must not import them): an owner sees what is due, a chair their
board's open items, conflicts and claims waiting, an executive the exceptions only.

A digest is itself a ledger row, keyed by person and period (``digest:daily:2026-11-23:u7``),
recorded with the held messages linked to it in one transaction, then delivered like any other
row: a scan that runs twice, or late, sends each period's digest once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.notify.models import Kind, Notification, Preference
from engagement.notify.scanning import Planned, Recorder, enqueue_delivery, recipient_label


@dataclass
class Line:
    text: str
    url: str = ""


@dataclass
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)
    # Figures that later digests compare against (e.g. charter coverage), kept in the ledger.
    figures: dict = field(default_factory=dict)


# (person, since, now, previous figures) -> Section or None when there is nothing to say
SectionBuilder = Callable[..., "Section | None"]


class SectionRegistry:
    def __init__(self):
        self.builders: dict[str, tuple[int, SectionBuilder]] = {}

    def register(self, name: str, build: SectionBuilder, order: int = 50) -> None:
        self.builders[name] = (order, build)

    def build(self, person, *, since: datetime, now: datetime, previous: dict) -> list[Section]:
        sections = []
        for _order, build in sorted(self.builders.values(), key=lambda item: item[0]):
            section = build(person, since=since, now=now, previous=previous)
            if section is not None:
                sections.append(section)
        return sections


sections = SectionRegistry()


def period_of(frequency: str, now: datetime) -> tuple[str, datetime] | None:
    """The digest period due at ``now`` (its key and its start), or None before the hour."""
    local = timezone.localtime(now)
    if local.hour < settings.NOTIFY_DIGEST_HOUR:
        return None
    day = local.date()
    if frequency == Preference.Frequency.DAILY:
        start = day - timedelta(days=1)
        return f"daily:{day.isoformat()}", _start_of(start)
    if frequency == Preference.Frequency.WEEKLY:
        year, week, weekday = day.isocalendar()
        monday = day - timedelta(days=weekday - 1)
        return f"weekly:{year}-W{week:02d}", _start_of(monday - timedelta(days=7))
    return None


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def scan_digests(recorder: Recorder) -> None:
    """Record each person's digest for the current period, once."""
    people = (
        get_user_model()
        .objects.filter(is_active=True, notification_preference__digest__in=("daily", "weekly"))
        .select_related("notification_preference")
        .order_by("id")
    )
    for person in people:
        period = period_of(person.notification_preference.digest, recorder.now)
        if period is None:
            continue
        key, since = period
        dedupe_key = f"digest:{key}:u{person.pk}"
        if Notification.objects.filter(dedupe_key=dedupe_key).exists():
            recorder.already += 1
            continue
        _record_digest(recorder, person, dedupe_key, since)


def _record_digest(recorder: Recorder, person, dedupe_key: str, since: datetime) -> None:
    previous = (
        Notification.objects.filter(recipient=person, kind=Kind.DIGEST)
        .order_by("-created_at")
        .values_list("data", flat=True)
        .first()
        or {}
    )
    held = list(
        Notification.objects.filter(
            recipient=person, status=Notification.Status.IN_DIGEST, digest__isnull=True
        ).order_by("created_at", "id")
    )
    built = sections.build(
        person, since=since, now=recorder.now, previous=previous.get("figures", {})
    )
    if held:
        built.insert(
            0,
            Section(
                _("Since your last digest"),
                [Line(row.title, row.url) for row in held],
            ),
        )
    if not built:
        return
    title = _("Your governance digest, %(date)s") % {
        "date": timezone.localdate(recorder.now).strftime("%d %b %Y")
    }
    context = {"sections": built, "person": person}
    figures = {k: v for s in built for k, v in s.figures.items()}
    data = {
        "figures": figures,
        "sections": [
            {"title": s.title, "lines": [{"text": ln.text, "url": ln.url} for ln in s.lines]}
            for s in built
        ],
    }
    if recorder.dry_run:
        recorder.planned.append(Planned(recipient_label(person), Kind.DIGEST, title, dedupe_key))
        return
    with transaction.atomic():
        digest, created = Notification.objects.get_or_create(
            dedupe_key=dedupe_key,
            defaults={
                "kind": Kind.DIGEST,
                "recipient": person,
                "title": title,
                "body": render_to_string("notify/digest.txt", context),
                "url": reverse("notify:inbox"),
                "data": data,
                "created_at": recorder.now,
            },
        )
        if not created:  # another scan recorded it first
            recorder.already += 1
            return
        Notification.objects.filter(id__in=[h.id for h in held], digest__isnull=True).update(
            digest=digest
        )
        transaction.on_commit(enqueue_delivery)
    recorder.recorded += 1
