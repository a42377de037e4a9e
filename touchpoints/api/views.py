"""The touchpoint API: journey stages, channels, touchpoints (with health), KPIs and
measurements (one by one, or in bulk, all or nothing).

Reads start from the selectors (what a person may not see is a 404); every write validates
the input's shape with an ``*InputSerializer`` and calls one service, which checks permission
and the domain's rules. Nothing is deleted: archive or retire through PATCH.
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from engagement.core.api.errors import ErrorSerializer, error_body
from engagement.core.api.pagination import CursorPagination
from touchpoints import selectors, services
from touchpoints.api import serializers as s
from touchpoints.filters import (
    ChannelFilterSet,
    JourneyStageFilterSet,
    KpiFilterSet,
    MeasurementFilterSet,
    TouchpointFilterSet,
)
from touchpoints.health import health_for
from touchpoints.services import MeasurementRow, RowsRejected

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="The input is not valid."),
    403: OpenApiResponse(ErrorSerializer, description="You may not do this."),
    404: OpenApiResponse(ErrorSerializer, description="No such object, or not visible to you."),
    409: OpenApiResponse(ErrorSerializer, description="It clashes with the current data."),
}


def _errors(*codes):
    return {code: ERRORS[code] for code in codes}


class _ReadCreatePatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List, retrieve, create and partially update; no PUT and no DELETE."""

    output_serializer_class = None

    def output(self, instance, status_code=status.HTTP_200_OK):
        serializer = self.output_serializer_class(instance, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def parse(self, serializer_class, partial=False):
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# --- Journey stages and channels ----------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=s.StageCreateInputSerializer,
        responses={201: s.JourneyStageSerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample(
                "A new stage", value={"name": "Renew", "description": "Customers decide to stay."}
            )
        ],
    ),
    partial_update=extend_schema(
        request=s.StageUpdateInputSerializer,
        responses={200: s.JourneyStageSerializer, **_errors(400, 403, 404, 409)},
    ),
)
class JourneyStageViewSet(_ReadCreatePatchViewSet):
    """The stages of the customer decision journey, in order. Everyone reads them;
    administrators add and change them (retire one with `is_active=false`)."""

    serializer_class = output_serializer_class = s.JourneyStageSerializer
    filterset_class = JourneyStageFilterSet
    search_fields = ("name", "description")
    ordering_fields = ("position", "name", "id")
    ordering = ("position", "name")

    def get_queryset(self):
        return selectors.stage_list(user=self.request.user)

    def create(self, request):
        stage = services.stage_save(actor=request.user, **self.parse(s.StageCreateInputSerializer))
        return self.output(stage, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        stage = self.get_object()
        changes = self.parse(s.StageUpdateInputSerializer, partial=True)
        return self.output(services.stage_save(actor=request.user, stage=stage, **changes))


@extend_schema_view(
    create=extend_schema(
        request=s.ChannelCreateInputSerializer,
        responses={201: s.ChannelSerializer, **_errors(400, 403, 409)},
        examples=[OpenApiExample("A new channel", value={"name": "Mobile app"})],
    ),
    partial_update=extend_schema(
        request=s.ChannelUpdateInputSerializer,
        responses={200: s.ChannelSerializer, **_errors(400, 403, 404, 409)},
    ),
)
class ChannelViewSet(_ReadCreatePatchViewSet):
    """The channels touchpoints live in. Everyone reads them; administrators add and change
    them (retire one with `is_active=false`)."""

    serializer_class = output_serializer_class = s.ChannelSerializer
    filterset_class = ChannelFilterSet
    search_fields = ("name", "description")
    ordering_fields = ("name", "id")
    ordering = ("name",)

    def get_queryset(self):
        return selectors.channel_list(user=self.request.user)

    def create(self, request):
        channel = services.channel_save(
            actor=request.user, **self.parse(s.ChannelCreateInputSerializer)
        )
        return self.output(channel, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        channel = self.get_object()
        changes = self.parse(s.ChannelUpdateInputSerializer, partial=True)
        return self.output(services.channel_save(actor=request.user, channel=channel, **changes))


# --- Touchpoints --------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=s.TouchpointCreateInputSerializer,
        responses={201: s.TouchpointSerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample(
                "A new touchpoint",
                value={
                    "name": "Sign-up page",
                    "description": "Where prospects open an account online.",
                    "stage": "buy",
                    "channel": "web",
                    "segment": "small business",
                    "priority": "high",
                    "status": "active",
                    "data_steward": 7,
                },
            )
        ],
    ),
    partial_update=extend_schema(
        request=s.TouchpointUpdateInputSerializer,
        responses={200: s.TouchpointSerializer, **_errors(400, 403, 404, 409)},
        examples=[OpenApiExample("Archive it", value={"is_archived": True})],
    ),
)
class TouchpointViewSet(_ReadCreatePatchViewSet):
    """The touchpoint inventory, each with its health score and the reasons for it.

    Archived touchpoints are included unless you filter with `archived=false`. Executives and
    administrators add touchpoints; a touchpoint's data steward may also change it; only
    executives and administrators archive (`is_archived`).
    """

    serializer_class = output_serializer_class = s.TouchpointSerializer
    filterset_class = TouchpointFilterSet
    # Ordering is the filter set's `ordering` (shared with the HTML list), which sorts
    # priorities by urgency rather than alphabetically; DRF's OrderingFilter could not.
    filter_backends = (DjangoFilterBackend, filters.SearchFilter)
    search_fields = ("name", "description", "segment")

    def get_queryset(self):
        return selectors.touchpoint_list(user=self.request.user)

    def _with_health(self, touchpoints):
        context = self.get_serializer_context()
        context["health"] = health_for(touchpoints)
        return context

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context.setdefault("health", {})
        return context

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        serializer = s.TouchpointSerializer(rows, many=True, context=self._with_health(rows))
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def retrieve(self, request, pk=None):
        touchpoint = self.get_object()
        return Response(
            s.TouchpointSerializer(touchpoint, context=self._with_health([touchpoint])).data
        )

    def _fresh(self, touchpoint, status_code=status.HTTP_200_OK):
        """Answer with the touchpoint as the list shows it (counts, health)."""
        touchpoint = self.get_queryset().get(pk=touchpoint.pk)
        return Response(
            s.TouchpointSerializer(touchpoint, context=self._with_health([touchpoint])).data,
            status=status_code,
        )

    def create(self, request):
        data = self.parse(s.TouchpointCreateInputSerializer)
        return self._fresh(
            services.touchpoint_create(actor=request.user, **data), status.HTTP_201_CREATED
        )

    def partial_update(self, request, pk=None):
        touchpoint = self.get_object()
        changes = self.parse(s.TouchpointUpdateInputSerializer, partial=True)
        return self._fresh(
            services.touchpoint_update(actor=request.user, touchpoint=touchpoint, **changes)
        )


