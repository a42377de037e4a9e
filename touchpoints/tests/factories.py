from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from engagement.org.tests.factories import UserFactory
from touchpoints.models import Channel, JourneyStage, Kpi, Measurement, Touchpoint


class JourneyStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JourneyStage
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Stage {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    position = factory.Sequence(lambda n: n + 1)


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Channel {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    name = factory.Sequence(lambda n: f"Touchpoint {n}")
    stage = factory.SubFactory(JourneyStageFactory, name="Buy")
    channel = factory.SubFactory(ChannelFactory, name="Web")
    priority = Touchpoint.Priority.HIGH
    status = Touchpoint.Status.ACTIVE
    data_steward = factory.SubFactory(UserFactory)


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    touchpoint = factory.SubFactory(TouchpointFactory)
    name = factory.Sequence(lambda n: f"KPI {n}")
    unit = "%"
    direction = Kpi.Direction.HIGHER
    target = Decimal("80")
    at_risk_threshold = Decimal("70")
    period = Kpi.Period.MONTHLY


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    kpi = factory.SubFactory(KpiFactory)
    period = date(2026, 10, 1)
    value = Decimal("85")
    source = "CRM"
    entered_by = factory.SubFactory(UserFactory)
