"""The dashboard's filters: function, journey stage, board and period.

``DashboardFilters`` holds resolved objects (not raw strings), so the selectors never parse
input. ``DashboardFilters.from_params`` turns query parameters (the page's URL, the API's
query string) into one, and names every unknown value in a clear error.

Parameter names follow the lists the figures link to: ``function`` by id or slug (as in the
charter, decision and action-item filters), ``stage`` by slug (as in the touchpoint list and
the rights matrix), ``board`` by id (as in the decision and action-item filters).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from boards.models import Board
from engagement.core.errors import Invalid
from engagement.org.models import Function
from touchpoints.models import JourneyStage

# The period's code and its length in days. The period is the window looked back over for
# board cadence, decision latency and the summits whose completion is shown; overdue items,
# open conflicts and waiting escalations are counted as they stand today.
PERIODS: dict[str, int] = {"30d": 30, "90d": 90, "180d": 180, "365d": 365}
DEFAULT_PERIOD = "90d"
PARAMS = ("function", "stage", "board", "period")


class InvalidFilters(Invalid):
    """One or more filters name something unknown. ``errors`` maps each parameter to its
    message; ``message`` and ``field`` give the first, as every ``Invalid`` does."""

    def __init__(self, errors: dict[str, str]):
        field, message = next(iter(errors.items()))
        super().__init__(" ".join(errors.values()), field=field)
        self.first_message = message
        self.errors = errors


@dataclass(frozen=True)
class DashboardFilters:
    function: Function | None = None
    stage: JourneyStage | None = None
    board: Board | None = None
    period: str = DEFAULT_PERIOD

    def __post_init__(self):
        if self.period not in PERIODS:
            raise InvalidFilters({"period": _unknown_period(self.period)})

    @property
    def days(self) -> int:
        return PERIODS[self.period]

    def since(self, today: date) -> date:
        """The first day of the period that ends today."""
        return today - timedelta(days=self.days)

    @property
    def is_filtered(self) -> bool:
        return any((self.function, self.stage, self.board))

    def as_params(self) -> dict[str, str]:
        """The query parameters that give these filters back (for the dashboard's own URL)."""
        params = {}
        if self.function is not None:
            params["function"] = self.function.slug
        if self.stage is not None:
            params["stage"] = self.stage.slug
        if self.board is not None:
            params["board"] = str(self.board.pk)
        if self.period != DEFAULT_PERIOD:
            params["period"] = self.period
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, str], *, user) -> DashboardFilters:
        """Resolve query parameters (blank ones mean "any"); other parameters are ignored.

        One query per filter given. Raises ``InvalidFilters`` naming every value that is
        unknown or not visible to ``user``.
        """
        raw = {name: (params.get(name) or "").strip() for name in PARAMS}
        errors: dict[str, str] = {}
        found: dict[str, object] = {}
        if raw["function"]:
            value = raw["function"]
            pk = _as_id(value)
            lookup = {"pk": pk} if pk is not None else {"slug": value}
            found["function"] = Function.objects.visible_to(user).filter(**lookup).first()
            if found["function"] is None:
                errors["function"] = _("Unknown function: %(value)s.") % {"value": value}
        if raw["stage"]:
            found["stage"] = JourneyStage.objects.visible_to(user).filter(slug=raw["stage"]).first()
            if found["stage"] is None:
                errors["stage"] = _("Unknown journey stage: %(value)s.") % {"value": raw["stage"]}
        if raw["board"]:
            value = raw["board"]
            board = None
            if (pk := _as_id(value)) is not None:
                board = Board.objects.visible_to(user).filter(pk=pk).first()
            found["board"] = board
            if board is None:
                errors["board"] = _("Unknown board: %(value)s (give the board's id).") % {
                    "value": value
                }
        period = raw["period"] or DEFAULT_PERIOD
        if period not in PERIODS:
            errors["period"] = _unknown_period(period)
        if errors:
            raise InvalidFilters(errors)
        return cls(period=period, **found)


def _as_id(value: str) -> int | None:
    """The id a parameter gives, or None: plain ASCII digits within a database id's range
    ("²" and "٣" are digits to Python, not ids; thirty nines overflow the column)."""
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def _unknown_period(value: str) -> str:
    return _("Unknown period: %(value)s (choose one of %(choices)s).") % {
        "value": value,
        "choices": ", ".join(PERIODS),
    }
