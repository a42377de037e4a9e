"""A board's cadence: an RFC 5545 recurrence rule (``FREQ=WEEKLY;BYDAY=MO``) in a time zone.

The rule says *which days*; the board says *when it starts* (``starts_on``), *at what local
time* (``start_time``) and *where on Earth* (``time_zone``). Occurrences are computed on the
local wall clock and only then placed in the zone, so a weekly 09:00 London meeting stays at
09:00 in London across the clock changes (08:00 UTC in summer, 09:00 UTC in winter).

Invariants:

* A stored rule is normalised (upper case, no ``RRULE:`` prefix, no blanks) and has passed
  ``validate_cadence``: it parses, repeats at most daily, leaves the start and the time of day
  to the board, and yields at least one meeting.
* A rule that never occurs (31 February) is refused, and cheaply: dateutil looks for a next
  occurrence until the year 9999, so the check runs in the same days of the calendar four
  centuries at a time before that year (the Gregorian calendar repeats every 400 years).
  ``occurrences`` validates the stored rule first, so a scan never meets such a rule.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from engagement.core.errors import Invalid

# What a person can copy when their rule is refused.
EXAMPLE = "FREQ=WEEKLY;BYDAY=MO"
MAX_LENGTH = 255  # Board.cadence's max_length

TOO_FREQUENT = ("HOURLY", "MINUTELY", "SECONDLY")
# The board's start_time sets the time of day; a rule that sets it too would fight it (and
# BYHOUR=0,1,...,23 would be an hourly cadence in disguise).
TIME_OF_DAY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")

# The Gregorian calendar repeats every 400 years (146,097 days, exactly 20,871 weeks), so a
# rule with no occurrence in 400 years has none at all. Validation looks for the first one
# from a start moved by whole cycles into [SEARCH_FROM_YEAR, SEARCH_FROM_YEAR + 400): the
# same days of the week and month, but at most 800 years for dateutil to walk (a fraction of
# a second for a daily rule), instead of the thousands left until its year 9999.
CYCLE_YEARS = 400
SEARCH_FROM_YEAR = 9200

WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def _parts(rule: str) -> list[tuple[str, str]]:
    """``NAME=VALUE`` pairs of a normalised rule, in order; refused if malformed."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for part in rule.split(";"):
        name, sep, value = part.partition("=")
        if not sep or not name or not value:
            raise Invalid(
                _(
                    "“%(part)s” is not a NAME=VALUE pair. Write the cadence like %(example)s "
                    "or FREQ=MONTHLY;BYDAY=1TU."
                )
                % {"part": part, "example": EXAMPLE},
                field="cadence",
            )
        if name in seen:
            raise Invalid(
                _("%(name)s appears twice in the cadence; give it once.") % {"name": name},
                field="cadence",
            )
        seen.add(name)
        pairs.append((name, value))
    return pairs


def _normalise(rule: str) -> str:
    text = "".join((rule or "").split()).upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:") :]
    return ";".join(part for part in text.split(";") if part)


