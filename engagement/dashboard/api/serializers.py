"""The dashboard's figures as data: one serializer per figure of
``engagement.dashboard.figures``, each with ``url``, the full address of the list that shows
the rows behind it, and ``unapplied_filters``, the dashboard filters that list cannot apply
(it then shows more rows than the figure counts).

Output only; everything is read from the ``DashboardSummary`` the selector built, so the
serializers cost no query.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

FILTER_NAMES = "function, stage or board"


@extend_schema_field(OpenApiTypes.URI)
class LinkField(serializers.Field):
    """A ``figures.Link`` as the full address of its list (the path when there is no
    request to take the host from)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "The list that shows the rows behind this figure.")
        super().__init__(**kwargs)

    def to_representation(self, link) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(link.url) if request is not None else link.url


def unapplied(source: str = "link.unapplied"):
    return serializers.ListField(
        child=serializers.CharField(),
        source=source,
        read_only=True,
        help_text=f"Dashboard filters ({FILTER_NAMES}) the linked list cannot apply.",
    )


class DashboardFiltersSerializer(serializers.Serializer):
    function = serializers.CharField(source="function.slug", allow_null=True)
    stage = serializers.CharField(source="stage.slug", allow_null=True)
    board = serializers.IntegerField(source="board.pk", allow_null=True)
    period = serializers.CharField(help_text="30d, 90d, 180d or 365d.")


class DashboardRightCoverageSerializer(serializers.Serializer):
    right = serializers.CharField(source="right.value", help_text="design, build, operate, update")
    held = serializers.IntegerField()
    vacant = serializers.IntegerField()


class DashboardCoverageSerializer(serializers.Serializer):
    touchpoints = serializers.IntegerField(
        source="summary.touchpoints", help_text="Touchpoints in scope that are open for claims."
    )
    rights_total = serializers.IntegerField(source="summary.rights_total")
    held = serializers.IntegerField(source="summary.held")
    vacant = serializers.IntegerField(source="summary.vacant")
    contested = serializers.IntegerField(
        source="summary.contested", help_text="Open conflicts on those touchpoints."
    )
    pending_claims = serializers.IntegerField(source="summary.pending_claims")
    percent = serializers.IntegerField(
        source="summary.percent", allow_null=True, help_text="Share of rights held, 0 to 100."
    )
    by_right = DashboardRightCoverageSerializer(source="summary.by_right", many=True)
    url = LinkField(source="link")
    vacant_url = LinkField(source="vacant_link")
    contested_url = LinkField(source="contested_link")
    unapplied_filters = unapplied()


class DashboardBreakdownSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        source="key", allow_null=True, help_text="The board's or function's id; null: none."
    )
    name = serializers.CharField(source="label")
    count = serializers.IntegerField()
    url = LinkField(source="link")


class DashboardConflictBoardSerializer(DashboardBreakdownSerializer):
    over_30_days = serializers.IntegerField(source="extra.over_30")


class DashboardConflictAgeSerializer(serializers.Serializer):
    under_7_days = serializers.IntegerField(source="under_7")
    from_7_to_30_days = serializers.IntegerField(source="7_to_30")
    over_30_days = serializers.IntegerField(source="over_30")


class DashboardConflictsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_age = DashboardConflictAgeSerializer()
    ungoverned = serializers.IntegerField(help_text="On touchpoints no active board governs.")
    oldest_opened_at = serializers.DateTimeField(allow_null=True)
    by_board = DashboardConflictBoardSerializer(
        many=True, help_text="A conflict counts under every board that governs its touchpoint."
    )
    url = LinkField(source="link")
    unapplied_filters = unapplied()


class DashboardOverdueSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_board = DashboardBreakdownSerializer(many=True)
    by_function = DashboardBreakdownSerializer(many=True, help_text="id null: no owner function.")
    url = LinkField(source="link")
    unapplied_filters = unapplied()


class DashboardBoardCadenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="board.pk")
    name = serializers.CharField(source="board.name")
    planned = serializers.IntegerField(source="health.planned")
    held = serializers.IntegerField(source="health.held")
    cancelled = serializers.IntegerField(source="health.cancelled")
    held_share = serializers.IntegerField(source="health.held_share", allow_null=True)
    latency_days = serializers.FloatField(source="health.latency_days", allow_null=True)
    decided_conflicts = serializers.IntegerField(source="health.decided_conflicts")
    url = LinkField(source="link")


