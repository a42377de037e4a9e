"""Write use cases of the dashboard: the jobs that keep its own tables.

Both are derived data, taken from the other apps' records, so they are not audited as
governance changes; both are safe to run again and to run twice at once.

* ``touchpoint_summaries_refresh`` brings the summary tables (``TouchpointSummary``, a batch
  of touchpoints at a time, and the stages of pending decisions and items) up to date with
  the records, and notes when (``SummaryRefresh``).
* ``snapshot_take`` records this week's headline figures for every scope
  (``DashboardSnapshot``), once per week.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from boards.models import Decision
from engagement.dashboard.headline import ALL, Headline, headline_figures
from engagement.dashboard.models import (
    ActionItemStage,
    DashboardSnapshot,
    DecisionStage,
    SummaryRefresh,
    TouchpointSummary,
)
from engagement.dashboard.summaries import FIGURES, differs, summarise
from summits.models import ActionItem
from touchpoints.models import Touchpoint

logger = logging.getLogger(__name__)

SUMMARY_BATCH = 2000
REFRESHES_KEPT_DAYS = 30


def week_of(day: date) -> date:
    """The Monday of the ISO week ``day`` falls in."""
    return day - timedelta(days=day.weekday())


# --- The summary table ---------------------------------------------------------------------------


@dataclass
class RefreshReport:
    touchpoints: int = 0
    changed: int = 0  # touchpoint rows written
    removed: int = 0  # touchpoint rows removed
    stages_changed: int = 0  # rows of the stages of pending items added or removed
    finished_at: datetime | None = None


def touchpoint_summaries_refresh(*, now: datetime | None = None) -> RefreshReport:
    """Bring every touchpoint's summary row in line with the records: one row per touchpoint
    open for claims (not archived, not retired), written only when its figures changed; rows
    of touchpoints no longer open are removed. Then the stages of the decisions still to be
    carried out and of the open action items (``DecisionStage``, ``ActionItemStage``). Then
    record the refresh, whose time the dashboard shows as the freshness of the figures it
    reads from these tables.

    Batches of ``SUMMARY_BATCH`` touchpoints by id (keyset), each in its own transaction, so
    memory stays flat and a refresh stopped midway leaves every row it wrote correct. Two
    refreshes at once write the same figures; the last one wins.
    """
    started = timezone.now()
    now = now or started
    today = timezone.localdate(now)
    report = RefreshReport()
    open_touchpoints = Touchpoint.objects.open_for_claims()
    last = 0
    while True:
        batch = list(
            open_touchpoints.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "stage_id", "priority")[:SUMMARY_BATCH]
        )
        if not batch:
            break
        last = batch[-1].pk
        rows = summarise(batch, now=now, today=today)
        with transaction.atomic():
            # The stored figures as plain tuples, between the batch's first and last ids.
            stored = {
                pk: figures
                for pk, *figures in TouchpointSummary.objects.filter(
                    pk__gte=batch[0].pk, pk__lte=last
                ).values_list("pk", *FIGURES)
            }
            changed = [row for pk, row in rows.items() if differs(stored.get(pk), row)]
            TouchpointSummary.objects.bulk_create(
                changed, update_conflicts=True, unique_fields=["touchpoint"],
                update_fields=[*FIGURES, "changed_at"],
            )  # fmt: skip
        report.touchpoints += len(batch)
        report.changed += len(changed)
    report.stages_changed = _item_stages_refresh(
        DecisionStage, Decision.objects.pending(), "decision"
    ) + _item_stages_refresh(ActionItemStage, ActionItem.objects.open(), "item")
    with transaction.atomic():
        report.removed, _ = TouchpointSummary.objects.exclude(
            touchpoint__in=open_touchpoints.values("pk")
        ).delete()
        report.finished_at = timezone.now()
        SummaryRefresh.objects.create(
            started_at=started, finished_at=report.finished_at, touchpoints=report.touchpoints,
            changed=report.changed, removed=report.removed,
        )  # fmt: skip
        SummaryRefresh.objects.filter(
            finished_at__lt=report.finished_at - timedelta(days=REFRESHES_KEPT_DAYS)
        ).delete()
    logger.info(
        "Touchpoint summaries: %d touchpoints, %d changed, %d removed; %d item stages changed",
        report.touchpoints, report.changed, report.removed, report.stages_changed,
    )  # fmt: skip
    return report


def _item_stages_refresh(model, items, field: str) -> int:
    """Bring a stages table (``DecisionStage``, ``ActionItemStage``) in line with the pending
    ``items``: one row per (item, stage of one of its touchpoints); rows of items no longer
    pending, or links gone, are removed. Returns the rows added and removed."""
    wanted = set(
        items.filter(touchpoints__isnull=False)
        .order_by()
        .values_list("pk", "touchpoints__stage")
        .distinct()
    )
    stored = {
        (item, stage): pk
        for pk, item, stage in model.objects.values_list("pk", f"{field}_id", "stage_id")
    }
    new = [
        model(**{f"{field}_id": item, "stage_id": stage}) for item, stage in wanted - stored.keys()
    ]
    gone = [pk for pair, pk in stored.items() if pair not in wanted]
    with transaction.atomic():
        model.objects.bulk_create(new, batch_size=SUMMARY_BATCH, ignore_conflicts=True)
        for start in range(0, len(gone), SUMMARY_BATCH):
            model.objects.filter(pk__in=gone[start : start + SUMMARY_BATCH]).delete()
    return len(new) + len(gone)


# --- The weekly snapshot -------------------------------------------------------------------------


@dataclass
class SnapshotReport:
    week: date
    taken: int = 0  # rows written (0 when the week was taken before, or in a dry run)
    already: bool = False  # this week was taken before: nothing was computed
    dry_run: bool = False
    rows: list[DashboardSnapshot] = field(default_factory=list)  # written, or that would be


def snapshot_rows(figures: dict, *, week: date, taken_at: datetime) -> list[DashboardSnapshot]:
    """Unsaved snapshot rows for the figures of each scope (``headline_figures``)."""
    rows = []
    for key, headline in figures.items():
        # The scope's kind names its field: function, stage or board (none for the whole).
        named = {f"{key.kind}_id": key.pk} if key.kind != ALL else {}
        rows.append(
            DashboardSnapshot(
                week=week, scope=key.kind, taken_at=taken_at, **named, **_trend_fields(headline)
            )
        )
    return rows


def _trend_fields(headline: Headline) -> dict:
    return {
        "coverage_percent": headline.coverage_percent,
        "vacant": headline.vacant,
        "contested": headline.contested,
        "open_conflicts": headline.open_conflicts,
        "overdue_decisions": headline.overdue_decisions,
        "overdue_actions": headline.overdue_actions,
        "ceo_escalations": headline.ceo_escalations,
    }


def snapshot_take(*, now: datetime | None = None, dry_run: bool = False) -> SnapshotReport:
    """Record the headline figures of the current ISO week (the week of ``now``) for the whole
    organisation and each active function, journey stage and board, as an executive sees
    them (``headline.headline_figures``: a fixed number of grouped queries, not one dashboard
    per scope).

    Idempotent: once the week's row for the whole organisation exists, the week is taken and
    nothing is computed again, so the beat may run this often; two runs at once are kept
    apart by that row's unique constraint (the second waits, then finds the week taken). A
    week the job did not run in stays absent: nothing is filled in afterwards. The week's
    rows are written together or not at all. A dry run computes and returns the rows and
    writes nothing.
    """
    now = now or timezone.now()
    week = week_of(timezone.localdate(now))
    report = SnapshotReport(week=week, dry_run=dry_run)
    taken = DashboardSnapshot.objects.filter(week=week, scope=ALL)
    if taken.exists():
        report.already = True
        return report
    report.rows = snapshot_rows(headline_figures(now=now), week=week, taken_at=now)
    if dry_run:
        return report
    whole = next(row for row in report.rows if row.scope == ALL)
    scopes = [row for row in report.rows if row is not whole]
    with transaction.atomic():
        try:
            with transaction.atomic():
                whole.save(force_insert=True)
        except IntegrityError:
            # Another run took the week between our look and our write.
            report.already, report.rows = True, []
            return report
        DashboardSnapshot.objects.bulk_create(scopes, batch_size=1000)
    report.taken = len(report.rows)
    logger.info("Dashboard snapshot of the week of %s: %d scopes", week, report.taken)
    return report
