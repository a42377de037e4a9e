"""The dashboard's filter bar: function, journey stage, board and period.

The form only draws the bar and carries the errors: ``DashboardFilters.from_params`` reads
the values (the same rules as the API), and each value it refuses is shown on its field. The
choices are the active functions, stages and boards the person may see, plus the one chosen
if it has been retired since (a bookmarked view still shows what it filters on). They are
read only when the bar is drawn.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from boards.models import Board
from engagement.dashboard.filters import DEFAULT_PERIOD, PERIODS, DashboardFilters, InvalidFilters
from engagement.org.models import Function
from touchpoints.models import JourneyStage

PERIOD_LABELS = {
    "30d": _("Last 30 days"),
    "90d": _("Last 90 days"),
    "180d": _("Last 6 months"),
    "365d": _("Last 12 months"),
}


def _is_id(value: str) -> bool:
    """An id the database can compare (a longer run of digits names nothing)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _once(make):
    """``make``'s choices, read on first use and kept: a select reads its choices more than
    once while it is drawn, and each read of a list would be a query."""
    kept = []

    def choices():
        if not kept:
            kept.append(make())
        return kept[0]

    return choices


def _select(label, help_text=""):
    return forms.CharField(required=False, label=label, help_text=help_text, widget=forms.Select)


class DashboardFilterForm(forms.Form):
    function = _select(_("Function"), _("The function's part: what it holds, owns or disputes."))
    stage = _select(_("Journey stage"))
    board = _select(_("Board"), _("The touchpoints the board governs, and its own items."))
    period = _select(_("Period"), _("The window for board cadence, decision latency and summits."))

    def __init__(self, data=None, *, user, **kwargs):
        if data is not None and not str(data.get("period") or "").strip():
            data = data.copy()  # no period given means the default: show it selected
            data["period"] = DEFAULT_PERIOD
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["function"].widget.choices = _once(self._function_choices)
        self.fields["stage"].widget.choices = _once(self._stage_choices)
        self.fields["board"].widget.choices = _once(self._board_choices)
        self.fields["period"].widget.choices = _once(self._period_choices)

    def _chosen(self, name: str) -> str:
        source = self.data if self.is_bound else self.initial
        return str(source.get(name) or "")

    def _options(self, name: str, blank, options: list[tuple[str, str]]):
        """``options`` after the blank one; a value asked for that names nothing is kept,
        marked unknown, so the bar shows what the address asked for beside its error."""
        chosen = self._chosen(name)
        if chosen.strip() and chosen not in {value for value, _label in options}:
            options = [(chosen, _("%(value)s (unknown)") % {"value": chosen.strip()}), *options]
        return [("", blank), *options] if blank else options

    def _function_choices(self):
        chosen = self._chosen("function").strip()
        keep = Q(pk=int(chosen)) if _is_id(chosen) else Q(slug=chosen)
        functions = Function.objects.visible_to(self.user).filter(Q(is_active=True) | keep)
        options = [
            # Named by id in the address: keep the id, so the select shows it chosen.
            (chosen if chosen == str(f.pk) else f.slug, f.name)
            for f in functions.order_by("name").only("pk", "slug", "name")
        ]
        return self._options("function", _("Every function"), options)

    def _stage_choices(self):
        keep = Q(slug=self._chosen("stage").strip())
        stages = JourneyStage.objects.visible_to(self.user).filter(Q(is_active=True) | keep)
        options = [
            (s.slug, s.name) for s in stages.order_by("position", "name").only("slug", "name")
        ]
        return self._options("stage", _("Every stage"), options)

    def _board_choices(self):
        chosen = self._chosen("board").strip()
        keep = Q(pk=int(chosen)) if _is_id(chosen) else Q(pk__in=[])
        boards = Board.objects.visible_to(self.user).filter(Q(is_active=True) | keep)
        options = [(str(b.pk), b.name) for b in boards.order_by("name").only("pk", "name")]
        return self._options("board", _("Every board"), options)

    def _period_choices(self):
        options = [(code, str(PERIOD_LABELS.get(code, code))) for code in PERIODS]
        return self._options("period", None, options)

    def clean(self):
        try:
            self.cleaned_data["filters"] = DashboardFilters.from_params(self.data, user=self.user)
        except InvalidFilters as exc:
            for name, message in exc.errors.items():
                self.add_error(name, message)
        return self.cleaned_data

    @classmethod
    def showing(cls, filters: DashboardFilters, *, user) -> DashboardFilterForm:
        """The bar as it should read for ``filters``: each select on the value the page's
        address names (a function given by id shows as its slug)."""
        return cls(initial={**filters.as_params(), "period": filters.period}, user=user)