def _local_until(value: str, tz: ZoneInfo) -> datetime:
    """UNTIL as a naive local datetime, the way the rule is iterated.

    RFC 5545 writes UNTIL in UTC (``20251231T170000Z``) when the start has a time zone, as
    Outlook and Google do; a bare date means "up to and including that day"."""
    try:
        if value.endswith("Z"):
            instant = datetime.strptime(value[:-1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            return instant.astimezone(tz).replace(tzinfo=None)
        if "T" in value:
            return datetime.strptime(value, "%Y%m%dT%H%M%S")
        return datetime.combine(datetime.strptime(value, "%Y%m%d").date(), time(23, 59, 59))
    except ValueError:
        raise Invalid(
            _(
                "UNTIL must be a date like 20261231 or a UTC time like 20261231T170000Z, "
                "not “%(value)s”."
            )
            % {"value": value},
            field="cadence",
        ) from None


def _build(
    pairs: list[tuple[str, str]],
    *,
    dtstart: datetime,
    tz: ZoneInfo,
    without: tuple[str, ...] = (),
) -> rrule:
    """The dateutil rule iterated from naive local ``dtstart``, with UNTIL made naive local
    too (dateutil wants both naive or both aware). ``without`` drops parts. Raises
    ``ValueError`` (or ``TypeError``) if dateutil refuses the rule."""
    text_parts = []
    for name, value in pairs:
        if name in without:
            continue
        if name == "UNTIL":
            value = f"{_local_until(value, tz):%Y%m%dT%H%M%S}"
        text_parts.append(f"{name}={value}")
    return rrulestr(";".join(text_parts), dtstart=dtstart)


def _in_last_cycles(moment: datetime) -> datetime:
    """``moment`` moved by whole 400-year cycles to just before dateutil's last year."""
    cycles = (SEARCH_FROM_YEAR - moment.year) // CYCLE_YEARS + 1
    return moment.replace(year=moment.year + cycles * CYCLE_YEARS)


def _integer(value: str, *, default: int) -> int:
    """``value`` as an integer, or ``default`` (dateutil then says what is wrong with it)."""
    try:
        return int(value)
    except ValueError:
        return default


def _refuse_unparsable(reason: str):
    return Invalid(
        _(
            "The cadence is not a recurrence rule dateutil understands (%(reason)s). Write it "
            "like %(example)s (every Monday) or FREQ=MONTHLY;BYDAY=1TU (the first Tuesday of "
            "each month)."
        )
        % {"reason": reason, "example": EXAMPLE},
        field="cadence",
    )


def validate_cadence(rule: str, *, starts_on: date | None = None) -> str:
    """The rule normalised, or ``Invalid`` (field ``cadence``) saying what is wrong.

    Refused: an empty rule; one dateutil cannot parse; one that carries its own DTSTART (the
    board has ``starts_on``) or its own time of day (the board has ``start_time``); one that
    repeats more often than daily; COUNT together with UNTIL; one that yields no meeting at
    all. Pass the board's ``starts_on`` to check the last against the board's real start (a
    rule whose UNTIL is past is fine for a board that started before it); without it the
    check starts today.
    """
    text = _normalise(rule)
    if not text:
        raise Invalid(
            _("Enter a cadence, e.g. %(example)s for every Monday.") % {"example": EXAMPLE},
            field="cadence",
        )
    if len(text) > MAX_LENGTH:
        raise Invalid(
            _("The cadence is too long (%(length)d characters; at most %(max)d).")
            % {"length": len(text), "max": MAX_LENGTH},
            field="cadence",
        )
    if "DTSTART" in text:
        raise Invalid(
            _(
                "Leave DTSTART out of the cadence: meetings start from the board's “cadence "
                "starts on” date and start time."
            ),
            field="cadence",
        )
    if "\n" in (rule or "") or ":" in text:
        # A second line (EXDATE, RDATE, DTSTART:...) or a property name other than RRULE.
        raise Invalid(
            _("Give one recurrence rule only, like %(example)s, without other lines.")
            % {"example": EXAMPLE},
            field="cadence",
        )
    pairs = _parts(text)
    names = [name for name, _value in pairs]
    values = dict(pairs)
    if "FREQ" not in values:
        raise Invalid(
            _("The cadence needs a FREQ, e.g. %(example)s.") % {"example": EXAMPLE},
            field="cadence",
        )
    if values["FREQ"] in TOO_FREQUENT:
        raise Invalid(
            _(
                "A board cannot meet more often than daily; use FREQ=DAILY, FREQ=WEEKLY, "
                "FREQ=MONTHLY or FREQ=YEARLY."
            ),
            field="cadence",
        )
    time_parts = [name for name in names if name in TIME_OF_DAY_PARTS]
    if time_parts:
        raise Invalid(
            _("Leave %(parts)s out of the cadence: the board's start time sets the time of day.")
            % {"parts": ", ".join(time_parts)},
            field="cadence",
        )
    if "COUNT" in values and "UNTIL" in values:
        raise Invalid(
            _("Use COUNT (how many meetings) or UNTIL (the last date), not both."),
            field="cadence",
        )
    if _integer(values.get("INTERVAL", "1"), default=1) < 1:
        # dateutil accepts 0 and then repeats the same period for ever.
        raise Invalid(_("INTERVAL must be 1 or more."), field="cadence")

    # Midnight: the earliest a first meeting can be, whatever the board's start time.
    reference = datetime.combine(starts_on or timezone.localdate(), time.min)
    utc = ZoneInfo("UTC")
    try:
        _build(pairs, dtstart=reference, tz=utc)  # every part parses, COUNT and UNTIL included
        # Does any date match the rule? COUNT does not change the first match and UNTIL is
        # checked next; without them the start can move by whole calendar cycles.
        shifted = _in_last_cycles(reference)
        matches = _build(pairs, dtstart=shifted, tz=utc, without=("COUNT", "UNTIL"))
        any_match = matches.after(shifted, inc=True) is not None
        # Only when some date matches is the unshifted scan quick: it stops at the first
        # meeting, or at the first date past UNTIL.
        first = any_match and _build(pairs, dtstart=reference, tz=utc).after(reference, inc=True)
    except (ValueError, TypeError, OverflowError) as exc:
        raise _refuse_unparsable(str(exc).strip() or type(exc).__name__) from None

    if not any_match:
        raise Invalid(
            _(
                "The cadence yields no meeting: no date matches it (FREQ=MONTHLY;BYMONTHDAY=31;"
                "BYMONTH=2, for instance, asks for 31 February). Check its days and months."
            ),
            field="cadence",
        )
    if _integer(values.get("COUNT", "1"), default=1) < 1:
        raise Invalid(_("COUNT must be 1 or more."), field="cadence")
    if first is None:
        raise Invalid(
            _(
                "The cadence ends (UNTIL %(until)s) before it starts (%(start)s), so it yields "
                "no meeting."
            )
            % {"until": values.get("UNTIL", ""), "start": reference.date().isoformat()},
            field="cadence",
        )
    return text


def validate_time_zone(name: str) -> str:
    """The IANA time zone name, or ``Invalid`` (field ``time_zone``)."""
    name = (name or "").strip()
    try:
        if not name:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            _(
                "“%(name)s” is not a known time zone; use an IANA name such as Europe/London "
                "or America/New_York."
            )
            % {"name": name},
            field="time_zone",
        ) from None
    return name


def frequency(rule: str) -> str:
    """The rule's FREQ (``WEEKLY``...), or an empty string if it has none."""
    for part in _normalise(rule).split(";"):
        name, _sep, value = part.partition("=")
        if name == "FREQ":
            return value
    return ""


def occurrences(board, start: datetime, end: datetime) -> list[datetime]:
    """Aware UTC start instants of ``board``'s cadence meetings in ``[start, end)``, in order.

    The rule is iterated on the local wall clock from ``starts_on`` at ``start_time`` and each
    result is placed in the board's zone with ``fold=0``: a time that does not exist (the
    hour skipped in spring) is read with the offset before the change, so it lands an hour
    later on the clock; a time that happens twice (autumn) is the first of the two. Raises
    ``Invalid`` if the stored rule is not valid.
    """
    if end <= start:
        return []
    tz = ZoneInfo(board.time_zone)
    dtstart = datetime.combine(board.starts_on, board.start_time.replace(tzinfo=None))
    # Local wall-clock time is not monotonic in UTC around the clock changes: search a day
    # wider on each side and filter on the UTC instants.
    low = start.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
    high = end.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    # A rule stored before it was checked (or that never occurs from this board's start) is
    # refused here rather than walked for ever.
    pairs = _parts(validate_cadence(board.cadence, starts_on=board.starts_on))
    try:
        local_times = _build(pairs, dtstart=dtstart, tz=tz).between(
            max(low, dtstart), high, inc=True
        )
    except (ValueError, TypeError, OverflowError) as exc:
        raise _refuse_unparsable(str(exc).strip() or type(exc).__name__) from None
    instants: dict[datetime, None] = {}
    for local in local_times:
        instant = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
        # Two wall-clock times can meet at one instant around the spring change; keep one.
        if start <= instant < end:
            instants[instant] = None
    return sorted(instants)


# --- Describing a rule in words -----------------------------------------------------------


def _weekday_name(code: str) -> str:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
            _("Saturday"), _("Sunday")][WEEKDAYS[code]]  # fmt: skip


