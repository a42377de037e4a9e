"""Pages of the touchpoint inventory and its fact base: the filterable list (and its CSV
export), a touchpoint's page with its health, KPIs and charts, and the forms to add and
change touchpoints and to record or import measurements.

The views parse input, call one selector or service, and render. Services decide who may do
what; a refusal is shown next to the form, with what the person typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from engagement.core import csv_export
from engagement.core.csv_export import safe
from engagement.core.errors import DomainError
from touchpoints import charts, permissions, selectors, services
from touchpoints.filters import TouchpointListFilterSet
from touchpoints.forms import KpiForm, MeasurementForm, MeasurementImportForm, TouchpointForm
from touchpoints.health import (
    AT_RISK_POINTS,
    HEALTHY_FROM,
    OFF_TARGET_POINTS,
    STALE_POINTS,
    UNMEASURED_POINTS,
    WATCH_FROM,
    health_for,
    periods_back,
)
from touchpoints.imports import import_measurements
from touchpoints.models import Kpi, Touchpoint
from touchpoints.panels import render_panels
from touchpoints.services import RowsRejected

PAGE_SIZE = 50
RESULTS_ID = "touchpoint-results"
EXPORT_CHUNK = 500


def _form_error(form, exc: DomainError) -> int:
    """Show a service's refusal on the form (on its field when it names one of the form's)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    return exc.status_code


def _batch_status(exc: RowsRejected) -> int:
    """403 when every row was refused for permission, 409 when every row clashes, else 400."""
    codes = set(exc.codes)
    if codes == {"not_allowed"}:
        return 403
    if codes == {"conflict"}:
        return 409
    return 400


# --- The list and its export ------------------------------------------------------------------


def _list_filterset(request) -> TouchpointListFilterSet:
    return TouchpointListFilterSet(
        request.GET, queryset=selectors.touchpoint_list(user=request.user), request=request
    )


@require_GET
def touchpoint_list(request):
    filterset = _list_filterset(request)
    valid = filterset.is_valid()
    queryset = filterset.qs if valid else filterset.queryset.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    health = health_for(page.object_list)
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "page": page,
        "rows": [(tp, health[tp.pk]) for tp in page.object_list],
        "ordering": request.GET.get("ordering", ""),
        "results_id": RESULTS_ID,
        "can_create": permissions.can_manage_touchpoints(request.user),
    }
    template = "touchpoints/touchpoint_list.html"
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and htmx.target == RESULTS_ID and not htmx.history_restore_request
    if partial:
        template += "#results"
        context["partial"] = True
    response = render(request, template, context, status=200 if valid else 400)
    if partial:
        response["HX-Form-Fragment"] = "1"  # a 400 is swapped in place (htmx_config.html)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _chunks(queryset, size):
    chunk = []
    for item in queryset.iterator(chunk_size=size):
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _export_lines(request, queryset):
    yield [
            _("id"), _("name"), _("journey stage"), _("channel"), _("customer segment"),
            _("priority"), _("status"), _("data steward"), _("active KPIs"), _("health score"),
            _("health"), _("archived"), _("last changed"), _("link"),
    ]  # fmt: skip
    base = request.build_absolute_uri("/")[:-1]
    for chunk in _chunks(queryset, EXPORT_CHUNK):
        health = health_for(chunk)
        for tp in chunk:
            h = health[tp.pk]
            yield [
                tp.pk,
                safe(tp.name),
                safe(tp.stage.name),
                safe(tp.channel.name),
                safe(tp.segment),
                tp.get_priority_display(),
                tp.get_status_display(),
                safe(tp.data_steward.display_name if tp.data_steward else ""),
                tp.kpi_count,
                h.score,
                h.band_label,
                _("yes") if tp.is_archived else _("no"),
                timezone.localtime(tp.updated_at).strftime("%Y-%m-%d %H:%M"),
                base + tp.get_absolute_url(),
            ]


@require_GET
def touchpoint_export(request):
    """The filtered list as CSV, streamed, with each touchpoint's health: every row the list
    shows on all its pages. Invalid filters are a 400 naming them, as on the list."""
    filterset = _list_filterset(request)
    if not filterset.is_valid():
        message = _("The touchpoints cannot be exported with these filters.")
        return csv_export.refused(message, filterset.errors)
    return csv_export.stream("touchpoints", lambda: _export_lines(request, filterset.qs))


