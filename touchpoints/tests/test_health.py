from datetime import date
from decimal import Decimal

import pytest

from charter.models import Right
from charter.tests.factories import RightAssignmentFactory
from touchpoints.health import (
    AT_RISK_POINTS,
    OFF_TARGET_POINTS,
    STALE_POINTS,
    UNMEASURED_POINTS,
    health_for,
    is_stale,
    period_start,
    periods_back,
)
from touchpoints.models import Kpi
from touchpoints.tests.factories import KpiFactory, MeasurementFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [
        ("85", "higher", "on_target"),
        ("80", "higher", "on_target"),
        ("75", "higher", "at_risk"),
        ("70", "higher", "at_risk"),
        ("69.99", "higher", "off_target"),
        ("250", "lower", "on_target"),
        ("330", "lower", "at_risk"),
        ("400", "lower", "off_target"),
    ],
)
def test_kpi_status_follows_direction_and_threshold(value, direction, expected):
    kpi = (
        Kpi(direction="higher", target=Decimal("80"), at_risk_threshold=Decimal("70"))
        if direction == "higher"
        else Kpi(direction="lower", target=Decimal("300"), at_risk_threshold=Decimal("360"))
    )
    assert kpi.status_of(Decimal(value)) == expected


def test_without_threshold_anything_short_of_target_is_off_target():
    kpi = Kpi(direction="higher", target=Decimal("80"))
    assert kpi.status_of(Decimal("79.9")) == "off_target"
    assert kpi.status_of(None) == "no_data"


def test_periods():
    assert period_start(date(2026, 11, 23), "monthly") == date(2026, 11, 1)
    assert period_start(date(2026, 11, 23), "weekly") == date(2026, 11, 23)  # a Monday
    assert period_start(date(2026, 11, 23), "quarterly") == date(2026, 10, 1)
    assert periods_back(date(2026, 1, 15), "monthly", 2) == date(2025, 11, 1)
    assert periods_back(date(2026, 2, 15), "quarterly", 1) == date(2025, 10, 1)


def test_staleness_counts_whole_periods():
    # monthly, stale after 2: on 23 Nov, September is fresh, August is stale
    assert not is_stale(date(2026, 9, 1), "monthly", 2, TODAY)
    assert is_stale(date(2026, 8, 1), "monthly", 2, TODAY)
    assert is_stale(None, "monthly", 2, TODAY)


def _hold_all_rights(touchpoint):
    for right in Right.values:
        RightAssignmentFactory(touchpoint=touchpoint, right=right)


def test_healthy_touchpoint_scores_100_with_no_reasons(time_machine):
    time_machine.move_to("2026-11-23 12:00Z")
    kpi = KpiFactory()
    MeasurementFactory(kpi=kpi, period=date(2026, 10, 1), value=Decimal("90"))
    _hold_all_rights(kpi.touchpoint)

    health = health_for([kpi.touchpoint])[kpi.touchpoint.pk]

    assert health.score == 100
    assert health.band == "healthy"
    assert health.penalties == []


def test_each_finding_costs_its_points_and_says_why(time_machine):
    time_machine.move_to("2026-11-23 12:00Z")
    touchpoint = TouchpointFactory()
    off = KpiFactory(touchpoint=touchpoint, name="Conversion")
    MeasurementFactory(kpi=off, period=date(2026, 10, 1), value=Decimal("50"))
    risky = KpiFactory(touchpoint=touchpoint, name="Retention")
    MeasurementFactory(kpi=risky, period=date(2026, 10, 1), value=Decimal("75"))
    stale = KpiFactory(touchpoint=touchpoint, name="NPS")
    MeasurementFactory(kpi=stale, period=date(2026, 6, 1), value=Decimal("99"))
    RightAssignmentFactory(touchpoint=touchpoint, right="design")
    RightAssignmentFactory(touchpoint=touchpoint, right="build")
    RightAssignmentFactory(touchpoint=touchpoint, right="operate")

    health = health_for([touchpoint])[touchpoint.pk]

    expected = OFF_TARGET_POINTS + AT_RISK_POINTS + STALE_POINTS + 10  # one vacant right
    assert health.score == 100 - expected
    reasons = " | ".join(p.reason for p in health.penalties)
    assert "Conversion is off target: 50 % against 80 %" in reasons
    assert "Retention is at risk" in reasons
    assert "NPS is stale: last measured for 2026-06-01" in reasons
    assert "Nobody holds the right to update it" in reasons
    assert [p.points for p in health.penalties] == sorted(
        (p.points for p in health.penalties), reverse=True
    )


def test_unmeasured_touchpoint_and_floor_at_zero():
    touchpoint = TouchpointFactory()
    health = health_for([touchpoint])[touchpoint.pk]
    assert health.score == 100 - UNMEASURED_POINTS - 4 * 10
    assert health.band == "watch"
    for _ in range(10):
        KpiFactory(touchpoint=touchpoint)  # ten never-measured KPIs
    assert health_for([touchpoint])[touchpoint.pk].score == 0
    assert health_for([touchpoint])[touchpoint.pk].band == "at_risk"


def test_contested_right_costs_points(admin_user):
    from charter import services
    from engagement.org.tests.factories import FunctionFactory, UserFactory

    touchpoint = TouchpointFactory()
    _hold_all_rights(touchpoint)
    claimant = FunctionFactory(name="Sales")
    claimant.head = UserFactory()
    claimant.save()
    services.right_claim(
        actor=claimant.head, touchpoint=touchpoint, right="design", function=claimant
    )
    reasons = [p.reason for p in health_for([touchpoint])[touchpoint.pk].penalties]
    assert "The right to design it is contested" in reasons


def test_health_of_many_touchpoints_costs_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    few = [TouchpointFactory() for _ in range(3)]
    many = [TouchpointFactory() for _ in range(30)]
    for tp in few + many:
        MeasurementFactory(kpi=KpiFactory(touchpoint=tp))
    with django_assert_num_queries(3):  # KPIs with latest values, holders, open conflicts
        health_for(few)
    with django_assert_num_queries(3):
        health_for(many)
