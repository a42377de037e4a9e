from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest

from boards.cadence import describe, occurrences, validate_cadence, validate_time_zone
from engagement.core.errors import Invalid


def board(cadence="FREQ=WEEKLY;BYDAY=MO", *, tz="Europe/London", starts_on=date(2026, 1, 5),
          start_time=time(9, 0)):  # fmt: skip
    # occurrences() reads only these fields: no database needed.
    return SimpleNamespace(
        cadence=cadence, time_zone=tz, starts_on=starts_on, start_time=start_time
    )


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- validate_cadence ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO"),
        ("  rrule:freq=weekly;byday=mo ", "FREQ=WEEKLY;BYDAY=MO"),
        ("FREQ=MONTHLY; BYDAY=1TU;", "FREQ=MONTHLY;BYDAY=1TU"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
        ("FREQ=WEEKLY;UNTIL=20991231T170000Z", "FREQ=WEEKLY;UNTIL=20991231T170000Z"),
    ],
)
def test_a_valid_rule_comes_back_normalised(given, normalised):
    assert validate_cadence(given) == normalised


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("", "Enter a cadence"),
        ("   ", "Enter a cadence"),
        ("WEEKLY", "is not a NAME=VALUE pair"),
        ("FREQ=FORTNIGHTLY", "invalid 'FREQ': FORTNIGHTLY"),
        ("FREQ=WEEKLY;BYDAY=XX", "invalid 'BYDAY': XX"),
        ("FREQ=WEEKLY;COLOUR=RED", "unknown parameter 'COLOUR'"),
        ("BYDAY=MO", "needs a FREQ"),
        ("FREQ=WEEKLY;FREQ=DAILY", "appears twice"),
        ("FREQ=WEEKLY;DTSTART=20260105T090000", "Leave DTSTART out"),
        ("DTSTART:20260105T090000\nRRULE:FREQ=WEEKLY", "Leave DTSTART out"),
        ("FREQ=HOURLY", "more often than daily"),
        ("FREQ=MINUTELY;INTERVAL=30", "more often than daily"),
        ("FREQ=SECONDLY", "more often than daily"),
        ("FREQ=DAILY;BYHOUR=9,14", "Leave BYHOUR out"),
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2", "yields no meeting"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", "yields no meeting"),
        ("FREQ=WEEKLY;COUNT=0", "COUNT must be 1 or more"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be 1 or more"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20990101", "not both"),
        ("FREQ=WEEKLY;UNTIL=2099", "UNTIL must be a date"),
        ("FREQ=WEEKLY;UNTIL=20200101", "ends (UNTIL 20200101) before it starts"),
    ],
)
def test_a_bad_rule_is_refused_with_a_reason(rule, says):
    with pytest.raises(Invalid) as refused:
        validate_cadence(rule)
    assert says in refused.value.message
    assert refused.value.field == "cadence"


def test_an_unparsable_rule_is_refused_with_an_example_to_copy():
    with pytest.raises(Invalid) as refused:
        validate_cadence("FREQ=WEEKLY;BYDAY=XX")
    assert "FREQ=WEEKLY;BYDAY=MO" in refused.value.message


def test_a_rule_that_has_ended_is_fine_for_a_board_that_started_before_its_end():
    assert validate_cadence("FREQ=WEEKLY;UNTIL=20200101", starts_on=date(2019, 6, 3))
    assert validate_cadence("FREQ=WEEKLY;COUNT=2", starts_on=date(2019, 6, 3))


# --- validate_time_zone --------------------------------------------------------------------


def test_a_known_time_zone_is_accepted():
    assert validate_time_zone(" Europe/London ") == "Europe/London"


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "../etc/passwd", "Europe/"])
def test_an_unknown_time_zone_is_refused(name):
    with pytest.raises(Invalid) as refused:
        validate_time_zone(name)
    assert refused.value.field == "time_zone"
    assert "not a known time zone" in refused.value.message


# --- occurrences ---------------------------------------------------------------------------


def test_a_weekly_meeting_keeps_its_local_time_across_the_spring_clock_change():
    # London moves to BST on Sunday 29 March 2026.
    found = occurrences(board(), utc(2026, 3, 16), utc(2026, 4, 7))

    assert found == [
        utc(2026, 3, 16, 9),  # GMT: 09:00 local is 09:00 UTC
        utc(2026, 3, 23, 9),
        utc(2026, 3, 30, 8),  # BST: 09:00 local is 08:00 UTC
        utc(2026, 4, 6, 8),
    ]