class DashboardCadenceSerializer(serializers.Serializer):
    since = serializers.DateField(help_text="First day of the period.")
    planned = serializers.IntegerField(
        help_text="Meetings that started in the period, not cancelled."
    )
    held = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    held_share = serializers.IntegerField(allow_null=True, help_text="held / planned, 0 to 100.")
    latency_days = serializers.FloatField(
        allow_null=True,
        help_text="Median days from a conflict opening to the board's decision on it.",
    )
    decided_conflicts = serializers.IntegerField()
    boards = DashboardBoardCadenceSerializer(many=True)


class DashboardBoardRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class DashboardWaitingEscalationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    status = serializers.CharField(help_text="open or acknowledged")
    from_board = DashboardBoardRefSerializer()
    to_board = DashboardBoardRefSerializer()
    raised_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, escalation) -> str:
        request = self.context.get("request")
        path = escalation.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path


class DashboardEscalationBodySerializer(DashboardBreakdownSerializer):
    oldest_raised_at = serializers.DateTimeField(source="extra.oldest")


class DashboardEscalationsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    oldest_raised_at = serializers.DateTimeField(allow_null=True)
    by_body = DashboardEscalationBodySerializer(
        many=True, help_text="Per body at the top of a ladder (it escalates to nobody)."
    )
    oldest = DashboardWaitingEscalationSerializer(
        many=True, help_text="The longest waiting, oldest first."
    )
    url = LinkField(source="link")
    unapplied_filters = unapplied()


class DashboardKpiCountsSerializer(serializers.Serializer):
    on_target = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    off_target = serializers.IntegerField()
    stale = serializers.IntegerField(help_text="Not measured recently (or never).")


class DashboardStageKpiSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="stage.pk")
    slug = serializers.CharField(source="stage.slug")
    name = serializers.CharField(source="stage.name")
    counts = DashboardKpiCountsSerializer()
    total = serializers.IntegerField()
    url = LinkField(source="link")
    unapplied_filters = unapplied()


class DashboardKpiStatusSerializer(serializers.Serializer):
    totals = DashboardKpiCountsSerializer()
    stages = DashboardStageKpiSerializer(many=True)


class DashboardAtRiskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="touchpoint.pk")
    name = serializers.CharField(source="touchpoint.name")
    stage = serializers.CharField(source="touchpoint.stage.name")
    priority = serializers.CharField(source="touchpoint.priority")
    score = serializers.IntegerField(help_text="Health, 0 to 100.")
    band = serializers.CharField(help_text="healthy, watch or at_risk")
    reasons = serializers.ListField(child=serializers.CharField())
    url = LinkField(source="link")


class DashboardCompletionSerializer(serializers.Serializer):
    done_on_time = serializers.IntegerField(source="on_time")
    done_late = serializers.IntegerField(source="late")
    open = serializers.IntegerField(help_text="Not yet due.")
    overdue = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    committed = serializers.IntegerField(help_text="All but the cancelled.")
    total = serializers.IntegerField()
    completion_rate = serializers.IntegerField(
        source="rate", allow_null=True, help_text="Done of committed, 0 to 100."
    )


class DashboardSummitCompletionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="summit.pk")
    title = serializers.CharField(source="summit.title")
    starts_on = serializers.DateField(source="summit.starts_on")
    completion = DashboardCompletionSerializer(
        help_text="All the summit's items, as its page shows."
    )
    url = LinkField(source="link")
    unapplied_filters = unapplied()


class DashboardSummitsSerializer(serializers.Serializer):
    since = serializers.DateField()
    total = DashboardCompletionSerializer(
        help_text="The shown summits' items, narrowed by the filters."
    )
    summits = DashboardSummitCompletionSerializer(many=True)
    url = LinkField(source="link")


class DashboardTrendPointSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="The Monday of the snapshot's week.")
    coverage_percent = serializers.IntegerField(allow_null=True)
    vacant = serializers.IntegerField()
    contested = serializers.IntegerField()
    open_conflicts = serializers.IntegerField()
    overdue_decisions = serializers.IntegerField()
    overdue_actions = serializers.IntegerField()
    ceo_escalations = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    filters = DashboardFiltersSerializer()
    today = serializers.DateField(help_text="The day the figures were counted.")
    since = serializers.DateField(help_text="First day of the period.")
    coverage = DashboardCoverageSerializer()
    conflicts = DashboardConflictsSerializer()
    overdue_decisions = DashboardOverdueSerializer()
    overdue_actions = DashboardOverdueSerializer()
    cadence = DashboardCadenceSerializer()
    ceo_escalations = DashboardEscalationsSerializer()
    kpi_status = DashboardKpiStatusSerializer()
    at_risk = DashboardAtRiskSerializer(many=True, help_text="The ten touchpoints most at risk.")
    summits = DashboardSummitsSerializer()
    trend = DashboardTrendPointSerializer(
        many=True, help_text="Weekly snapshots, oldest first; empty until the first one."
    )
