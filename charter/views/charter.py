"""The charter as a whole: the rights matrix, coverage, the printable charter and the CSV export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from charter import csv as charter_csv
from charter import selectors
from charter.filters import MatrixFilterSet
from charter.views.common import _cleaned, _render

MATRIX_PAGE_SIZE = 100

# --- The matrix, printable charter and export --------------------------------------------------


def _matrix_filterset(request) -> tuple[MatrixFilterSet, bool]:
    """The matrix filters from the query string, and whether they are valid."""
    filterset = MatrixFilterSet(
        request.GET or None, queryset=selectors.matrix_touchpoints(user=request.user)
    )
    return filterset, not filterset.is_bound or filterset.is_valid()


@require_GET
def matrix(request):
    """Touchpoints (by journey stage) by the four rights: who holds each."""
    filterset, valid = _matrix_filterset(request)
    page, rows = None, []
    if valid:
        page = Paginator(filterset.qs, MATRIX_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = selectors.rights_matrix(touchpoints=page.object_list, moment=filterset.moment)
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        "charter/matrix.html",
        "matrix-region",
        {
            "form": filterset.form,
            "page": page,
            "rows": rows,
            "rights": selectors.RIGHTS,
            "as_of": _cleaned(filterset.form, "as_of"),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "query": query.urlencode(),
        },
        status=200 if valid else 400,
    )


def _filter_summary(form) -> list[str]:
    """The filters in force, in words, for the printed page."""
    if not form.is_bound or form.errors:
        return []
    summary = []
    for name in ("stage", "channel", "function", "priority", "state"):
        value = form.cleaned_data.get(name)
        if value:
            field = form.fields[name]
            label = (
                dict(field.choices).get(value, value) if name in ("priority", "state") else value
            )
            summary.append(f"{field.label}: {label}")
    return summary


@require_GET
def print_charter(request):
    """The whole charter (or the filtered part), on paper."""
    filterset, valid = _matrix_filterset(request)
    rows = (
        selectors.rights_matrix(touchpoints=filterset.qs, moment=filterset.moment) if valid else []
    )
    return render(
        request,
        "charter/print.html",
        {
            "form": filterset.form,
            "rows": rows,
            "rights": selectors.RIGHTS,
            "as_of": _cleaned(filterset.form, "as_of"),
            "printed_at": timezone.localtime(),
            "filters": _filter_summary(filterset.form),
            "query": request.GET.urlencode(),
        },
        status=200 if valid else 400,
    )


@require_GET
def export(request):
    """The matrix as CSV, one row per touchpoint with its four holders."""
    filterset, valid = _matrix_filterset(request)
    if not valid:
        lines = [f"{field}: {' '.join(errors)}" for field, errors in filterset.form.errors.items()]
        return HttpResponse(
            "\n".join([_("The filters are not valid."), *lines]) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    rows = selectors.rights_matrix(touchpoints=filterset.qs, moment=filterset.moment)
    day = _cleaned(filterset.form, "as_of") or timezone.localdate()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="charter-{day:%Y-%m-%d}.csv"'
    charter_csv.write_matrix(response, rows)
    return response


# --- Coverage ----------------------------------------------------------------------------------


@require_GET
def coverage(request):
    return render(
        request,
        "charter/coverage.html",
        {"coverage": selectors.coverage_summary(user=request.user), "rights": selectors.RIGHTS},
    )
