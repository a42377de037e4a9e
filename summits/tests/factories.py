from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from boards.tests.factories import BoardFactory
from engagement.org.tests.factories import FunctionFactory, UserFactory
from summits.models import ActionItem, Capability, JourneyReview, Participant, Summit
from touchpoints.tests.factories import JourneyStageFactory


class SummitFactory(factory.django.DjangoModelFactory):
    """A summit in planning that started yesterday (so it may be marked held)."""

    class Meta:
        model = Summit

    title = factory.Sequence(lambda n: f"Customer-engagement summit {n}")
    purpose = "Walk the journey; leave with commitments."
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on)
    location = "Head office"
    chair = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("chair")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    summit = factory.SubFactory(SummitFactory)
    function = factory.SubFactory(FunctionFactory)
    person = factory.SubFactory(UserFactory, function=factory.SelfAttribute("..function"))


class JourneyReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JourneyReview

    summit = factory.SubFactory(SummitFactory)
    stage = factory.SubFactory(JourneyStageFactory)
    current_level = 2
    target_level = 4
    updated_by = factory.SelfAttribute("summit.chair")


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability

    summit = factory.SubFactory(SummitFactory)
    area = Capability.Area.CONTENT
    sourcing = Capability.Sourcing.INTERNAL
    gap = 3
    owner = factory.SubFactory(UserFactory)


class ActionItemFactory(factory.django.DjangoModelFactory):
    """An open item due in a month, owned by someone who sits in the owner function."""

    class Meta:
        model = ActionItem
        skip_postgeneration_save = True

    summit = factory.SubFactory(SummitFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    description = "Make it happen."
    owner_function = factory.SubFactory(FunctionFactory)
    owner = factory.SubFactory(UserFactory, function=factory.SelfAttribute("..owner_function"))
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    board = factory.SubFactory(BoardFactory)
    created_by = factory.SelfAttribute("summit.chair")
