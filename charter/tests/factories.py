from __future__ import annotations

import factory
from django.utils import timezone

from charter.models import Claim, Right, RightAssignment
from engagement.org.tests.factories import FunctionFactory, UserFactory
from touchpoints.tests.factories import TouchpointFactory


class RightAssignmentFactory(factory.django.DjangoModelFactory):
    """An active holder. Tests that exercise granting use the services instead."""

    class Meta:
        model = RightAssignment

    touchpoint = factory.SubFactory(TouchpointFactory)
    right = Right.DESIGN
    function = factory.SubFactory(FunctionFactory)
    started_at = factory.LazyFunction(timezone.now)
    source = RightAssignment.Source.ADMIN


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    touchpoint = factory.SubFactory(TouchpointFactory)
    right = Right.BUILD
    function = factory.SubFactory(FunctionFactory)
    claimant = factory.SubFactory(UserFactory)
    status = Claim.Status.PENDING
