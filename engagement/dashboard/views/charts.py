"""Small server-drawn charts of the dashboard: one sparkline per headline figure over the
weekly snapshots. Only coordinates are made here; the template draws the SVG and the table
with the same numbers beside it, and says in words what the line shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from engagement.dashboard.figures import TrendPoint

WIDTH = 240
HEIGHT = 56
PAD = 6

# The snapshot's figures a sparkline is drawn for: attribute, label, and whether a rise is
# good news (coverage) or bad (every count of things left undone).
SERIES = (
    ("coverage_percent", _("Rights held (%)"), True),
    ("vacant", _("Vacant rights"), False),
    ("open_conflicts", _("Open conflicts"), False),
    ("overdue_decisions", _("Overdue decisions"), False),
    ("overdue_actions", _("Overdue action items"), False),
    ("ceo_escalations", _("Escalations waiting for the CEO"), False),
)


@dataclass
class Dot:
    x: float
    y: float
    week: date
    value: int


@dataclass
class Sparkline:
    key: str
    label: str
    rise_is_good: bool
    dots: list[Dot]
    first: Dot | None
    last: Dot | None
    low: int | None
    high: int | None

    @property
    def line(self) -> str:
        return " ".join(f"{d.x:.1f},{d.y:.1f}" for d in self.dots)

    @property
    def change(self) -> int:
        return (self.last.value - self.first.value) if self.first and self.last else 0

    @property
    def direction(self) -> str:
        """ "better", "worse" or "same" since the first snapshot shown."""
        if not self.change:
            return "same"
        return "better" if (self.change > 0) == self.rise_is_good else "worse"

    @property
    def abs_change(self) -> int:
        return abs(self.change)


def sparklines(trend: list[TrendPoint]) -> list[Sparkline]:
    """A sparkline per figure over ``trend`` (oldest first), each scaled to its own range:
    the text beside it gives the values, the line only their shape."""
    return [_sparkline(trend, key, label, good) for key, label, good in SERIES]


def _sparkline(trend: list[TrendPoint], key: str, label, rise_is_good: bool) -> Sparkline:
    known = [(i, p.week, getattr(p, key)) for i, p in enumerate(trend)]
    known = [(i, week, v) for i, week, v in known if v is not None]
    values = [v for *_, v in known]
    low, high = (min(values), max(values)) if values else (None, None)
    span = (len(trend) - 1) or 1
    dots = []
    for i, week, value in known:
        x = PAD + (WIDTH - 2 * PAD) * (i / span if len(trend) > 1 else 0.5)
        if high == low:
            y = HEIGHT / 2
        else:
            y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - low) / (high - low)
        dots.append(Dot(x=x, y=y, week=week, value=value))
    return Sparkline(
        key=key,
        label=label,
        rise_is_good=rise_is_good,
        dots=dots,
        first=dots[0] if dots else None,
        last=dots[-1] if dots else None,
        low=low,
        high=high,
    )
