from __future__ import annotations

from datetime import date, time, timedelta

import factory
from django.utils import timezone

from boards.models import AgendaItem, Board, Meeting, Membership
from engagement.org.tests.factories import FunctionFactory, UserFactory


class BoardFactory(factory.django.DjangoModelFactory):
    """An active board meeting every Monday at 09:00 in London since the start of 2026.
    Meetings are not created: tests call ``sync_meetings`` or use ``MeetingFactory``."""

    class Meta:
        model = Board
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Board {n}")
    purpose = "Steers the customer journey."
    chair = factory.SubFactory(UserFactory)
    cadence = "FREQ=WEEKLY;BYDAY=MO"
    time_zone = "Europe/London"
    starts_on = date(2026, 1, 5)
    start_time = time(9, 0)
    duration_minutes = 60
    location = "Board room"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    board = factory.SubFactory(BoardFactory)
    person = factory.SubFactory(UserFactory)
    function = factory.SubFactory(FunctionFactory)
    role = Membership.Role.MEMBER
    started_on = factory.LazyFunction(timezone.localdate)


class MeetingFactory(factory.django.DjangoModelFactory):
    """An ad-hoc meeting a week from now, unless given an ``occurrence``."""

    class Meta:
        model = Meeting

    board = factory.SubFactory(BoardFactory)
    occurrence = None
    starts_at = factory.LazyAttribute(
        lambda o: o.occurrence or timezone.now().replace(microsecond=0) + timedelta(days=7)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    location = ""


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
