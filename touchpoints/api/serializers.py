"""Serializers of the touchpoint API.

Output serializers are read-only ``ModelSerializer``\\s. Writes go through ``*InputSerializer``
classes that check the shape of the input only; the services decide the rest (permission,
domain rules, uniqueness) and their errors come back in the API's one error format.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagement.org.api.serializers import PersonRefSerializer
from engagement.org.models import User
from touchpoints.models import Channel, JourneyStage, Kpi, Measurement, Touchpoint

# --- Output -------------------------------------------------------------------------------------


class JourneyStageSerializer(serializers.ModelSerializer):
    class Meta:
        model = JourneyStage
        fields = ("id", "slug", "name", "position", "description", "is_active")
        read_only_fields = fields


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ("id", "slug", "name", "description", "is_active")
        read_only_fields = fields


class StageRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = JourneyStage
        fields = ("id", "slug", "name", "position")
        read_only_fields = fields


class ChannelRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ("id", "slug", "name")
        read_only_fields = fields


class PenaltySerializer(serializers.Serializer):
    points = serializers.IntegerField(help_text="Points taken off the score.")
    reason = serializers.CharField()
    source = serializers.CharField(help_text="Which part of governance found it: kpi, charter...")


class HealthSerializer(serializers.Serializer):
    score = serializers.IntegerField(help_text="0 to 100: 100 minus the penalties.")
    band = serializers.ChoiceField(choices=("healthy", "watch", "at_risk"))
    band_label = serializers.CharField(help_text="The band in words, in the request's language.")
    penalties = PenaltySerializer(many=True, help_text="Why points were taken off, worst first.")


class TouchpointSerializer(serializers.ModelSerializer):
    """A touchpoint with its health. The health comes from the view (``context["health"]``),
    computed for a whole page of touchpoints at once."""

    stage = StageRefSerializer(read_only=True)
    channel = ChannelRefSerializer(read_only=True)
    data_steward = PersonRefSerializer(read_only=True, allow_null=True)
    kpi_count = serializers.IntegerField(read_only=True, help_text="Active KPIs.")
    health = serializers.SerializerMethodField()

    class Meta:
        model = Touchpoint
        fields = (
            "id",
            "name",
            "description",
            "stage",
            "channel",
            "segment",
            "priority",
            "status",
            "data_steward",
            "is_archived",
            "kpi_count",
            "health",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(HealthSerializer)
    def get_health(self, obj):
        health = self.context["health"][obj.pk]
        return {
            "score": health.score,
            "band": health.band,
            "band_label": str(health.band_label),
            "penalties": [
                {"points": p.points, "reason": p.reason, "source": p.source}
                for p in health.penalties
            ],
        }


class TouchpointRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Touchpoint
        fields = ("id", "name")
        read_only_fields = fields


class KpiSerializer(serializers.ModelSerializer):
    touchpoint = TouchpointRefSerializer(read_only=True)
    latest_value = serializers.DecimalField(
        max_digits=14, decimal_places=4, read_only=True, allow_null=True
    )
    latest_period = serializers.DateField(read_only=True, allow_null=True)
    latest_status = serializers.SerializerMethodField()

    class Meta:
        model = Kpi
        fields = (
            "id",
            "touchpoint",
            "name",
            "unit",
            "direction",
            "target",
            "at_risk_threshold",
            "period",
            "stale_after_periods",
            "is_active",
            "latest_value",
            "latest_period",
            "latest_status",
        )
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(choices=("on_target", "at_risk", "off_target", "no_data"))
    )
    def get_latest_status(self, obj) -> str:
        return obj.status_of(getattr(obj, "latest_value", None))


class MeasurementSerializer(serializers.ModelSerializer):
    touchpoint = serializers.IntegerField(source="kpi.touchpoint_id", read_only=True)
    entered_by = PersonRefSerializer(read_only=True)

    class Meta:
        model = Measurement
        fields = (
            "id",
            "kpi",
            "touchpoint",
            "period",
            "value",
            "source",
            "entered_by",
            "entered_at",
        )
        read_only_fields = fields


# --- Input --------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class _VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """An id of an object the requesting person may see; others read as "does not exist"."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.model.objects.visible_to(getattr(request, "user", None))


class StageCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=100, required=False, help_text="Made from the name.")
    position = serializers.IntegerField(
        min_value=0, required=False, help_text="Order along the journey; last when left out."
    )
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class StageUpdateInputSerializer(StageCreateInputSerializer):
    name = serializers.CharField(max_length=100, required=False)


class ChannelCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=100, required=False, help_text="Made from the name.")
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class ChannelUpdateInputSerializer(ChannelCreateInputSerializer):
    name = serializers.CharField(max_length=100, required=False)


class TouchpointCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    stage = serializers.SlugRelatedField(
        slug_field="slug", queryset=JourneyStage.objects.all(), help_text="Journey stage slug."
    )
    channel = serializers.SlugRelatedField(
        slug_field="slug", queryset=Channel.objects.all(), help_text="Channel slug."
    )
    segment = serializers.CharField(max_length=100, required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=Touchpoint.Priority.choices, required=False)
    status = serializers.ChoiceField(choices=Touchpoint.Status.choices, required=False)
    data_steward = _VisibleRelatedField(
        User, required=False, allow_null=True, help_text="Id of the person who keeps its figures."
    )


class TouchpointUpdateInputSerializer(TouchpointCreateInputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    stage = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=JourneyStage.objects.all(),
        required=False,
        help_text="Journey stage slug.",
    )
    channel = serializers.SlugRelatedField(
        slug_field="slug", queryset=Channel.objects.all(), required=False, help_text="Channel slug."
    )
    is_archived = serializers.BooleanField(
        required=False, help_text="Archive (or restore) the touchpoint: executives and admins."
    )


class KpiCreateInputSerializer(serializers.Serializer):
    touchpoint = _VisibleRelatedField(Touchpoint, help_text="Touchpoint id.")
    name = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=30)
    direction = serializers.ChoiceField(choices=Kpi.Direction.choices, required=False)
    target = serializers.DecimalField(max_digits=14, decimal_places=4)
    at_risk_threshold = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True
    )
    period = serializers.ChoiceField(choices=Kpi.Period.choices, required=False)
    stale_after_periods = serializers.IntegerField(min_value=1, max_value=32767, required=False)
    is_active = serializers.BooleanField(required=False)


class KpiUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    unit = serializers.CharField(max_length=30, required=False)
    direction = serializers.ChoiceField(choices=Kpi.Direction.choices, required=False)
    target = serializers.DecimalField(max_digits=14, decimal_places=4, required=False)
    at_risk_threshold = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True
    )
    period = serializers.ChoiceField(choices=Kpi.Period.choices, required=False)
    stale_after_periods = serializers.IntegerField(min_value=1, max_value=32767, required=False)
    is_active = serializers.BooleanField(required=False, help_text="Retire (or restore) the KPI.")


class MeasurementCreateInputSerializer(serializers.Serializer):
    kpi = _VisibleRelatedField(Kpi, help_text="KPI id.")
    period = serializers.DateField(
        help_text="Any day of the period; recorded as the period's first day."
    )
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MeasurementRowInputSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(help_text="KPI id.")
    period = serializers.DateField(
        help_text="Any day of the period; recorded as the period's first day."
    )
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MeasurementBulkInputSerializer(serializers.Serializer):
    measurements = MeasurementRowInputSerializer(many=True, allow_empty=False, max_length=5000)


# --- Errors, for the schema -----------------------------------------------------------------------


class RowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the row in `measurements`, from 0.")
    reason = serializers.CharField()


class RowErrorsSerializer(serializers.Serializer):
    rows = RowErrorSerializer(many=True)


class BulkErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = RowErrorsSerializer(help_text="Every row that cannot be recorded, and why.")