# --- One touchpoint ---------------------------------------------------------------------------


def _get_touchpoint(request, pk) -> Touchpoint:
    try:
        return selectors.touchpoint_get(user=request.user, pk=pk)
    except Touchpoint.DoesNotExist:
        raise Http404("No such touchpoint.") from None


@require_GET
def touchpoint_detail(request, pk):
    touchpoint = _get_touchpoint(request, pk)
    kpis = selectors.touchpoint_kpis(touchpoint=touchpoint)
    for kpi in kpis:
        kpi.chart = charts.kpi_chart(kpi, kpi.recent_measurements)
        kpi.can_record = kpi.is_active and permissions.can_record_measurement(request.user, kpi)
    return render(
        request,
        "touchpoints/touchpoint_detail.html",
        {
            "touchpoint": touchpoint,
            "health": health_for([touchpoint])[touchpoint.pk],
            "kpis": kpis,
            "panels": render_panels(request, touchpoint),
            "can_edit": permissions.can_edit_touchpoint(request.user, touchpoint),
            "points": {
                "off_target": OFF_TARGET_POINTS,
                "at_risk": AT_RISK_POINTS,
                "stale": STALE_POINTS,
                "unmeasured": UNMEASURED_POINTS,
                "healthy_from": HEALTHY_FROM,
                "watch_from": WATCH_FROM,
            },
        },
    )


