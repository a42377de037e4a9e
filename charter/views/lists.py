"""The claim and conflict lists and their CSV exports: the same filters (``charter.filters``)
over the rows the person may see, the export with every row on every page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from charter import selectors
from charter.filters import ClaimFilterSet, ConflictFilterSet
from charter.views.common import _cleaned
from engagement.core import csv_export
from engagement.core.csv_export import safe
from touchpoints.models import Touchpoint

LIST_PAGE_SIZE = 50
EXPORT_CHUNK = 500


def _list_page(request, filterset_class, queryset, template, export_url_name):
    filterset = filterset_class(request.GET or None, queryset=queryset)
    valid = not filterset.is_bound or filterset.is_valid()
    page = Paginator(filterset.qs if valid else queryset.none(), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    touchpoint = None
    touchpoint_id = _cleaned(filterset.form, "touchpoint")
    if touchpoint_id:
        touchpoint = Touchpoint.objects.visible_to(request.user).filter(pk=touchpoint_id).first()
    return render(
        request,
        template,
        {
            "form": filterset.form,
            "page": page,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "touchpoint": touchpoint,
            "export_url_name": export_url_name,
        },
        status=200 if valid else 400,
    )


def _export(request, filterset_class, queryset, name, lines, refusal):
    filterset = filterset_class(request.GET, queryset=queryset)
    if not filterset.is_valid():
        return csv_export.refused(refusal, filterset.errors)
    base = request.build_absolute_uri("/")[:-1]
    rows = filterset.qs
    return csv_export.stream(name, lambda: lines(rows.iterator(chunk_size=EXPORT_CHUNK), base))


# --- Claims ------------------------------------------------------------------------------------


@require_GET
def claim_list(request):
    return _list_page(
        request,
        ClaimFilterSet,
        selectors.claim_list(user=request.user),
        "charter/claim_list.html",
        "charter:claim_export",
    )


def _claim_lines(claims, base):
    yield [
        _("claim"), _("touchpoint"), _("journey stage"), _("right"), _("function"),
        _("claimed by"), _("status"), _("conflict"), _("claimed at"), _("decided at"),
        _("decided by"), _("rationale"), _("link"),
    ]  # fmt: skip
    for claim in claims:
        conflict = getattr(claim, "conflict", None)
        yield [
            claim.pk,
            safe(claim.touchpoint.name),
            safe(claim.touchpoint.stage.name),
            capfirst(claim.get_right_display()),
            safe(claim.function.name),
            safe(claim.claimant.display_name),
            capfirst(claim.get_status_display()),
            conflict.pk if conflict else "",
            csv_export.moment(claim.created_at),
            csv_export.moment(claim.decided_at),
            safe(claim.decided_by.display_name if claim.decided_by else ""),
            safe(claim.rationale),
            base + claim.get_absolute_url(),
        ]


@require_GET
def claim_export(request):
    """The claims the list shows under its filters, every page, newest first."""
    return _export(
        request,
        ClaimFilterSet,
        selectors.claim_list(user=request.user),
        "claims",
        _claim_lines,
        _("The claims cannot be exported with these filters."),
    )


# --- Conflicts ---------------------------------------------------------------------------------


@require_GET
def conflict_list(request):
    return _list_page(
        request,
        ConflictFilterSet,
        selectors.conflict_list(user=request.user),
        "charter/conflict_list.html",
        "charter:conflict_export",
    )


def _conflict_lines(conflicts, base):
    yield [
        _("conflict"), _("touchpoint"), _("journey stage"), _("right"), _("holding function"),
        _("claiming function"), _("claimed by"), _("status"), _("won by"), _("opened at"),
        _("decided at"), _("decided by"), _("link"),
    ]  # fmt: skip
    for conflict in conflicts:
        yield [
            conflict.pk,
            safe(conflict.touchpoint.name),
            safe(conflict.touchpoint.stage.name),
            capfirst(conflict.get_right_display()),
            safe(conflict.holder_function.name),
            safe(conflict.claimant_function.name),
            safe(conflict.claim.claimant.display_name),
            capfirst(conflict.get_status_display()),
            safe(conflict.winner.name if conflict.winner else ""),
            csv_export.moment(conflict.opened_at),
            csv_export.moment(conflict.decided_at),
            safe(conflict.decided_by.display_name if conflict.decided_by else ""),
            base + conflict.get_absolute_url(),
        ]


@require_GET
def conflict_export(request):
    """The conflicts the list shows under its filters, every page, newest first."""
    return _export(
        request,
        ConflictFilterSet,
        selectors.conflict_list(user=request.user),
        "conflicts",
        _conflict_lines,
        _("The conflicts cannot be exported with these filters."),
    )
