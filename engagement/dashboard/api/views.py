"""``GET /api/v1/dashboard/``: the executive dashboard's figures as data, for other tools.

The same figures as the page (``dashboard_summary``), with the same filters as query
parameters; an unknown value is a 400 naming each parameter, through the API's one error
handler. Every figure carries the full address of the list behind it.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.core.api.errors import ErrorSerializer
from engagement.dashboard.api.serializers import DashboardSerializer
from engagement.dashboard.filters import DEFAULT_PERIOD, PERIODS, DashboardFilters, InvalidFilters
from engagement.dashboard.permissions import CanViewDashboard
from engagement.dashboard.selectors import dashboard_summary

PARAMETERS = [
    OpenApiParameter(
        "function", OpenApiTypes.STR, description="A function's slug or id: its part only."
    ),
    OpenApiParameter("stage", OpenApiTypes.STR, description="A journey stage's slug."),
    OpenApiParameter(
        "board", OpenApiTypes.INT, description="A board's id: the touchpoints it governs."
    ),
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        enum=list(PERIODS),
        default=DEFAULT_PERIOD,
        description="The window for board cadence, decision latency and summits.",
    ),
]


class DashboardView(APIView):
    """Charter coverage, open conflicts, overdue decisions and action items, board cadence
    and decision latency, escalations waiting for the CEO, KPI status by journey stage, the
    touchpoints most at risk and summit action completion, for what the caller may see."""

    permission_classes = (CanViewDashboard,)

    @extend_schema(
        operation_id="dashboard_retrieve",
        parameters=PARAMETERS,
        responses={
            200: DashboardSerializer,
            400: OpenApiResponse(ErrorSerializer, description="An unknown filter value."),
            401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
            403: OpenApiResponse(ErrorSerializer, description="Not allowed."),
        },
    )
    def get(self, request):
        try:
            filters = DashboardFilters.from_params(request.query_params, user=request.user)
        except InvalidFilters as exc:
            raise serializers.ValidationError(
                {name: [message] for name, message in exc.errors.items()}
            ) from None
        summary = dashboard_summary(user=request.user, filters=filters)
        return Response(DashboardSerializer(summary, context={"request": request}).data)
