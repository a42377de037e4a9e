"""The rules the scanners follow: which reminder is due, and which rungs an overdue item climbs.

The pure functions are checked on examples people know (a week before, two days before, on
the day) and with hypothesis over any ladder an administrator could build: the climb never
skips a rung, a second scan after the first finds nothing, and a scanner that was down for
days climbs exactly the rungs it would have climbed had it run every day.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagement.notify.models import Audience, EscalationRule, ReminderRule, Subject
from engagement.notify.rules import (
    Rung,
    ladder,
    overdue_days,
    reminder_lead,
    reminder_leads,
    rungs_due,
)

DUE = date(2026, 12, 1)
LEADS = [7, 2, 0]
LADDER = [
    Rung(1, 0, Audience.OWNER),
    Rung(2, 7, Audience.CHAIR),
    Rung(3, 14, Audience.SPONSOR),
    Rung(4, 21, Audience.CEO),
]


# --- Reminders -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_before", "lead"),
    [
        (30, None),  # too early for any reminder
        (8, None),
        (7, 7),
        (5, 7),  # between two leads: the week-before reminder still stands
        (3, 7),
        (2, 2),
        (1, 2),
        (0, 0),  # on the day
        (-1, None),  # overdue: escalation takes over
        (-10, None),
    ],
)
def test_reminder_lead_is_the_tightest_lead_reached(days_before, lead):
    assert reminder_lead(DUE, DUE - timedelta(days=days_before), LEADS) == lead


def test_a_scanner_down_for_days_sends_only_the_tightest_missed_reminder():
    # Down from 8 days before until 1 day before: the 7- and 2-day reminders were both due.
    assert reminder_lead(DUE, DUE - timedelta(days=1), LEADS) == 2


def test_no_leads_means_no_reminders():
    assert reminder_lead(DUE, DUE, []) is None


def test_overdue_days_counts_from_the_day_after_the_due_date():
    assert overdue_days(DUE, DUE - timedelta(days=1)) == -1
    assert overdue_days(DUE, DUE) == 0
    assert overdue_days(DUE, DUE + timedelta(days=1)) == 1
    assert overdue_days(DUE, DUE + timedelta(days=21)) == 21


leads_strategy = st.lists(st.integers(0, 60), max_size=5, unique=True).map(
    lambda leads: sorted(leads, reverse=True)
)


@given(leads=leads_strategy, days_left=st.integers(-30, 90))
def test_reminder_lead_is_a_reached_lead_and_the_tightest(leads, days_left):
    today = DUE - timedelta(days=days_left)
    lead = reminder_lead(DUE, today, leads)
    if days_left < 0:
        assert lead is None
    elif lead is None:
        assert all(candidate < days_left for candidate in leads)
    else:
        assert lead in leads
        assert lead >= days_left  # reached
        assert not [c for c in leads if days_left <= c < lead]  # none tighter reached


@given(leads=leads_strategy, start=st.integers(0, 90))
def test_reminders_only_tighten_as_the_due_date_nears(leads, start):
    """Day by day towards the due date the lead never grows again, so each reminder's key
    (which carries the lead) is recorded at most once per due date."""
    seen = []
    for days_left in range(start, -1, -1):
        lead = reminder_lead(DUE, DUE - timedelta(days=days_left), leads)
        if lead is not None and (not seen or seen[-1] != lead):
            seen.append(lead)
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen))


# --- Escalation ladders ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "days", "climbed"),
    [
        (0, -3, []),  # not due yet
        (0, 0, []),  # due today is not overdue
        (0, 1, [1]),
        (1, 1, []),  # already on rung 1
        (1, 6, []),
        (1, 7, [2]),
        (0, 7, [1, 2]),  # down for a week: both rungs, in order
        (0, 30, [1, 2, 3, 4]),
        (2, 30, [3, 4]),
        (4, 100, []),  # top of the ladder: stops
    ],
)
def test_rungs_due_on_the_default_ladder(level, days, climbed):
    assert [r.level for r in rungs_due(level, days, LADDER)] == climbed


def test_a_conflict_counts_days_since_it_opened():
    conflict = [Rung(1, 0, Audience.CHAIR), Rung(2, 28, Audience.CEO)]
    assert [r.level for r in rungs_due(0, 0, conflict, since_due=False)] == [1]
    assert rungs_due(0, 0, conflict) == []  # as an overdue item: not yet


def test_a_rung_not_reached_stops_the_climb_even_if_a_higher_one_is():
    # An administrator put rung 3 before rung 2 in time; rung 3 waits for rung 2.
    odd = [Rung(1, 0, "owner"), Rung(2, 20, "chair"), Rung(3, 10, "sponsor")]
    assert [r.level for r in rungs_due(1, 15, odd)] == []
    assert [r.level for r in rungs_due(1, 20, odd)] == [2, 3]


@st.composite
def ladders(draw):
    levels = sorted(draw(st.sets(st.integers(1, 9), min_size=0, max_size=6)))
    return [
        Rung(level, draw(st.integers(0, 60)), draw(st.sampled_from(list(Audience))))
        for level in levels
    ]


@given(rungs=ladders(), level=st.integers(0, 9), days=st.integers(-5, 120))
def test_the_climb_never_skips_a_rung(rungs, level, days):
    climbed = rungs_due(level, days, rungs)
    above = [r for r in rungs if r.level > level]
    # The rungs climbed are the next ones up, in order, with none left out between them.
    assert climbed == above[: len(climbed)]
    assert all(days >= r.after_days for r in climbed)
    if climbed:
        assert days >= 1  # an item is never escalated before it is overdue
    if len(climbed) < len(above) and days >= 1:
        assert days < above[len(climbed)].after_days  # it stopped at the first not reached


@given(rungs=ladders(), level=st.integers(0, 9), days=st.integers(-5, 120))
def test_a_second_scan_after_the_first_climbs_nothing(rungs, level, days):
    climbed = rungs_due(level, days, rungs)
    after = climbed[-1].level if climbed else level
    assert rungs_due(after, days, rungs) == []


@given(rungs=ladders(), days=st.integers(0, 120), since_due=st.booleans())
def test_catching_up_climbs_what_daily_scans_would_have(rungs, days, since_due):
    level, stepped = 0, []
    for day in range(days + 1):
        climbed = rungs_due(level, day, rungs, since_due=since_due)
        stepped.extend(climbed)
        if climbed:
            level = climbed[-1].level
    assert rungs_due(0, days, rungs, since_due=since_due) == stepped


# --- Rules read from the tables --------------------------------------------------------------
# ``default_rules`` applies migration 0002's rules again: a transactional test's flush removes
# them from a test database that ``--reuse-db`` keeps between runs.


@pytest.mark.django_db
def test_default_rules_are_installed(default_rules):
    assert reminder_leads(Subject.DECISION) == [7, 2, 0]
    assert reminder_leads(Subject.ACTION_ITEM) == [7, 2, 0]
    assert [(r.level, r.after_days, r.audience) for r in ladder(Subject.ACTION_ITEM)] == [
        (1, 0, "owner"),
        (2, 7, "chair"),
        (3, 14, "sponsor"),
        (4, 21, "ceo"),
    ]
    assert [r.audience for r in ladder(Subject.CONFLICT)] == ["chair", "ceo"]


@pytest.mark.django_db
def test_inactive_rules_are_left_out_and_edits_are_followed(default_rules):
    ReminderRule.objects.filter(subject=Subject.DECISION, lead_days=2).update(is_active=False)
    ReminderRule.objects.create(subject=Subject.DECISION, lead_days=14)
    EscalationRule.objects.filter(subject=Subject.DECISION, level=3).update(is_active=False)

    assert reminder_leads(Subject.DECISION) == [14, 7, 0]
    assert [r.level for r in ladder(Subject.DECISION)] == [1, 2, 4]
    # A missing rung is no gap to climb over: the ladder is what is active.
    assert [r.level for r in rungs_due(2, 30, ladder(Subject.DECISION))] == [4]
