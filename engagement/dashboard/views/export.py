"""The dashboard's figures as CSV rows: one row per number the page shows, with the filters
it was counted under and the address of the rows behind it.

Columns: section, figure, breakdown (a board, function, stage, right, age... or blank for
the figure itself), value, note (what the number needs to be read right), and the link.
Rows are made while the response streams, in the request's language (``csv_export.stream``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from engagement.dashboard.figures import DashboardSummary, Link
from engagement.dashboard.views.forms import PERIOD_LABELS


def header() -> list[str]:
    return [_("Section"), _("Figure"), _("Breakdown"), _("Value"), _("Note"), _("Link")]


def kpi_labels() -> dict[str, str]:
    return {
        "on_target": _("on target"),
        "at_risk": _("at risk"),
        "off_target": _("off target"),
        "stale": _("stale"),
    }


def age_labels() -> dict[str, str]:
    return {
        "under_7": _("under 7 days"),
        "7_to_30": _("7 to 30 days"),
        "over_30": _("over 30 days"),
    }


def filter_word(name: str) -> str:
    return {"function": _("function"), "stage": _("journey stage"), "board": _("board")}[name]


class _Rows:
    """Builds rows for one section at a time."""

    def __init__(self, absolute: Callable[[str], str]):
        self.absolute = absolute
        self.section = ""

    def __call__(self, figure, value, *, part="", note="", link: Link | None = None) -> list:
        notes = [note] if note else []
        if link is not None and link.unapplied:
            words = ", ".join(filter_word(name) for name in link.unapplied)
            notes.append(_("the linked list cannot filter by %(filters)s") % {"filters": words})
        address = self.absolute(link.url) if link is not None else ""
        return [
            self.section,
            figure,
            part,
            "" if value is None else value,
            "; ".join(notes),
            address,
        ]


def figure_rows(summary: DashboardSummary, absolute: Callable[[str], str]) -> Iterator[list]:
    """Every figure of ``summary``; ``absolute`` turns a path into a full address."""
    row = _Rows(absolute)
    filters = summary.filters
    every = _("all")

    row.section = _("Filters")
    yield row(_("Function"), filters.function.name if filters.function else every)
    yield row(_("Journey stage"), filters.stage.name if filters.stage else every)
    yield row(_("Board"), filters.board.name if filters.board else every)
    period = _("from %(since)s to %(today)s") % {"since": summary.since, "today": summary.today}
    yield row(_("Period"), str(PERIOD_LABELS.get(filters.period, filters.period)), note=period)

    coverage = summary.coverage
    c = coverage.summary
    row.section = _("Charter coverage")
    held = _("%(held)s of %(total)s rights") % {"held": c.held, "total": c.rights_total}
    yield row(_("Rights held (%)"), c.percent, note=held, link=coverage.link)
    yield row(_("Touchpoints"), c.touchpoints, link=coverage.link)
    yield row(_("Vacant rights"), c.vacant, link=coverage.vacant_link)
    for right in c.by_right:
        yield row(
            _("Vacant rights"),
            right.vacant,
            part=capfirst(right.right.label),
            link=coverage.vacant_link,
        )
    yield row(_("Contested rights"), c.contested, link=coverage.contested_link)
    yield row(_("Claims waiting"), c.pending_claims)

    conflicts = summary.conflicts
    row.section = _("Open conflicts")
    yield row(_("Open conflicts"), conflicts.total, link=conflicts.link)
    for key, label in age_labels().items():
        yield row(_("By age"), conflicts.by_age[key], part=label, link=conflicts.link)
    yield row(_("On touchpoints no board governs"), conflicts.ungoverned, link=conflicts.link)
    for b in conflicts.by_board:
        old = _("%(n)s open over 30 days") % {"n": b.extra.get("over_30", 0)}
        yield row(_("By board"), b.count, part=b.label, note=old, link=b.link)

    for section, figure in (
        (_("Overdue decisions"), summary.overdue_decisions),
        (_("Overdue action items"), summary.overdue_actions),
    ):
        row.section = section
        yield row(section, figure.total, link=figure.link)
        for b in figure.by_board:
            yield row(_("By board"), b.count, part=b.label, link=b.link)
        for f in figure.by_function:
            yield row(_("By function"), f.count, part=f.label or _("No function"), link=f.link)

    cadence = summary.cadence
    row.section = _("Board cadence")
    share = cadence.held_share
    yield row(_("Meetings planned"), cadence.planned)
    yield row(
        _("Meetings held"),
        cadence.held,
        note="" if share is None else _("%(share)s%% of those planned") % {"share": share},
    )
    yield row(_("Meetings cancelled"), cadence.cancelled)
    latency = _("Decision latency (median days)")
    decided = _("over %(n)s conflicts decided")
    yield row(latency, cadence.latency_days, note=decided % {"n": cadence.decided_conflicts})
    for b in cadence.boards:
        h = b.health
        planned = _("of %(planned)s planned") % {"planned": h.planned}
        name = b.board.name
        yield row(_("Meetings held"), h.held, part=name, note=planned, link=b.link)
        yield row(latency, h.latency_days, part=name, note=decided % {"n": h.decided_conflicts})

    escalations = summary.ceo_escalations
    row.section = _("Escalations waiting for the CEO")
    yield row(row.section, escalations.total, link=escalations.link)
    for b in escalations.by_body:
        yield row(_("By body"), b.count, part=b.label, link=b.link)

    row.section = _("KPI status")
    labels = kpi_labels()
    for status, label in labels.items():
        yield row(label, summary.kpi_status.totals[status])
    for stage in summary.kpi_status.stages:
        for status, label in labels.items():
            yield row(label, stage.counts[status], part=stage.stage.name, link=stage.link)

    row.section = _("Touchpoints most at risk")
    for t in summary.at_risk:
        yield row(
            _("Health score"), t.score, part=t.touchpoint.name, note="; ".join(t.reasons),
            link=t.link,
        )  # fmt: skip

    summits = summary.summits
    row.section = _("Summit action completion")
    done = _("%(done)s of %(committed)s items committed, %(overdue)s overdue")
    total = summits.total
    counts = {"done": total.done, "committed": total.committed, "overdue": total.overdue}
    yield row(_("Done (%)"), total.rate, note=done % counts, link=summits.link)
    for s in summits.summits:
        c = s.completion
        counts = {"done": c.done, "committed": c.committed, "overdue": c.overdue}
        yield row(_("Done (%)"), c.rate, part=s.summit.title, note=done % counts, link=s.link)
