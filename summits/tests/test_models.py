"""The rules the database keeps for summits whatever writes to it, and the models' cheap
predicates: overdue, late, which status may follow which."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from engagement.org.tests.factories import UserFactory
from summits.models import ActionItem, ActionItemUpdate, Capability, JourneyReview
from summits.tests.factories import (
    ActionItemFactory,
    CapabilityFactory,
    JourneyReviewFactory,
    ParticipantFactory,
    SummitFactory,
)
from touchpoints.tests.factories import JourneyStageFactory, KpiFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
TODAY = NOW.date()

Status = ActionItem.Status


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def refused_by_the_database():
    """Assert the block is refused by a constraint, and roll it back so the test goes on."""

    def check(make):
        with pytest.raises(IntegrityError), transaction.atomic():
            make()

    return check


# --- Summits and participants ------------------------------------------------------------------


def test_a_summit_cannot_end_before_it_starts(refused_by_the_database):
    refused_by_the_database(
        lambda: SummitFactory(starts_on=TODAY, ends_on=TODAY - timedelta(days=1))
    )
    assert SummitFactory(starts_on=TODAY, ends_on=TODAY).ends_on == TODAY


def test_a_summit_says_whether_it_is_closed():
    summit = SummitFactory(title="Summit 2026")
    assert (str(summit), summit.is_closed) == ("Summit 2026", False)
    summit.status = summit.Status.CLOSED
    assert summit.is_closed


def test_a_person_takes_part_in_a_summit_once(refused_by_the_database):
    participant = ParticipantFactory()
    refused_by_the_database(
        lambda: ParticipantFactory(summit=participant.summit, person=participant.person)
    )
    # the same person at another summit is another participation
    ParticipantFactory(person=participant.person, function=participant.function)


# --- The journey review ------------------------------------------------------------------------


def test_a_review_is_of_a_stage_or_a_touchpoint_not_both_nor_neither(refused_by_the_database):
    touchpoint = TouchpointFactory()
    refused_by_the_database(lambda: JourneyReviewFactory(stage=None, touchpoint=None))
    refused_by_the_database(
        lambda: JourneyReviewFactory(stage=touchpoint.stage, touchpoint=touchpoint)
    )


@pytest.mark.parametrize("level", ["current_level", "target_level"])
@pytest.mark.parametrize("value", [0, 6])
def test_engagement_levels_run_from_1_to_5(refused_by_the_database, level, value):
    refused_by_the_database(lambda: JourneyReviewFactory(**{level: value}))
    # and a form or serializer validating the model says so in the same words
    review = JourneyReviewFactory.build(summit=SummitFactory(), **{level: value})
    with pytest.raises(ValidationError) as invalid:
        review.full_clean()
    assert invalid.value.message_dict[level] == ["Engagement levels run from 1 to 5."]


def test_a_stage_or_a_touchpoint_is_reviewed_once_per_summit(refused_by_the_database):
    review = JourneyReviewFactory()
    refused_by_the_database(lambda: JourneyReviewFactory(summit=review.summit, stage=review.stage))
    touchpoint = TouchpointFactory()
    JourneyReviewFactory(summit=review.summit, stage=None, touchpoint=touchpoint)
    refused_by_the_database(
        lambda: JourneyReviewFactory(summit=review.summit, stage=None, touchpoint=touchpoint)
    )
    # another summit reviews them again
    JourneyReviewFactory(stage=review.stage)
    JourneyReviewFactory(stage=None, touchpoint=touchpoint)


def test_the_gap_is_target_minus_current():
    stage = JourneyStageFactory(name="Evaluate")
    review = JourneyReviewFactory(stage=stage, current_level=2, target_level=5)
    assert (review.gap, str(review)) == (3, "Evaluate")
    assert JourneyReview(current_level=4, target_level=3).gap == -1  # over-served


def test_a_kpi_is_evidence_once_per_review(refused_by_the_database):
    review = JourneyReviewFactory()
    kpi = KpiFactory()
    review.evidence.create(kpi=kpi, value=1)
    refused_by_the_database(lambda: review.evidence.create(kpi=kpi, value=2))


# --- The capability plan -----------------------------------------------------------------------


def test_the_plan_has_one_row_per_area(refused_by_the_database):
    row = CapabilityFactory(area="data")
    refused_by_the_database(lambda: CapabilityFactory(summit=row.summit, area="data"))
    CapabilityFactory(summit=row.summit, area="brand")


@pytest.mark.parametrize("gap", [0, 6])
def test_the_capability_gap_runs_from_1_to_5(refused_by_the_database, gap):
    refused_by_the_database(lambda: CapabilityFactory(gap=gap))
    row = CapabilityFactory.build(summit=SummitFactory(), owner=UserFactory(), gap=gap)
    with pytest.raises(ValidationError) as invalid:
        row.full_clean()
    assert invalid.value.message_dict["gap"] == ["The gap runs from 1 to 5."]


def test_partner_names_are_read_from_the_list():
    row = Capability(partners=" Acme ,, Northwind Traders ,")
    assert row.partner_names == ["Acme", "Northwind Traders"]
    assert Capability(partners="").partner_names == []
    assert str(Capability(area="experience")) == "customer-experience design and delivery"


# --- Action items ------------------------------------------------------------------------------


def test_only_a_done_item_has_a_completion_date(refused_by_the_database):
    refused_by_the_database(lambda: ActionItemFactory(status=Status.DONE, completed_on=None))
    for status in (Status.OPEN, Status.IN_PROGRESS, Status.CANCELLED):
        refused_by_the_database(lambda s=status: ActionItemFactory(status=s, completed_on=TODAY))
    assert ActionItemFactory(status=Status.DONE, completed_on=TODAY).completed_on == TODAY


def test_an_open_item_is_overdue_from_the_day_after_its_due_date():
    item = ActionItemFactory(due_on=TODAY + timedelta(days=2))
    assert not item.is_overdue
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        assert not item.is_overdue  # due today
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        assert item.is_overdue
        item.status = Status.IN_PROGRESS
        assert item.is_overdue
        # a closed item is never overdue
        item.status = Status.CANCELLED
        assert not item.is_overdue
        item.status, item.completed_on = Status.DONE, TODAY
        assert not item.is_overdue


def test_done_after_the_due_date_is_late():
    due = TODAY - timedelta(days=5)
    late = ActionItemFactory(status=Status.DONE, due_on=due, completed_on=due + timedelta(1))
    on_time = ActionItemFactory(status=Status.DONE, due_on=due, completed_on=due)
    assert (late.was_late, on_time.was_late) == (True, False)
    # an item not done is not late, however overdue
    assert not ActionItemFactory(due_on=due).was_late


LIFECYCLE = {
    (Status.OPEN, Status.IN_PROGRESS),
    (Status.OPEN, Status.CANCELLED),
    (Status.IN_PROGRESS, Status.DONE),
    (Status.IN_PROGRESS, Status.CANCELLED),
}


@pytest.mark.parametrize("start", Status.values)
@pytest.mark.parametrize("to", Status.values)
def test_an_item_moves_one_step_at_a_time(start, to):
    item = ActionItem(status=start)
    assert item.may_become(to) == ((start, to) in LIFECYCLE)
    assert item.is_open == (start in (Status.OPEN, Status.IN_PROGRESS))


def test_the_timeline_reads_in_order():
    item = ActionItemFactory()
    author = item.created_by
    later = ActionItemUpdate.objects.create(
        item=item, kind="progress", author=author, created_at=NOW + timedelta(hours=1)
    )
    first = ActionItemUpdate.objects.create(item=item, kind="created", author=author)
    assert list(item.updates.all()) == [first, later]
    assert str(later) == f"progress update: {item.title}"
