"""The dashboard's demo data for ``manage.py seed_demo`` (it runs last, after every app it
reads): the summary table brought up to date, this week's snapshot, and the weeks before it.

* The summary table and this week's snapshot are made by the jobs themselves
  (``touchpoint_summaries_refresh``, ``snapshot_take``), so the trend ends on the figures the
  dashboard shows.
* The ``PAST_WEEKS`` weeks before are reconstructed from the demo's own dated history
  (``headline.headline_figures`` at the same time of day, a week earlier each): the boards' and
  summits' demos date when decisions were logged and carried out, when items were created and
  done, when escalations were raised, so the overdue and escalation lines follow that story.
  The demo charter is granted in one go when seeded and has no history to rewind, so its
  figures (coverage, vacant and contested rights, open conflicts) are taken as they stand.
  Nothing random: the same demo gives the same trend.

The weekly job never does this: a week it did not run in stays absent. Idempotent: a week that
has its snapshot is left alone; on a later day the weeks since are added.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from engagement.dashboard.headline import ALL, headline_figures
from engagement.dashboard.models import DashboardSnapshot
from engagement.dashboard.services import (
    snapshot_rows,
    snapshot_take,
    touchpoint_summaries_refresh,
    week_of,
)

PAST_WEEKS = 7


def seed(*, stdout) -> list:
    now = timezone.now()
    refreshed = touchpoint_summaries_refresh(now=now)
    current = snapshot_take(now=now)
    this_week = week_of(timezone.localdate(now))
    taken = set(
        DashboardSnapshot.objects.filter(
            scope=ALL, week__gte=this_week - timedelta(weeks=PAST_WEEKS)
        ).values_list("week", flat=True)
    )
    rebuilt = 0
    for back in range(1, PAST_WEEKS + 1):
        moment = now - timedelta(weeks=back)
        week = week_of(timezone.localdate(moment))
        if week in taken:
            continue
        figures = headline_figures(now=now, moment=moment, charter_moment=None)
        DashboardSnapshot.objects.bulk_create(snapshot_rows(figures, week=week, taken_at=moment))
        rebuilt += 1
    stdout.write(
        f"Dashboard: {refreshed.touchpoints} touchpoints summarised; this week's snapshot "
        f"{'taken' if current.taken else 'already there'}; {rebuilt} earlier weeks rebuilt "
        "from the demo's history"
    )
    return []