def _ordinal(n: int) -> str | None:
    return {1: _("first"), 2: _("second"), 3: _("third"), 4: _("fourth"), 5: _("fifth"),
            -1: _("last"), -2: _("second to last")}.get(n)  # fmt: skip


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return _("%(items)s and %(last)s") % {"items": ", ".join(words[:-1]), "last": words[-1]}


def _split_byday(value: str) -> list[tuple[int | None, str]] | None:
    """``1TU,-1FR`` → ``[(1, "TU"), (-1, "FR")]``; None if a day is not understood."""
    days = []
    for item in value.split(","):
        code, number = item[-2:], item[:-2]
        if code not in WEEKDAYS:
            return None
        try:
            days.append((int(number) if number else None, code))
        except ValueError:
            return None
    return days


def _describe_daily(interval: int, values: dict[str, str]) -> str | None:
    if set(values) - {"FREQ", "INTERVAL"}:
        return None
    if interval == 1:
        return _("Daily")
    return ngettext("Every %(n)d day", "Every %(n)d days", interval) % {"n": interval}


def _describe_weekly(interval: int, values: dict[str, str]) -> str | None:
    if set(values) - {"FREQ", "INTERVAL", "BYDAY", "WKST"}:
        return None
    if "BYDAY" not in values:
        return _("Weekly") if interval == 1 else _("Every %(n)d weeks") % {"n": interval}
    days = _split_byday(values["BYDAY"])
    if days is None or any(number is not None for number, _code in days):
        return None
    names = _join([_weekday_name(code) for _number, code in days])
    if interval == 1:
        return _("Weekly on %(days)s") % {"days": names}
    return _("Every %(n)d weeks on %(days)s") % {"n": interval, "days": names}


