"""The executive dashboard, its CSV export and a board's printable pack.

The views read the filters (``DashboardFilterForm`` over ``DashboardFilters.from_params``),
call ``dashboard_summary`` once, and render. With htmx, a filter change answers only the
figures region (the filter bar's fields and the live announcement come along out of band);
the address bar gets the filters' own address, so every view can be bookmarked and shared.
Unknown filter values are a 400 that names each one next to its field.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from engagement.core import csv_export
from engagement.core.pages import is_htmx, render_page
from engagement.dashboard.figures import Link
from engagement.dashboard.filters import DEFAULT_PERIOD, DashboardFilters, InvalidFilters
from engagement.dashboard.permissions import can_view_dashboard
from engagement.dashboard.selectors import dashboard_summary
from engagement.dashboard.views import pack
from engagement.dashboard.views.charts import sparklines
from engagement.dashboard.views.export import figure_rows, filter_word, header
from engagement.dashboard.views.forms import PERIOD_LABELS, DashboardFilterForm

TEMPLATE = "dashboard/dashboard.html"


def _may_view(request) -> None:
    if not can_view_dashboard(request.user):
        raise PermissionDenied


def _links(value):
    """Every ``Link`` in the summary, however deep (figures are dataclasses and lists)."""
    if isinstance(value, Link):
        yield value
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from _links(getattr(value, f.name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _links(item)


def figures_context(summary) -> dict:
    """What the figures (on the dashboard and in a pack) need besides the summary. Each
    link that cannot apply some filters gets them in words, for the note beside it."""
    for link in _links(summary):
        link.unapplied_text = ", ".join(filter_word(name) for name in link.unapplied)
    filters = summary.filters
    words = []
    if filters.function is not None:
        words.append((_("Function"), filters.function.name))
    if filters.stage is not None:
        words.append((_("Journey stage"), filters.stage.name))
    if filters.board is not None:
        words.append((_("Board"), filters.board.name))
    query = urlencode(filters.as_params())
    pack_url = ""
    if filters.board is not None:
        pack_url = reverse("dashboard:board_pack", kwargs={"pk": filters.board.pk})
        if filters.period != DEFAULT_PERIOD:
            pack_url += "?" + urlencode({"period": filters.period})
    return {
        "summary": summary,
        "filter_words": words,
        "period_label": PERIOD_LABELS.get(filters.period, filters.period),
        "sparklines": sparklines(summary.trend) if summary.trend else [],
        "query": query,
        "page_url": reverse("dashboard:dashboard") + (f"?{query}" if query else ""),
        "pack_url": pack_url,
    }


@require_GET
def dashboard(request):
    """Every figure for the filters in the address; the figures region alone for htmx."""
    _may_view(request)
    form = DashboardFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return render_page(request, TEMPLATE, "figures", {"form": form}, status=400)
    filters = form.cleaned_data["filters"]
    summary = dashboard_summary(user=request.user, filters=filters)
    context = figures_context(summary)
    context["form"] = DashboardFilterForm.showing(filters, user=request.user)
    response = render_page(request, TEMPLATE, "figures", context)
    if is_htmx(request):
        # The filters' own address (slugs, no blank parameters), not the form's raw query.
        response["HX-Push-Url"] = context["page_url"]
    return response


@require_GET
def export(request):
    """The figures as CSV, with the filters applied; unknown filters are a 400 naming them."""
    _may_view(request)
    try:
        filters = DashboardFilters.from_params(request.GET, user=request.user)
    except InvalidFilters as exc:
        message = _("The dashboard cannot be exported with these filters.")
        return csv_export.refused(message, {k: [v] for k, v in exc.errors.items()})
    summary = dashboard_summary(user=request.user, filters=filters)
    absolute = request.build_absolute_uri

    def lines():
        yield header()
        for row in figure_rows(summary, absolute):
            yield [csv_export.safe(cell) if isinstance(cell, str) else cell for cell in row]

    return csv_export.stream("dashboard", lines)


@require_GET
def board_pack(request, pk):
    """A board's pack for its meeting: the dashboard filtered to the board, then the board's
    open items. A board the person may not see is a 404; an unknown period a 400."""
    _may_view(request)
    board = pack.board_or_404(request, pk)
    filters = DashboardFilters(board=board, period=request.GET.get("period") or DEFAULT_PERIOD)
    summary = dashboard_summary(user=request.user, filters=filters)
    context = figures_context(summary)
    context.update(pack.open_items(request.user, board, today=summary.today))
    context.update({"board": board, "pack": True, "periods": PERIOD_LABELS})
    return render_page(request, "dashboard/pack.html", "", context, fragment=False)