def test_and_back_in_the_autumn():
    found = occurrences(board(), utc(2026, 10, 19), utc(2026, 11, 3))

    assert found == [utc(2026, 10, 19, 8), utc(2026, 10, 26, 9), utc(2026, 11, 2, 9)]


def test_monthly_on_the_first_tuesday():
    found = occurrences(
        board("FREQ=MONTHLY;BYDAY=1TU", tz="America/New_York", start_time=time(10, 30)),
        utc(2026, 1, 1),
        utc(2026, 5, 1),
    )

    # New York moves to daylight time on 8 March 2026.
    assert found == [
        utc(2026, 1, 6, 15, 30),
        utc(2026, 2, 3, 15, 30),
        utc(2026, 3, 3, 15, 30),
        utc(2026, 4, 7, 14, 30),
    ]


def test_the_window_is_half_open_and_starts_no_earlier_than_the_board():
    found = occurrences(board(), utc(2025, 12, 1), utc(2026, 1, 19, 9))

    # Nothing before starts_on (5 January 2026); 19 January 09:00 is the end, excluded.
    assert found == [utc(2026, 1, 5, 9), utc(2026, 1, 12, 9)]


def test_a_local_time_the_clock_skips_is_read_before_the_change():
    # 01:30 does not exist in London on 29 March 2026: it is taken as 01:30 GMT (02:30 BST).
    found = occurrences(
        board("FREQ=WEEKLY;BYDAY=SU", start_time=time(1, 30)), utc(2026, 3, 28), utc(2026, 3, 30)
    )

    assert found == [utc(2026, 3, 29, 1, 30)]


def test_a_local_time_that_happens_twice_is_the_first_of_the_two():
    # 01:30 happens twice in London on 25 October 2026: first in BST (00:30 UTC).
    found = occurrences(
        board("FREQ=WEEKLY;BYDAY=SU", start_time=time(1, 30)), utc(2026, 10, 24), utc(2026, 10, 26)
    )

    assert found == [utc(2026, 10, 25, 0, 30)]


def test_count_counts_from_the_start_of_the_cadence():
    rule = board("FREQ=WEEKLY;BYDAY=MO;COUNT=3")

    assert occurrences(rule, utc(2026, 1, 1), utc(2026, 12, 31)) == [
        utc(2026, 1, 5, 9), utc(2026, 1, 12, 9), utc(2026, 1, 19, 9),
    ]  # fmt: skip
    assert occurrences(rule, utc(2026, 2, 1), utc(2026, 12, 31)) == []


def test_until_in_utc_is_inclusive():
    rule = board("FREQ=WEEKLY;BYDAY=MO;UNTIL=20260119T090000Z")

    assert occurrences(rule, utc(2026, 1, 1), utc(2026, 12, 31))[-1] == utc(2026, 1, 19, 9)


def test_a_stored_rule_that_is_not_valid_is_refused_not_walked():
    with pytest.raises(Invalid):
        occurrences(board("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2"), utc(2026, 1, 1), utc(2027, 1, 1))


# --- describe ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", "Weekly on Monday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "Every 2 weeks on Tuesday and Thursday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "Weekly on Monday, Wednesday and Friday"),
        ("FREQ=MONTHLY;BYDAY=1TU", "Monthly on the first Tuesday"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "Monthly on the last Friday"),
        ("FREQ=MONTHLY;BYDAY=TH;BYSETPOS=3", "Monthly on the third Thursday"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "Monthly on day 15"),
        ("FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE", "Every 3 months on the second Wednesday"),
        ("FREQ=DAILY", "Daily"),
        ("FREQ=DAILY;INTERVAL=2", "Every 2 days"),
        ("FREQ=WEEKLY;BYDAY=MO;COUNT=6", "Weekly on Monday, 6 times"),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231T235959Z", "Weekly on Monday, until 2026-12-31"),
        ("rrule:freq=weekly;byday=mo", "Weekly on Monday"),
        # Shapes without words come back as the rule.
        ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1MO", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1MO"),
        ("FREQ=MONTHLY;BYDAY=MO,TU", "FREQ=MONTHLY;BYDAY=MO,TU"),
        ("not a rule", "not a rule"),
    ],
)
def test_describe(rule, words):
    assert describe(rule) == words