def _describe_monthly(interval: int, values: dict[str, str]) -> str | None:
    extra = set(values) - {"FREQ", "INTERVAL"}
    prefix = _("Monthly") if interval == 1 else _("Every %(n)d months") % {"n": interval}
    if not extra:
        return prefix
    if extra == {"BYMONTHDAY"}:
        try:
            day = int(values["BYMONTHDAY"])
        except ValueError:
            return None
        if day == -1:
            return _("%(prefix)s on the last day") % {"prefix": prefix}
        if 1 <= day <= 31:
            return _("%(prefix)s on day %(day)d") % {"prefix": prefix, "day": day}
        return None
    if extra not in ({"BYDAY"}, {"BYDAY", "BYSETPOS"}):
        return None
    days = _split_byday(values["BYDAY"])
    if days is None or len(days) != 1:
        return None
    number, code = days[0]
    if "BYSETPOS" in values:
        # BYDAY=TU;BYSETPOS=1 is Outlook's way of writing BYDAY=1TU.
        if number is not None:
            return None
        try:
            number = int(values["BYSETPOS"])
        except ValueError:
            return None
    ordinal = _ordinal(number) if number is not None else None
    if ordinal is None:
        return None
    return _("%(prefix)s on the %(ordinal)s %(day)s") % {
        "prefix": prefix,
        "ordinal": ordinal,
        "day": _weekday_name(code),
    }


def describe(rule: str) -> str:
    """Short English (translatable) words for the rule: "Weekly on Monday", "Every 2 weeks on
    Tuesday and Thursday", "Monthly on the first Tuesday", "Monthly on day 15", "Daily". A
    COUNT or UNTIL is added ("…, 6 times"). Shapes not handled here come back as the rule."""
    text = _normalise(rule)
    try:
        pairs = _parts(text)
    except Invalid:
        return (rule or "").strip()
    values = dict(pairs)
    limits = {name: values.pop(name) for name in ("COUNT", "UNTIL") if name in values}
    try:
        interval = int(values.pop("INTERVAL", "1"))
    except ValueError:
        return text
    if interval < 1:
        return text
    values_with_interval = {**values, "INTERVAL": str(interval)}
    describer = {
        "DAILY": _describe_daily,
        "WEEKLY": _describe_weekly,
        "MONTHLY": _describe_monthly,
    }.get(values.get("FREQ", ""))
    words = describer(interval, values_with_interval) if describer else None
    if words is None:
        return text
    if "COUNT" in limits:
        try:
            count = int(limits["COUNT"])
        except ValueError:
            return text
        words = ngettext("%(words)s, once", "%(words)s, %(count)d times", count) % {
            "words": words,
            "count": count,
        }
    elif "UNTIL" in limits:
        until = limits["UNTIL"][:8]
        try:
            last = datetime.strptime(until, "%Y%m%d").date()
        except ValueError:
            return text
        words = _("%(words)s, until %(date)s") % {"words": words, "date": last.isoformat()}
    return words
