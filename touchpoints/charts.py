"""Server-rendered SVG charts of KPI values against their target.

The geometry is computed here and drawn by ``templates/touchpoints/includes/kpi_chart.html``,
so a chart needs no JavaScript, prints, and can go into an e-mail digest. Every chart comes
with a data table of the same values: the chart is a picture of the table, not a replacement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

WIDTH = 560
HEIGHT = 220
LEFT = 56
RIGHT = 16
TOP = 18
BOTTOM = 36


def format_value(value) -> str:
    """A decimal without its trailing zeros (85.5000 -> 85.5); a dash for no value."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    return str(value)


def period_label(period: date, kind: str) -> str:
    """How a period reads on an axis and in a table: Q1 2026, Mar 2026, or 2 Mar 2026."""
    if kind == "quarterly":
        return _("Q%(quarter)s %(year)s") % {
            "quarter": (period.month - 1) // 3 + 1,
            "year": period.year,
        }
    if kind == "weekly":
        return date_format(period, "j M Y")
    return date_format(period, "M Y")


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


@dataclass
class ChartPoint:
    x: float
    y: float
    label: str
    value: str
    status: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    points: list[ChartPoint] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    target_y: float | None = None
    threshold_y: float | None = None
    target_label: str = ""
    threshold_label: str = ""
    summary: str = ""

    @property
    def center_x(self) -> float:
        return (self.left + self.right) / 2

    @property
    def line(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def x_labels(self) -> list[ChartPoint]:
        """Every point's period when they fit; otherwise every other one, and the last."""
        if len(self.points) <= 6:
            return self.points
        last = len(self.points) - 1
        return [p for i, p in enumerate(self.points) if (last - i) % 2 == 0]


def kpi_chart(kpi, measurements) -> Chart:
    """A line of the KPI's values (oldest first) with its target and at-risk threshold.

    ``measurements`` may come newest first (as the selector prefetches them); they are drawn
    in time order.
    """
    series = sorted(measurements, key=lambda m: m.period)
    chart = Chart()
    levels = [float(m.value) for m in series] + [float(kpi.target)]
    if kpi.at_risk_threshold is not None:
        levels.append(float(kpi.at_risk_threshold))
    low, high = min(levels), max(levels)
    if high == low:
        low, high = low - 1, high + 1
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if high - low < step * 2:
        high = low + step * 2

    plot_height = chart.bottom - chart.top
    plot_width = chart.right - chart.left

    def y_of(value: float) -> float:
        return chart.bottom - (value - low) / (high - low) * plot_height

    tick = low
    while tick <= high + step / 1000:
        chart.y_ticks.append((y_of(tick), format_value(Decimal(str(round(tick, 6))))))
        tick += step
    chart.target_y = y_of(float(kpi.target))
    chart.target_label = format_value(kpi.target)
    if kpi.at_risk_threshold is not None:
        chart.threshold_y = y_of(float(kpi.at_risk_threshold))
        chart.threshold_label = format_value(kpi.at_risk_threshold)

    count = len(series)
    for index, measurement in enumerate(series):
        x = (
            chart.left + plot_width / 2
            if count == 1
            else chart.left + index * plot_width / (count - 1)
        )
        chart.points.append(
            ChartPoint(
                x=x,
                y=y_of(float(measurement.value)),
                label=period_label(measurement.period, kpi.period),
                value=format_value(measurement.value),
                status=kpi.status_of(measurement.value),
            )
        )
    chart.summary = _summary(kpi, series)
    return chart


def _summary(kpi, series) -> str:
    facts = {
        "kpi": kpi.name,
        "unit": kpi.unit,
        "target": format_value(kpi.target),
        "count": len(series),
    }
    if not series:
        return _("%(kpi)s: no values yet; the target is %(target)s %(unit)s.") % facts
    first, last = series[0], series[-1]
    values = [m.value for m in series]
    facts.update(
        first=period_label(first.period, kpi.period),
        last=period_label(last.period, kpi.period),
        latest=format_value(last.value),
        low=format_value(min(values)),
        high=format_value(max(values)),
    )
    if len(series) == 1:
        return (
            _(
                "%(kpi)s: one value, %(latest)s %(unit)s for %(last)s, against a target of "
                "%(target)s %(unit)s."
            )
            % facts
        )
    return (
        _(
            "%(kpi)s: %(count)s values from %(first)s to %(last)s, between %(low)s and %(high)s "
            "%(unit)s; latest %(latest)s %(unit)s against a target of %(target)s %(unit)s."
        )
        % facts
    )
