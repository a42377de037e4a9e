"""The rules the scanners follow, read from the tables the administrator edits.

Pure functions decide what is due from dates, so the scanners and their tests share one
answer: ``reminder_lead`` (which reminder an item coming due should have had by today) and
``rungs_due`` (which rungs of its ladder an overdue item should have climbed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, CharField, IntegerField, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from engagement.notify.models import EscalationRule, ReminderRule


@dataclass(frozen=True)
class Rung:
    level: int
    after_days: int
    audience: str


def reminder_leads(subject: str) -> list[int]:
    """Active lead times for a subject, largest first (e.g. [7, 2, 0])."""
    return sorted(
        set(
            ReminderRule.objects.filter(subject=subject, is_active=True).values_list(
                "lead_days", flat=True
            )
        ),
        reverse=True,
    )


def ladder(subject: str) -> list[Rung]:
    """The active rungs of a subject's ladder, lowest first."""
    rows = EscalationRule.objects.filter(subject=subject, is_active=True).order_by("level")
    return [Rung(r.level, r.after_days, r.audience) for r in rows]


def reminder_lead(due_on: date, today: date, leads: list[int]) -> int | None:
    """The tightest lead time already reached for something due on ``due_on``.

    With leads 7, 2 and 0: five days before, the 7-day reminder; two days before, the 2-day
    one. A scanner that was down for days sends the tightest reminder it missed, once, not
    every missed one. Past the due date nothing is a reminder any more (escalation takes
    over), so None.
    """
    days_left = (due_on - today).days
    if days_left < 0:
        return None
    reached = [lead for lead in leads if lead >= days_left]
    return min(reached) if reached else None


def days_text(n: int) -> str:
    """ "1 day", "5 days"."""
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def due_text(days_left: int) -> str:
    """How a due date stands today, in words: "due today", "due tomorrow", "due in 5 days",
    "3 days overdue"."""
    if days_left < 0:
        return _("%(days)s overdue") % {"days": days_text(-days_left)}
    if days_left == 0:
        return _("due today")
    if days_left == 1:
        return _("due tomorrow")
    return _("due in %(days)s") % {"days": days_text(days_left)}


def due_phrase(lead: int) -> str:
    """How soon something is due, as its reminder's lead time says: "due within 7 days"."""
    if lead == 0:
        return _("due today")
    if lead == 1:
        return _("due tomorrow")
    return ngettext("due within %(n)d day", "due within %(n)d days", lead) % {"n": lead}


def reminder_lead_sql(leads: list[int], today: date, field: str = "due_on") -> tuple[Case, Case]:
    """``reminder_lead`` as SQL for set-based scans: the lead time reached by each row's due
    date (``field``), and its phrase (``due_phrase``). The caller keeps to rows due from
    today to today + the longest lead."""
    whens = [(lead, Q(**{f"{field}__lte": today + timedelta(days=lead)})) for lead in sorted(leads)]
    lead = Case(*(When(q, then=Value(n)) for n, q in whens), output_field=IntegerField())
    phrase = Case(*(When(q, then=Value(due_phrase(n))) for n, q in whens), output_field=CharField())
    return lead, phrase


def overdue_days(due_on: date, today: date) -> int:
    """Days past the due date: 1 on the day after it, 0 or less while not overdue."""
    return (today - due_on).days


def rungs_due(current_level: int, days: int, rungs: list[Rung], *, since_due=True) -> list[Rung]:
    """The rungs to climb now, in order, from the one above ``current_level``.

    ``days`` counts days overdue (or, for a conflict, ``since_due=False``, days since it
    opened). A rung is reached when ``days >= after_days``; for an overdue item never before
    it is overdue at all. The climb takes each rung in turn and stops at the first one not
    reached: none is skipped, and a scanner that was down climbs every missed rung, each
    recorded, in one pass.
    """
    if since_due and days < 1:
        return []
    climbed = []
    for rung in rungs:
        if rung.level <= current_level:
            continue
        if days < rung.after_days:
            break
        climbed.append(rung)
    return climbed