# --- KPIs ---------------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=s.KpiCreateInputSerializer,
        responses={201: s.KpiSerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample(
                "A new KPI",
                value={
                    "touchpoint": 3,
                    "name": "Completion rate",
                    "unit": "%",
                    "direction": "higher",
                    "target": "80",
                    "at_risk_threshold": "70",
                    "period": "monthly",
                },
            )
        ],
    ),
    partial_update=extend_schema(
        request=s.KpiUpdateInputSerializer,
        responses={200: s.KpiSerializer, **_errors(400, 403, 404, 409)},
    ),
)
class KpiViewSet(_ReadCreatePatchViewSet):
    """KPIs per touchpoint, with their latest value and its status. A touchpoint's data
    steward, executives and administrators add and change them (retire with
    `is_active=false`)."""

    serializer_class = output_serializer_class = s.KpiSerializer
    filterset_class = KpiFilterSet
    search_fields = ("name", "unit", "touchpoint__name")
    ordering_fields = ("name", "touchpoint", "latest_period", "id")
    ordering = ("touchpoint", "name")

    def get_queryset(self):
        return selectors.kpi_list(user=self.request.user)

    def _fresh(self, kpi, status_code=status.HTTP_200_OK):
        return self.output(self.get_queryset().get(pk=kpi.pk), status_code)

    def create(self, request):
        data = dict(self.parse(s.KpiCreateInputSerializer))
        touchpoint = data.pop("touchpoint")
        kpi = services.kpi_create(actor=request.user, touchpoint=touchpoint, **data)
        return self._fresh(kpi, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        kpi = self.get_object()
        changes = self.parse(s.KpiUpdateInputSerializer, partial=True)
        return self._fresh(services.kpi_update(actor=request.user, kpi=kpi, **changes))


# --- Measurements -------------------------------------------------------------------------------


def _batch_status(exc: RowsRejected) -> int:
    """403 when every row was refused for permission, 409 when every row clashes, else 400."""
    codes = set(exc.codes)
    if codes == {"not_allowed"}:
        return status.HTTP_403_FORBIDDEN
    if codes == {"conflict"}:
        return status.HTTP_409_CONFLICT
    return status.HTTP_400_BAD_REQUEST


def _rows_refused(rows: list[tuple[int, str]], code: str, status_code: int) -> Response:
    count = len(rows)
    detail = (
        f"{count} row{'s' if count != 1 else ''} cannot be recorded, so nothing was; "
        "see errors.rows."
    )
    body = error_body(detail, code, {"rows": [{"index": i, "reason": r} for i, r in rows]})
    return Response(body, status=status_code)


BULK_EXAMPLE = {
    "measurements": [
        {"kpi": 12, "period": "2026-09-01", "value": "81.5", "source": "CRM monthly report"},
        {"kpi": 12, "period": "2026-10-01", "value": "83", "source": "CRM monthly report"},
        {"kpi": 13, "period": "2026-10-01", "value": "4.2"},
    ]
}


@extend_schema_view(
    create=extend_schema(
        request=s.MeasurementCreateInputSerializer,
        responses={201: s.MeasurementSerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample(
                "One value",
                value={"kpi": 12, "period": "2026-10-01", "value": "83", "source": "CRM"},
            )
        ],
    ),
)
class MeasurementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """KPI values, one per KPI and period, newest first (cursor-paginated: follow `next`).

    The touchpoint's data steward and administrators record values: one at a time, or many
    at once with `bulk/`, all or nothing. Values are not changed or deleted here.
    """

    serializer_class = s.MeasurementSerializer
    filterset_class = MeasurementFilterSet
    pagination_class = CursorPagination
    search_fields = ("source", "kpi__name")
    # A cursor needs one fixed, unique ordering: newest (`-id`, the default) or oldest first.
    ordering_fields = ("id",)
    ordering = ("-id",)

    def get_queryset(self):
        return selectors.measurement_list(user=self.request.user)

    def create(self, request):
        serializer = s.MeasurementCreateInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        measurement = services.measurement_record(actor=request.user, **serializer.validated_data)
        return Response(
            s.MeasurementSerializer(measurement, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=s.MeasurementBulkInputSerializer,
        responses={
            201: s.MeasurementSerializer(many=True),
            400: OpenApiResponse(
                s.BulkErrorSerializer,
                description="Some rows cannot be recorded (each listed with its index and "
                "why); nothing was recorded.",
            ),
            403: OpenApiResponse(
                s.BulkErrorSerializer,
                description="You may record none of these rows; nothing was recorded.",
            ),
            409: OpenApiResponse(
                s.BulkErrorSerializer,
                description="Every row already has a value; nothing was recorded.",
            ),
        },
        examples=[OpenApiExample("Three values", value=BULK_EXAMPLE, request_only=True)],
    )
    @action(
        detail=False, methods=["post"], url_path="bulk", pagination_class=None, filter_backends=()
    )
    def bulk(self, request):
        """Record many values at once, all or nothing: if any row cannot be recorded, none
        is, and the answer lists every such row by its index (from 0) and why."""
        serializer = s.MeasurementBulkInputSerializer(data=request.data)
        if not serializer.is_valid():
            row_errors = serializer.errors.get("measurements")
            if (
                isinstance(row_errors, dict)
                and row_errors
                and all(isinstance(index, int) for index in row_errors)
            ):
                return _rows_refused(_shape_errors(row_errors), "invalid", 400)
            serializer.is_valid(raise_exception=True)
        rows = [
            MeasurementRow(
                kpi_id=row["kpi"],
                period=row["period"],
                value=row["value"],
                source=row.get("source", ""),
                line=index,
            )
            for index, row in enumerate(serializer.validated_data["measurements"])
        ]
        try:
            measurements = services.measurements_record(actor=request.user, rows=rows)
        except RowsRejected as exc:
            codes = set(exc.codes)
            code = codes.pop() if len(codes) == 1 else "invalid"
            return _rows_refused(exc.errors, code, _batch_status(exc))
        ids = [m.pk for m in measurements]
        saved = self.get_queryset().filter(pk__in=ids).order_by("kpi_id", "period")
        return Response(
            s.MeasurementSerializer(saved, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


def _shape_errors(row_errors: dict) -> list[tuple[int, str]]:
    """DRF's per-row errors ({1: {"value": ["..."]}}) as (index, reason) pairs."""
    found = []
    for index, fields in sorted(row_errors.items()):
        reason = "; ".join(
            " ".join(str(m) for m in messages)
            if name == "non_field_errors"
            else f"{name}: {' '.join(str(m) for m in messages)}"
            for name, messages in fields.items()
        )
        found.append((index, reason))
    return found
