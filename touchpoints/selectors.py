"""Read use cases for touchpoints and their fact base. They own the query shape (joins,
prefetches, counts), so a list costs the same number of queries whatever its length."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from engagement.org.models import User
from touchpoints import permissions
from touchpoints.models import Channel, JourneyStage, Kpi, Measurement, Touchpoint

RECENT_VALUES = 12


def priority_rank():
    """Priorities in their order of urgency (critical first), not alphabetically."""
    return Case(
        *[
            When(priority=value, then=Value(rank))
            for value, rank in Touchpoint.PRIORITY_RANK.items()
        ],
        default=Value(len(Touchpoint.PRIORITY_RANK)),
        output_field=IntegerField(),
    )


def _active_kpi_count():
    counts = (
        Kpi.objects.filter(touchpoint=OuterRef("pk"), is_active=True)
        .order_by()
        .values("touchpoint")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def touchpoint_list(*, user, include_archived: bool = True):
    """Touchpoints the user may see, with stage, channel, steward, KPI count and priority rank.

    Filtering (stage, search, archived...) is left to ``TouchpointFilterSet``, shared by the
    HTML list and the API.
    """
    qs = Touchpoint.objects.visible_to(user)
    if not include_archived:
        qs = qs.current()
    return (
        qs.select_related("stage", "channel", "data_steward")
        .annotate(kpi_count=_active_kpi_count(), priority_rank=priority_rank())
        .order_by("stage__position", "name", "pk")
    )


def touchpoint_get(*, user, pk) -> Touchpoint:
    """One touchpoint, archived or not; ``Touchpoint.DoesNotExist`` if the user may not see it."""
    return touchpoint_list(user=user).get(pk=pk)


def recent_measurements(count: int = RECENT_VALUES) -> Prefetch:
    """The last ``count`` values of each KPI, newest first, in one query for all the KPIs
    (a sliced prefetch: a window function numbers each KPI's rows)."""
    return Prefetch(
        "measurements",
        queryset=Measurement.objects.order_by("-period")[:count],
        to_attr="recent_measurements",
    )


def touchpoint_kpis(*, touchpoint: Touchpoint) -> list[Kpi]:
    """The touchpoint's KPIs (active first), each with ``recent_measurements`` (newest first),
    ``latest`` (the newest measurement or None) and ``latest_status``. Two queries."""
    kpis = list(
        touchpoint.kpis.all().order_by("-is_active", "name").prefetch_related(recent_measurements())
    )
    for kpi in kpis:
        kpi.latest = kpi.recent_measurements[0] if kpi.recent_measurements else None
        kpi.latest_status = kpi.status_of(kpi.latest.value if kpi.latest else None)
    return kpis


def _latest_measurement():
    return Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period")


def kpi_list(*, user):
    """KPIs the user may see, with their touchpoint and latest value and period."""
    latest = _latest_measurement()
    return (
        Kpi.objects.visible_to(user)
        .select_related("touchpoint")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_period=Subquery(latest.values("period")[:1]),
        )
        .order_by("touchpoint_id", "name", "pk")
    )


def kpi_get(*, user, pk) -> Kpi:
    """One KPI with its touchpoint; ``Kpi.DoesNotExist`` if the user may not see it."""
    return (
        kpi_list(user=user)
        .select_related("touchpoint__stage", "touchpoint__channel")
        .prefetch_related(recent_measurements())
        .get(pk=pk)
    )


def kpis_recordable_by(*, user) -> list[Kpi]:
    """Active KPIs whose values the user may record (the import page lists their ids)."""
    kpis = (
        Kpi.objects.visible_to(user)
        .active()
        .filter(touchpoint__is_archived=False)
        .select_related("touchpoint", "touchpoint__stage")
        .order_by("touchpoint__stage__position", "touchpoint__name", "name")
    )
    return [kpi for kpi in kpis if permissions.can_record_measurement(user, kpi)]


def measurement_list(*, user):
    """Measurements of the KPIs the user may see, newest first, with who entered them."""
    return (
        Measurement.objects.filter(kpi__in=Kpi.objects.visible_to(user))
        .select_related("kpi", "entered_by")
        .order_by("-id")
    )


def stage_list(*, user, include_retired: bool = True):
    qs = JourneyStage.objects.visible_to(user)
    if not include_retired:
        qs = qs.active()
    return qs.order_by("position", "name")


def channel_list(*, user, include_retired: bool = True):
    qs = Channel.objects.visible_to(user)
    if not include_retired:
        qs = qs.active()
    return qs.order_by("name")


def steward_choices(*, user):
    """People who steward at least one touchpoint (the list page's steward filter)."""
    stewards = Touchpoint.objects.visible_to(user).exclude(data_steward=None).values("data_steward")
    return User.objects.visible_to(user).filter(pk__in=stewards).order_by("last_name", "first_name")