@require_http_methods(["GET", "POST"])
def touchpoint_create(request):
    allowed = permissions.can_manage_touchpoints(request.user)
    form = TouchpointForm(request.POST or None)
    status = 200 if allowed else 403
    if request.method == "POST" and form.is_valid():
        try:
            touchpoint = services.touchpoint_create(actor=request.user, **form.changes())
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            messages.success(
                request, _("The touchpoint %(name)s was added.") % {"name": touchpoint}
            )
            return redirect(touchpoint)
    elif request.method == "POST":
        status = 400 if allowed else 403  # no form was offered
    return render(
        request,
        "touchpoints/touchpoint_form.html",
        {"form": form, "touchpoint": None, "allowed": allowed},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def touchpoint_edit(request, pk):
    touchpoint = _get_touchpoint(request, pk)
    allowed = permissions.can_edit_touchpoint(request.user, touchpoint)
    form = TouchpointForm(
        request.POST or None,
        touchpoint=touchpoint,
        can_archive=permissions.can_manage_touchpoints(request.user),
    )
    status = 200 if allowed else 403
    if request.method == "POST" and form.is_valid():
        try:
            services.touchpoint_update(actor=request.user, touchpoint=touchpoint, **form.changes())
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(touchpoint)
    elif request.method == "POST":
        status = 400 if allowed else 403  # no form was offered
    return render(
        request,
        "touchpoints/touchpoint_form.html",
        {"form": form, "touchpoint": touchpoint, "allowed": allowed},
        status=status,
    )


# --- KPIs ------------------------------------------------------------------------------------


def _kpi_form_page(request, *, touchpoint, kpi, allowed, form, status):
    return render(
        request,
        "touchpoints/kpi_form.html",
        {"form": form, "touchpoint": touchpoint, "kpi": kpi, "allowed": allowed},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def kpi_create(request, pk):
    touchpoint = _get_touchpoint(request, pk)
    allowed = permissions.can_edit_touchpoint(request.user, touchpoint)
    form = KpiForm(request.POST or None)
    status = 200 if allowed else 403
    if request.method == "POST" and form.is_valid():
        try:
            kpi = services.kpi_create(actor=request.user, touchpoint=touchpoint, **form.changes())
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            messages.success(request, _("The KPI %(name)s was added.") % {"name": kpi.name})
            return redirect(touchpoint)
    elif request.method == "POST":
        status = 400 if allowed else 403
    return _kpi_form_page(
        request, touchpoint=touchpoint, kpi=None, allowed=allowed, form=form, status=status
    )


@require_http_methods(["GET", "POST"])
def kpi_edit(request, pk):
    try:
        kpi = selectors.kpi_get(user=request.user, pk=pk)
    except Kpi.DoesNotExist:
        raise Http404("No such KPI.") from None
    touchpoint = kpi.touchpoint
    allowed = permissions.can_edit_touchpoint(request.user, touchpoint)
    form = KpiForm(request.POST or None, kpi=kpi)
    status = 200 if allowed else 403
    if request.method == "POST" and form.is_valid():
        try:
            services.kpi_update(actor=request.user, kpi=kpi, **form.changes())
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            messages.success(
                request, _("Your changes to %(name)s were saved.") % {"name": kpi.name}
            )
            return redirect(touchpoint)
    elif request.method == "POST":
        status = 400 if allowed else 403
    return _kpi_form_page(
        request, touchpoint=touchpoint, kpi=kpi, allowed=allowed, form=form, status=status
    )


def recorded_summary(recorded) -> str:
    """'Recorded 12 values for 3 KPIs.'"""
    count, kpi_count = len(recorded), len({m.kpi_id for m in recorded})
    values = ngettext("%(count)s value", "%(count)s values", count) % {"count": count}
    kpis = ngettext("%(count)s KPI", "%(count)s KPIs", kpi_count) % {"count": kpi_count}
    return _("Recorded %(values)s for %(kpis)s.") % {"values": values, "kpis": kpis}


# --- Measurements -----------------------------------------------------------------------------


def _next_period(kpi):
    """The period people most likely come to record: the one after the latest value (but not
    in the future), or the last complete period when there is no value yet."""
    today = timezone.localdate()
    if not kpi.recent_measurements:
        return periods_back(today, kpi.period, 1)
    following = periods_back(kpi.recent_measurements[0].period, kpi.period, -1)
    return min(following, periods_back(today, kpi.period, 0))


@require_http_methods(["GET", "POST"])
def measurement_create(request, pk):
    try:
        kpi = selectors.kpi_get(user=request.user, pk=pk)
    except Kpi.DoesNotExist:
        raise Http404("No such KPI.") from None
    allowed = kpi.is_active and permissions.can_record_measurement(request.user, kpi)
    form = MeasurementForm(request.POST or None, kpi=kpi, initial={"period": _next_period(kpi)})
    status = 200 if allowed else 403
    if request.method == "POST" and form.is_valid():
        try:
            measurement = services.measurement_record(
                actor=request.user, kpi=kpi, **form.cleaned_data
            )
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Recorded %(value)s %(unit)s for %(kpi)s, %(period)s.")
                % {
                    "value": charts.format_value(measurement.value),
                    "unit": kpi.unit,
                    "kpi": kpi.name,
                    "period": charts.period_label(measurement.period, kpi.period),
                },
            )
            return redirect(kpi.touchpoint.get_absolute_url() + f"#kpi-{kpi.pk}")
    elif request.method == "POST":
        status = 400 if allowed else 403  # no form was offered
    return render(
        request,
        "touchpoints/measurement_form.html",
        {
            "form": form,
            "kpi": kpi,
            "touchpoint": kpi.touchpoint,
            "allowed": allowed,
            "target": charts.format_value(kpi.target),
            "recent": [
                (
                    charts.format_value(m.value),
                    charts.period_label(m.period, kpi.period),
                    kpi.status_of(m.value),
                )
                for m in kpi.recent_measurements[:5]
            ],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def measurement_import(request):
    form = MeasurementImportForm(request.POST or None, request.FILES or None)
    kpis = selectors.kpis_recordable_by(user=request.user)
    rejected = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            recorded = import_measurements(
                actor=request.user, data=form.cleaned_data["file"].read()
            )
        except RowsRejected as exc:
            rejected = exc.errors
            status = _batch_status(exc)
        except DomainError as exc:
            # A refusal of the file as a whole (not CSV, no header, empty...).
            form.add_error("file", exc.message)
            status = exc.status_code
        else:
            messages.success(request, recorded_summary(recorded))
            return redirect(reverse("touchpoints:measurement_import"))
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "touchpoints/measurement_import.html",
        {"form": form, "kpis": kpis, "rejected": rejected},
        status=status,
    )
