"""Touchpoint health: a score from 0 to 100 that says, with reasons, how well a touchpoint is
governed and performing.

How the score is made (shown to people on the touchpoint page):

* Start at 100 and subtract one *penalty* per finding; never below 0.
* KPIs (this app): each active KPI whose latest value is **off target** costs 15 points, **at
  risk** 7 points; a KPI with no measurement in its last ``stale_after_periods`` periods is
  **stale** and costs 10 points (its old value is not judged); a touchpoint with no active KPI
  costs 10 points, because nothing about it is measured.
* Other apps add their findings through ``register_provider``: the charter adds vacant
  rights (10 points each) and contested rights (8 points each); later apps add overdue
  actions and open conflicts the same way.
* Band: **healthy** from 80, **watch** from 50, **at risk** below 50.

Providers work on a whole batch of touchpoints at once, so a list of touchpoints costs the same
number of queries whatever its length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

OFF_TARGET_POINTS = 15
AT_RISK_POINTS = 7
STALE_POINTS = 10
UNMEASURED_POINTS = 10
HEALTHY_FROM = 80
WATCH_FROM = 50


@dataclass(frozen=True)
class Penalty:
    points: int
    reason: str
    source: str  # "kpi", "charter", ...


@dataclass
class Health:
    penalties: list[Penalty] = field(default_factory=list)

    @property
    def score(self) -> int:
        return max(0, 100 - sum(p.points for p in self.penalties))

    @property
    def band(self) -> str:
        if self.score >= HEALTHY_FROM:
            return "healthy"
        if self.score >= WATCH_FROM:
            return "watch"
        return "at_risk"

    @property
    def band_label(self) -> str:
        return {"healthy": _("healthy"), "watch": _("watch"), "at_risk": _("at risk")}[self.band]


# A provider takes a list of touchpoints and returns {touchpoint id: [Penalty, ...]}.
Provider = Callable[[list], dict[int, list[Penalty]]]
_PROVIDERS: dict[str, Provider] = {}


def register_provider(name: str, provider: Provider) -> None:
    """Add a source of health findings (called from an app's ``AppConfig.ready``)."""
    _PROVIDERS[name] = provider


def period_start(day: date, period: str) -> date:
    """The first day of the period that contains ``day``."""
    if period == "weekly":
        return day - timedelta(days=day.weekday())
    if period == "quarterly":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return day.replace(day=1)


def periods_back(day: date, period: str, count: int) -> date:
    """The start of the period ``count`` periods before the one containing ``day``."""
    start = period_start(day, period)
    if period == "weekly":
        return start - timedelta(weeks=count)
    months = 3 * count if period == "quarterly" else count
    month_index = start.year * 12 + (start.month - 1) - months
    return date(month_index // 12, month_index % 12 + 1, 1)


def is_stale(latest_period: date | None, period: str, stale_after: int, today: date) -> bool:
    """No measurement for the current period or any of the ``stale_after - 1`` before it...

    Precisely: stale when the latest measured period starts before the start of the period
    ``stale_after`` periods ago. With monthly KPIs and ``stale_after=2``, on 15 March a KPI
    last measured for January is fresh, one last measured for December is stale.
    """
    if latest_period is None:
        return True
    return latest_period < periods_back(today, period, stale_after)


def kpi_rows(touchpoint_ids: Iterable[int]):
    """Active KPIs of these touchpoints with their latest value and period, in one query."""
    from touchpoints.models import Kpi, Measurement

    latest = Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period")
    return (
        Kpi.objects.active()
        .filter(touchpoint_id__in=list(touchpoint_ids))
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_period=Subquery(latest.values("period")[:1]),
        )
        .order_by("touchpoint_id", "name")
    )


def kpi_penalties(touchpoints: list, today: date | None = None) -> dict[int, list[Penalty]]:
    today = today or timezone.localdate()
    found: dict[int, list[Penalty]] = {tp.pk: [] for tp in touchpoints}
    measured: set[int] = set()
    for kpi in kpi_rows(found):
        measured.add(kpi.touchpoint_id)
        if is_stale(kpi.latest_period, kpi.period, kpi.stale_after_periods, today):
            reason = (
                _("%(kpi)s has never been measured") % {"kpi": kpi.name}
                if kpi.latest_period is None
                else _("%(kpi)s is stale: last measured for %(period)s")
                % {"kpi": kpi.name, "period": kpi.latest_period.isoformat()}
            )
            found[kpi.touchpoint_id].append(Penalty(STALE_POINTS, str(reason), "kpi"))
            continue
        status = kpi.status_of(kpi.latest_value)
        facts = {
            "kpi": kpi.name,
            "value": _number(kpi.latest_value),
            "target": f"{_number(kpi.target)} {kpi.unit}",
            "unit": kpi.unit,
        }
        if status == "off_target":
            found[kpi.touchpoint_id].append(
                Penalty(
                    OFF_TARGET_POINTS,
                    str(_("%(kpi)s is off target: %(value)s %(unit)s against %(target)s") % facts),
                    "kpi",
                )
            )
        elif status == "at_risk":
            found[kpi.touchpoint_id].append(
                Penalty(
                    AT_RISK_POINTS,
                    str(_("%(kpi)s is at risk: %(value)s %(unit)s against %(target)s") % facts),
                    "kpi",
                )
            )
    for tp in touchpoints:
        if tp.pk not in measured:
            found[tp.pk].append(
                Penalty(UNMEASURED_POINTS, str(_("No active KPI measures this touchpoint")), "kpi")
            )
    return found


def _number(value) -> str:
    if value is None:
        return "—"
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text


register_provider("kpi", kpi_penalties)


def health_for(touchpoints: list) -> dict[int, Health]:
    """Health of each touchpoint, keyed by id. A fixed number of queries per provider."""
    touchpoints = list(touchpoints)
    result = {tp.pk: Health() for tp in touchpoints}
    if not touchpoints:
        return result
    for provider in _PROVIDERS.values():
        for touchpoint_id, penalties in provider(touchpoints).items():
            result[touchpoint_id].penalties.extend(penalties)
    for health in result.values():
        health.penalties.sort(key=lambda p: -p.points)
    return result
