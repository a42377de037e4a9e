"""Scanners: periodic jobs that read what is due from the database and record notifications.

Each app that has something coming due registers a scanner in its ``AppConfig.ready``
(``scanners.register("reminders", "decisions", scan_decision_reminders)``); notify must not
import the apps above it, so it only runs what was registered. A scanner reads its candidates
in keyset-paginated chunks (``keyset_chunks``) and hands each chunk's alerts to the
``Recorder``, which writes the ledger rows under their dedupe keys in one transaction per
chunk. It never compares a date for equality: it looks for what is due *by now* and not yet
recorded, so a day of downtime is caught up, not skipped, and a second run finds nothing new.

Delivery is a separate step (``engagement.notify.delivery``): recording enqueues it after the
commit, and the beat runs it every minute as well.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import BigIntegerField, CharField, DateTimeField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from engagement.notify import rules
from engagement.notify.models import ChatWebhook, Notification
from engagement.notify.rules import Rung

logger = logging.getLogger(__name__)

GROUPS = ("reminders", "escalations")


@dataclass(frozen=True)
class Alert:
    """Something to tell: one event, to some people and to the chat channels that follow it.

    ``event`` identifies the occurrence ("decision:12:due:2026-12-01:remind:7"); each
    recipient's ledger row is keyed ``<event>:u<person id>`` and each channel's
    ``<event>:h<webhook id>``, so the same event reaches each of them once.
    """

    event: str
    kind: str
    title: str
    recipients: tuple[int, ...]
    subject: tuple[int, int] | None = None  # (content type id, object id)
    body: str = ""
    url: str = ""
    data: dict = field(default_factory=dict)
    follows: tuple[tuple[int, int], ...] = ()  # (content type id, id) of a board or function


def sql_text(template: str, **parts):
    """A translated sentence as one SQL text expression, its placeholders filled from
    expressions: ``sql_text(_("“%(title)s” is due"), title=F("title"))``. Translated once
    per scan, in Python; the database fills in each row."""
    marker = "\x00"
    text = template % {name: f"{marker}{name}{marker}" for name in parts}
    pieces = []
    for index, piece in enumerate(text.split(marker)):
        if index % 2:
            pieces.append(parts[piece])
        elif piece:
            pieces.append(Value(piece))
    if len(pieces) == 1:
        return pieces[0]
    return Concat(*pieces, output_field=CharField())


def content_type_id(model) -> int:
    """The content type id of a model (cached by Django after the first call)."""
    return ContentType.objects.get_for_model(model, for_concrete_model=False).id


def keyset_chunks(queryset, *, size: int = 1000) -> Iterator[list]:
    """Rows of a ``values_list`` queryset whose first column is ``id``, ``size`` at a time.

    Keyset pagination (``id > last``) reads each chunk with an index seek, however far in,
    and never skips or repeats a row when earlier rows stop matching between chunks.
    """
    last = None
    while True:
        page = queryset.order_by("id")
        if last is not None:
            page = page.filter(id__gt=last)
        rows = list(page[:size])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def recipient_label(person) -> str:
    """Whom a planned message goes to, as a dry run prints it."""
    return f"{person} <{person.email or 'no e-mail'}>"


@dataclass
class Planned:
    """A ledger row a dry run would write."""

    recipient: str
    kind: str
    title: str
    dedupe_key: str


class Recorder:
    """Writes the ledger rows for a scan, chunk by chunk; or, in a dry run, lists them."""

    def __init__(self, *, now: datetime | None = None, dry_run: bool = False):
        self.now = now or timezone.now()
        self.today: date = timezone.localdate(self.now)
        self.dry_run = dry_run
        self.recorded = 0
        self.already = 0
        self.planned: list[Planned] = []
        self._webhooks: dict[tuple[int, int], list[ChatWebhook]] | None = None

    @property
    def webhooks(self) -> dict[tuple[int, int], list[ChatWebhook]]:
        """The active chat channels by what they follow, (type, id); read once per scan."""
        if self._webhooks is None:
            self._webhooks = defaultdict(list)
            for hook in ChatWebhook.objects.filter(is_active=True):
                self._webhooks[(hook.follows_type_id, hook.follows_id)].append(hook)
        return self._webhooks

    def rows_for(self, alerts: Iterable[Alert]) -> list[Notification]:
        rows: dict[str, Notification] = {}
        for alert in alerts:
            common = {
                "kind": alert.kind,
                "title": alert.title[:300],
                "body": alert.body,
                "url": alert.url[:500],
                "data": alert.data,
                "created_at": self.now,
                "subject_type_id": alert.subject[0] if alert.subject else None,
                "subject_id": alert.subject[1] if alert.subject else None,
            }
            for person_id in alert.recipients:
                if person_id is None:
                    continue
                key = f"{alert.event}:u{person_id}"
                rows.setdefault(key, Notification(dedupe_key=key, recipient_id=person_id, **common))
            for follows in alert.follows:
                for hook in self.webhooks.get(follows, ()):
                    if hook.posts(alert.kind):
                        key = f"{alert.event}:h{hook.pk}"
                        rows.setdefault(key, Notification(dedupe_key=key, webhook=hook, **common))
        return list(rows.values())

    def add(self, alerts: Iterable[Alert]) -> list[Notification]:
        """Record the alerts' rows not recorded yet; returns the new rows (planned, in a dry
        run), without primary keys: ``ignore_conflicts`` cannot return them on every
        database. Call inside the chunk's transaction when the chunk also changes the items."""
        rows = self.rows_for(alerts)
        if not rows:
            return []
        keys = [row.dedupe_key for row in rows]
        existing = set(
            Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
        )
        new = [row for row in rows if row.dedupe_key not in existing]
        self.already += len(rows) - len(new)
        if self.dry_run:
            self._plan(new)
            return new
        # The unique key is the guard; the lookup above only keeps the counts honest and
        # spares the database rows it would refuse. A concurrent scan may still insert the
        # same key between the two statements: the database keeps one.
        with transaction.atomic():
            Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
            transaction.on_commit(enqueue_delivery)
        self.recorded += len(new)
        return new

    def add_select(
        self,
        items,
        *,
        event,
        kind: str,
        recipient,
        title,
        body,
        url,
        data,
        subject_type: int,
        follows: Iterable[tuple[int, str]] = (),
        expected: int | None = None,
    ) -> int:
        """Record a row for each item of ``items`` (a queryset: one chunk) in one statement,
        ``INSERT … SELECT … ON CONFLICT (dedupe_key) DO NOTHING``; returns the rows recorded.

        The set-based twin of ``add`` for scans over many items (reminders): the database
        builds the rows from expressions over the items (``event``, ``recipient``, ``title``,
        ``body``, ``url``, ``data``; see ``sql_text`` for translated sentences), so no row
        crosses into Python. ``follows`` names, per followed type, the item's field holding
        the followed id: ``[(content_type_id(Board), "board_id")]``; chat channels following
        that board get their own row. ``expected`` is how many people's rows the chunk holds
        (one per item): the ones not recorded now were recorded before, for the report."""
        recorded = self._insert_select(
            items.annotate(_notify_recipient=recipient).filter(_notify_recipient__isnull=False),
            key=Concat(event, Value(":u"), Cast(F("_notify_recipient"), CharField())),
            kind=kind, recipient=F("_notify_recipient"), webhook=None, title=title, body=body,
            url=url, data=data, subject_type=subject_type,
        )  # fmt: skip
        if expected is not None and not self.dry_run:
            self.already += max(expected - recorded, 0)
        for follows_type, field_name in follows:
            for (hook_type, hook_id), hooks in self.webhooks.items():
                if hook_type != follows_type:
                    continue
                for hook in hooks:
                    if hook.posts(kind):
                        recorded += self._insert_select(
                            items.filter(**{field_name: hook_id}),
                            key=Concat(event, Value(f":h{hook.pk}")),
                            kind=kind, recipient=None, webhook=hook.pk, title=title,
                            body=body, url=url, data=data, subject_type=subject_type,
                        )  # fmt: skip
        return recorded

    def _insert_select(self, items, *, key, kind, recipient, webhook, title, body, url, data,
                       subject_type) -> int:  # fmt: skip
        def null(field):
            return Cast(Value(None), field)

        columns = {
            "dedupe_key": key,
            "kind": Value(kind),
            "recipient_id": recipient if recipient is not None else null(BigIntegerField()),
            "webhook_id": Value(webhook) if webhook is not None else null(BigIntegerField()),
            "subject_type_id": Value(subject_type),
            "subject_id": F("id"),
            "title": title,
            "body": body,
            "url": url,
            "data": data,
            "created_at": Value(self.now, DateTimeField()),
            "read_at": null(DateTimeField()),
            "status": Value(Notification.Status.PENDING),
            "attempts": Value(0),
            "next_attempt_at": null(DateTimeField()),
            "delivered_at": null(DateTimeField()),
            "reason": Value(""),
            "digest_id": null(BigIntegerField()),
        }
        names = {column: f"_notify_{column}" for column in columns}
        select = items.annotate(**{names[c]: e for c, e in columns.items()}).order_by()
        if self.dry_run:
            rows = list(
                select.values_list(names["dedupe_key"], names["title"], names["recipient_id"])
            )
            existing = set(
                Notification.objects.filter(dedupe_key__in=[r[0] for r in rows]).values_list(
                    "dedupe_key", flat=True
                )
            )
            new = [r for r in rows if r[0] not in existing]
            self.already += len(rows) - len(new)
            people = get_user_model().objects.in_bulk({r[2] for r in new if r[2]})
            for key_, title_, person_id in new:
                person = people.get(person_id)
                who = recipient_label(person) if person else f"chat channel #{webhook}"
                self.planned.append(Planned(who, kind, title_, key_))
            return len(new)
        sql, params = select.values_list(*names.values()).query.sql_with_params()
        quote = connection.ops.quote_name
        statement = (
            f"INSERT INTO {quote(Notification._meta.db_table)} "
            f"({', '.join(quote(c) for c in columns)}) {sql} "
            f"ON CONFLICT ({quote('dedupe_key')}) DO NOTHING"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
            recorded = max(cursor.rowcount, 0)
            if recorded:
                transaction.on_commit(enqueue_delivery)
        self.recorded += recorded
        return recorded

    def _plan(self, rows: list[Notification]) -> None:
        people = get_user_model().objects.in_bulk(
            {row.recipient_id for row in rows if row.recipient_id}
        )
        for row in rows:
            if row.recipient_id:
                person = people.get(row.recipient_id)
                who = recipient_label(person) if person else "?"
            else:
                who = f"chat: {row.webhook}"
            self.planned.append(Planned(who, row.kind, row.title, row.dedupe_key))


@dataclass(frozen=True)
class Step:
    """One rung climbed by one item in an escalation scan."""

    row: dict  # the item's fields, read under the chunk's lock
    rung: Rung
    days: int  # days overdue (or open) when climbed
    level_before: int


def climb_ladders(
    recorder: Recorder,
    items,
    *,
    fields: Iterable[str],
    rungs: list[Rung],
    days_of: Callable[[dict], int],
    alerts_for: Callable[[list[Step]], list[Alert]],
    since_due: bool = True,
    raised: Callable[[Rung], dict] = lambda rung: {},
    record: Callable[[list[Step]], None] = lambda steps: None,
) -> list[Step]:
    """One chunk of an escalation scan, in one transaction; the steps climbed.

    ``items`` (a queryset of one chunk's candidates, with ``escalation_level`` and
    ``escalated_at``) are locked and read, so a second scan running at once waits, then
    reads the levels this one set: each rung is climbed once. Every rung due is climbed in
    order from the item's level (``rules.rungs_due``: none skipped, each its own step),
    ``alerts_for(steps)`` says whom to tell, the ledger rows are recorded, each item's level
    is raised to its highest rung (plus the fields ``raised(rung)`` gives), and
    ``record(steps)`` writes the app's own trace of the climb (a timeline, the audit log).
    A dry run locks, raises and records nothing; it plans the alerts.
    """
    with transaction.atomic():
        query = items.order_by("id")
        if not recorder.dry_run:
            query = query.select_for_update(of=("self",))
        steps = []
        for row in query.values("id", "escalation_level", *fields):
            days, level = days_of(row), row["escalation_level"]
            for rung in rules.rungs_due(level, days, rungs, since_due=since_due):
                steps.append(Step(row, rung, days, level))
                level = rung.level
        if not steps:
            return []
        recorder.add(alerts_for(steps))
        if recorder.dry_run:
            return steps
        highest = {step.row["id"]: step.rung for step in steps}
        by_rung: dict[Rung, list[int]] = defaultdict(list)
        for pk, rung in highest.items():
            by_rung[rung].append(pk)
        for rung, pks in by_rung.items():
            items.model.objects.filter(id__in=pks, escalation_level__lt=rung.level).update(
                escalation_level=rung.level, escalated_at=recorder.now, **raised(rung)
            )
        record(steps)
    return steps


def enqueue_delivery() -> None:
    from engagement.notify.tasks import deliver_notifications

    try:
        deliver_notifications.delay()
    except Exception:
        # The beat runs delivery every minute anyway; recording must not fail for this.
        logger.warning("Could not enqueue delivery; the scheduled run will send", exc_info=True)


# --- The registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scanner:
    group: str
    name: str
    scan: Callable[[Recorder], None]


class ScannerRegistry:
    def __init__(self):
        self.scanners: dict[tuple[str, str], Scanner] = {}

    def register(self, group: str, name: str, scan: Callable[[Recorder], None]) -> None:
        if group not in GROUPS:
            raise ValueError(f"unknown scanner group {group!r}; use one of {GROUPS}")
        self.scanners[(group, name)] = Scanner(group, name, scan)

    def of(self, group: str) -> list[Scanner]:
        return [s for (g, _), s in sorted(self.scanners.items()) if g == group]


scanners = ScannerRegistry()


@dataclass
class ScanReport:
    group: str
    recorders: dict[str, Recorder]

    @property
    def recorded(self) -> int:
        return sum(r.recorded for r in self.recorders.values())

    @property
    def planned(self) -> list[Planned]:
        return [p for r in self.recorders.values() for p in r.planned]


def run_scans(group: str, *, now: datetime | None = None, dry_run: bool = False) -> ScanReport:
    """Run every scanner of a group once; each is idempotent, so running again is harmless."""
    now = now or timezone.now()
    report = ScanReport(group, {})
    for scanner in scanners.of(group):
        recorder = Recorder(now=now, dry_run=dry_run)
        scanner.scan(recorder)
        report.recorders[scanner.name] = recorder
        logger.info(
            "Scan %s/%s: %d recorded, %d already recorded%s",
            group, scanner.name, recorder.recorded, recorder.already,
            " (dry run)" if dry_run else "",
        )  # fmt: skip
    return report
