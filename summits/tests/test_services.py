"""The summits' services: a summit's life (planning → held → closed), its participants, the
journey review with its evidence, the capability plan, and action items from the summit's
chair to the board that follows them up. Every refusal changes nothing; every success leaves
one audit event per row it changes."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import OperationalError, connection, transaction

from boards import services as board_services
from boards.models import AgendaItem, Decision, DecisionFact, Meeting
from boards.tests.factories import BoardFactory, MeetingFactory
from engagement.audit.models import AuditEvent
from engagement.core.errors import Conflict, DomainError, Invalid, NotAllowed
from engagement.org.tests.factories import FunctionFactory, UserFactory
from summits import selectors, services
from summits.models import (
    ActionItem,
    ActionItemUpdate,
    Capability,
    JourneyReview,
    Participant,
    ReviewEvidence,
    Summit,
)
from summits.tests.factories import ActionItemFactory, SummitFactory
from touchpoints.tests.factories import (
    JourneyStageFactory,
    KpiFactory,
    MeasurementFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db

# A Monday. The ``summit`` fixture starts the day before; the ``item`` fixture is due in 30 days.
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
YESTERDAY = TODAY - timedelta(days=1)

Status = ActionItem.Status


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


# --- What a refusal must leave alone -----------------------------------------------------------


def state():
    """Everything a summits service could change, to compare before and after a refusal."""
    return (
        list(
            Summit.objects.values_list(
                "pk", "title", "starts_on", "ends_on", "location", "chair_id", "status"
            ).order_by("pk")
        ),
        list(Participant.objects.values_list("pk", "person_id", "function_id").order_by("pk")),
        list(
            JourneyReview.objects.values_list(
                "pk", "current_level", "target_level", "notes"
            ).order_by("pk")
        ),
        list(ReviewEvidence.objects.values_list("pk", "kpi_id", "value").order_by("pk")),
        list(
            Capability.objects.values_list(
                "pk", "area", "sourcing", "partners", "gap", "owner_id"
            ).order_by("pk")
        ),
        list(
            ActionItem.objects.values_list(
                "pk",
                "title",
                "priority",
                "status",
                "due_on",
                "owner_id",
                "owner_function_id",
                "completed_on",
            ).order_by("pk")
        ),
        list(ActionItem.touchpoints.through.objects.values_list("pk").order_by("pk")),
        list(ActionItem.agenda_items.through.objects.values_list("pk").order_by("pk")),
        ActionItemUpdate.objects.count(),
        list(Decision.objects.values_list("pk", "status").order_by("pk")),
        DecisionFact.objects.count(),
        AgendaItem.objects.count(),
        AuditEvent.objects.count(),
    )


@contextmanager
def refused(error, match=None):
    """The block raises ``error`` (with ``match`` in its message) and changes nothing."""
    before = state()
    with pytest.raises(error, match=match) as info:
        yield info
    assert state() == before


def verbs_since(count: int) -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True)[count:])


@contextmanager
def audited(*verbs):
    """The block writes exactly these audit events, in this order."""
    count = AuditEvent.objects.count()
    yield
    assert verbs_since(count) == list(verbs)


def timeline(item) -> list[str]:
    return list(item.updates.order_by("created_at", "pk").values_list("kind", flat=True))


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def started(item, member):
    return services.action_item_start(actor=member, item=item)


# --- Summits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("caller", ["executive", "admin_user"])
def test_an_executive_or_an_administrator_calls_a_summit_in_planning(request, caller, summit_chair):
    actor = request.getfixturevalue(caller)
    with audited("summit.created"):
        summit = services.summit_create(
            actor=actor, title="  Summit 2027 ", starts_on=date(2026, 9, 1), chair=summit_chair,
            location=" Lisbon ",
        )  # fmt: skip
    summit.refresh_from_db()
    assert summit.status == Summit.Status.PLANNING
    assert (summit.title, summit.location) == ("Summit 2027", "Lisbon")
    assert summit.ends_on == summit.starts_on  # a one-day summit unless told otherwise
    assert summit.created_by == actor
    event = AuditEvent.objects.last()
    assert (event.actor, event.object_id, event.after["chair"]["id"]) == (
        actor, str(summit.pk), summit_chair.pk,
    )  # fmt: skip


@pytest.mark.parametrize(
    "caller", ["summit_chair", "chair", "member", "function_owner", "outsider"]
)
def test_nobody_else_calls_a_summit(request, caller, summit_chair):
    actor = request.getfixturevalue(caller)
    with refused(NotAllowed, "Only executives and administrators"):
        services.summit_create(
            actor=actor, title="Summit", starts_on=date(2026, 9, 1), chair=summit_chair
        )


def test_the_chair_of_a_new_summit_must_be_active(executive):
    gone = UserFactory(is_active=False)
    with refused(Invalid, "no longer active in the organisation") as info:
        services.summit_create(actor=executive, title="S", starts_on=date(2026, 9, 1), chair=gone)
    assert info.value.field == "chair"


def test_a_summit_cannot_end_before_it_starts(executive, summit_chair):
    with refused(Invalid, "cannot end before it starts"):
        services.summit_create(
            actor=executive, title="S", chair=summit_chair, starts_on=date(2026, 9, 2),
            ends_on=date(2026, 9, 1),
        )  # fmt: skip


def test_a_summit_needs_a_title_and_a_start(executive, summit_chair):
    with refused(Invalid, "title"):
        services.summit_create(actor=executive, title="  ", starts_on=TODAY, chair=summit_chair)
    with refused(Invalid, "starts"):
        services.summit_create(actor=executive, title="S", starts_on=None, chair=summit_chair)


def test_the_chair_moves_the_dates_with_the_old_and_new_in_the_log(summit, summit_chair):
    with audited("summit.updated"):
        services.summit_update(
            actor=summit_chair, summit=summit, starts_on=TODAY, ends_on=TODAY + timedelta(1)
        )
    summit.refresh_from_db()
    assert (summit.starts_on, summit.ends_on) == (TODAY, TODAY + timedelta(1))
    event = AuditEvent.objects.last()
    assert event.before["starts_on"] == YESTERDAY.isoformat()
    assert event.after["starts_on"] == TODAY.isoformat()


def test_an_update_that_changes_nothing_leaves_no_event(summit, summit_chair):
    with audited():
        services.summit_update(actor=summit_chair, summit=summit, title=summit.title)


def test_only_executives_and_administrators_change_who_chairs(
    summit, summit_chair, executive, admin_user
):
    newcomer = UserFactory()
    with refused(NotAllowed, "who chairs"):
        services.summit_update(actor=summit_chair, summit=summit, chair=newcomer)
    # naming themself again is no change, so the chair may send the whole form back
    services.summit_update(actor=summit_chair, summit=summit, chair=summit_chair, title="T")
    with audited("summit.updated"):
        services.summit_update(actor=executive, summit=summit, chair=newcomer)
    assert fresh(summit).chair == newcomer
    services.summit_update(actor=admin_user, summit=summit, chair=summit_chair)
    assert fresh(summit).chair == summit_chair


def test_a_new_chair_must_be_active_and_takes_over_at_once(summit, summit_chair, executive):
    gone = UserFactory(is_active=False)
    with refused(Invalid, "no longer active in the organisation") as info:
        services.summit_update(actor=executive, summit=summit, chair=gone)
    assert info.value.field == "chair"
    successor = UserFactory()
    services.summit_update(actor=executive, summit=summit, chair=successor)
    # the former chair no longer runs it
    with refused(NotAllowed):
        services.summit_hold(actor=summit_chair, summit=summit)
    services.summit_hold(actor=successor, summit=summit)


def test_the_chair_cannot_change_the_status_by_editing(summit, summit_chair):
    with refused(Invalid, "Unknown field"):
        services.summit_update(actor=summit_chair, summit=summit, status=Summit.Status.CLOSED)


def test_the_start_cannot_move_past_an_item_already_due(summit, summit_chair, item):
    later = item.due_on + timedelta(days=1)
    with refused(Invalid, "before the new start; re-plan it first") as info:
        services.summit_update(actor=summit_chair, summit=summit, starts_on=later, ends_on=later)
    assert info.value.field == "starts_on"
    # up to the due date itself is fine
    services.summit_update(
        actor=summit_chair, summit=summit, starts_on=item.due_on, ends_on=item.due_on
    )


def test_the_chair_marks_the_summit_held_from_its_first_day(summit_chair):
    summit = SummitFactory(chair=summit_chair, starts_on=TODAY + timedelta(days=2))
    with refused(Conflict, "cannot be held before then"):
        services.summit_hold(actor=summit_chair, summit=summit)
    with time_machine.travel(NOW + timedelta(days=2), tick=False), audited("summit.held"):
        services.summit_hold(actor=summit_chair, summit=summit)
    summit.refresh_from_db()
    assert summit.status == Summit.Status.HELD
    assert summit.held_at == NOW + timedelta(days=2)


def test_a_summit_is_held_once_and_only_by_its_chair(summit, summit_chair, executive, admin_user):
    for other in (executive, admin_user):
        with refused(NotAllowed, "Only the chair"):
            services.summit_hold(actor=other, summit=summit)
    services.summit_hold(actor=summit_chair, summit=summit)
    with refused(Conflict, "already held"):
        services.summit_hold(actor=summit_chair, summit=summit)
    services.summit_close(actor=summit_chair, summit=summit)
    with refused(Conflict, "already closed"):
        services.summit_hold(actor=summit_chair, summit=summit)


def test_a_summit_is_closed_only_once_held(summit, summit_chair, executive):
    with refused(Conflict, "mark it held first"):
        services.summit_close(actor=summit_chair, summit=summit)
    services.summit_hold(actor=summit_chair, summit=summit)
    with refused(NotAllowed, "Only the chair"):
        services.summit_close(actor=executive, summit=summit)
    with audited("summit.closed"):
        services.summit_close(actor=summit_chair, summit=summit)
    assert fresh(summit).status == Summit.Status.CLOSED
    with refused(Conflict, "already closed"):
        services.summit_close(actor=summit_chair, summit=summit)


@pytest.fixture
def closed(summit, summit_chair, item, participant, touchpoint):
    """``summit`` closed, with a participant, a review, a plan row and an open item."""
    review = services.review_add(
        actor=summit_chair, summit=summit, touchpoint=touchpoint, current_level=2, target_level=4
    )
    capability = services.capability_add(
        actor=summit_chair, summit=summit, area="content", sourcing="internal", gap=2,
        owner=summit_chair,
    )  # fmt: skip
    services.summit_hold(actor=summit_chair, summit=summit)
    services.summit_close(actor=summit_chair, summit=summit)
    summit.refresh_from_db()
    return {"review": review, "capability": capability}


def test_a_closed_summit_freezes_its_record(
    closed, summit, summit_chair, participant, executive, admin_user, function, board, member
):
    newcomer = UserFactory(function=function)
    review, capability = closed["review"], closed["capability"]
    frozen = [
        lambda: services.summit_update(actor=executive, summit=summit, title="New title"),
        lambda: services.participant_add(
            actor=admin_user, summit=summit, person=newcomer, function=function
        ),
        lambda: services.participant_remove(
            actor=summit_chair, participant=Participant.objects.get(person=participant)
        ),
        lambda: services.review_add(
            actor=participant,
            summit=summit,
            stage=JourneyStageFactory(),
            current_level=1,
            target_level=2,
        ),
        lambda: services.review_update(actor=summit_chair, review=review, current_level=3),
        lambda: services.review_remove(actor=summit_chair, review=review),
        lambda: services.capability_add(
            actor=summit_chair,
            summit=summit,
            area="data",
            sourcing="internal",
            gap=2,
            owner=summit_chair,
        ),
        lambda: services.capability_update(actor=participant, capability=capability, gap=5),
        lambda: services.capability_remove(actor=summit_chair, capability=capability),
        lambda: services.action_item_create(
            actor=summit_chair,
            summit=summit,
            title="One more",
            owner=member,
            owner_function=function,
            board=board,
            due_on=TODAY + timedelta(days=9),
        ),
    ]
    for act in frozen:
        with refused(Conflict, "is closed") as info:
            act()
        assert info.value.status_code == 409


def test_the_action_items_of_a_closed_summit_go_on(closed, item, member, chair, summit_chair):
    services.action_item_start(actor=member, item=item)
    services.action_item_progress(actor=member, item=item, note="Half way")
    services.action_item_replan(
        actor=chair, item=item, reason="Needs the vendor", due_on=item.due_on + timedelta(9)
    )
    services.action_item_complete(actor=member, item=item)
    assert fresh(item).status == Status.DONE
    other = ActionItemFactory(summit=item.summit, board=item.board)
    services.action_item_cancel(actor=summit_chair, item=other, reason="Overtaken by events")
    assert fresh(other).status == Status.CANCELLED


# --- Participants ------------------------------------------------------------------------------


def test_the_chair_invites_someone_from_the_function_they_represent(summit, summit_chair, function):
    person = UserFactory(function=function)
    with audited("participant.added"):
        participant = services.participant_add(
            actor=summit_chair, summit=summit, person=person, function=function,
            note=" presents the buy stage ",
        )  # fmt: skip
    assert (participant.function, participant.note) == (function, "presents the buy stage")


def test_someone_acting_for_a_function_may_represent_it(summit, summit_chair, function,
                                                        other_function):  # fmt: skip
    # given a delegate of ``function`` who sits in ``other_function``
    person = UserFactory(function=other_function)
    function.delegates.add(person)
    # then they may represent either
    services.participant_add(actor=summit_chair, summit=summit, person=person, function=function)
    assert Participant.objects.get(person=person).function == function


def test_a_participant_must_work_in_or_act_for_the_function(summit, summit_chair, function,
                                                             other_function):  # fmt: skip
    person = UserFactory(function=other_function)
    with refused(Invalid, "neither works in nor acts for Marketing") as info:
        services.participant_add(
            actor=summit_chair, summit=summit, person=person, function=function
        )
    assert info.value.field == "person"
    gone = UserFactory(function=function, is_active=False)
    with refused(Invalid, "no longer active"):
        services.participant_add(actor=summit_chair, summit=summit, person=gone, function=function)
    archived = FunctionFactory(name="Old unit", is_active=False)
    keen = UserFactory(function=archived)
    with refused(Invalid, "archived"):
        services.participant_add(actor=summit_chair, summit=summit, person=keen, function=archived)


def test_a_person_takes_part_once(summit, summit_chair, participant, other_function):
    with refused(Conflict, "already takes part") as info:
        services.participant_add(
            actor=summit_chair, summit=summit, person=participant, function=other_function
        )
    assert info.value.status_code == 409


def test_an_invited_person_may_review_at_once_and_not_once_removed(
    summit, summit_chair, function, touchpoint
):
    person = UserFactory(function=function)
    # they tried before being invited (which is remembered on their user object)...
    with refused(NotAllowed):
        services.review_add(
            actor=person, summit=summit, touchpoint=touchpoint, current_level=2, target_level=3
        )
    participant = services.participant_add(
        actor=summit_chair, summit=summit, person=person, function=function
    )
    # ...and may now, in the same request
    review = services.review_add(
        actor=person, summit=summit, touchpoint=touchpoint, current_level=2, target_level=3
    )
    with audited("participant.removed"):
        services.participant_remove(actor=summit_chair, participant=participant)
    assert not Participant.objects.filter(person=person).exists()
    with refused(NotAllowed):
        services.review_update(actor=person, review=review, current_level=3)


# --- Journey review ----------------------------------------------------------------------------


@pytest.fixture
def kpi(touchpoint):
    """Measured in April (75, at risk) and May (82, on target); the target is 80."""
    kpi = KpiFactory(touchpoint=touchpoint, name="First-call resolution", target=Decimal("80"))
    MeasurementFactory(kpi=kpi, period=date(2026, 4, 1), value=Decimal("75"))
    MeasurementFactory(kpi=kpi, period=date(2026, 5, 1), value=Decimal("82"))
    return kpi


def test_a_participant_reviews_a_touchpoint_with_its_evidence_as_it_stands(
    summit, participant, touchpoint, kpi
):
    with audited("review.added"):
        review = services.review_add(
            actor=participant, summit=summit, touchpoint=touchpoint, current_level=2,
            target_level=4, notes=" Long waits ", kpis=[kpi],
        )  # fmt: skip
    assert (review.gap, review.notes, review.updated_by) == (2, "Long waits", participant)
    evidence = review.evidence.get()
    assert evidence.value == Decimal("82")
    assert evidence.period == date(2026, 5, 1)
    assert evidence.target == Decimal("80")
    assert evidence.kpi_status == "on_target"
    assert evidence.captured_at == NOW
    assert AuditEvent.objects.last().after["kpis"] == [kpi.pk]


def test_evidence_keeps_what_the_summit_saw(summit, summit_chair, touchpoint, kpi):
    review = services.review_add(
        actor=summit_chair, summit=summit, touchpoint=touchpoint, current_level=2,
        target_level=4, kpis=[kpi],
    )  # fmt: skip
    captured = review.evidence.get()
    # a month later, a new measurement comes in and the target is raised
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        MeasurementFactory(kpi=kpi, period=date(2026, 6, 1), value=Decimal("60"))
        kpi.target = Decimal("90")
        kpi.save()
        # editing the review and keeping the KPI keeps the captured value
        services.review_update(actor=summit_chair, review=review, notes="Seen again", kpis=[kpi])
        kept = review.evidence.get()
        assert (kept.pk, kept.value, kept.target, kept.kpi_status, kept.captured_at) == (
            captured.pk, Decimal("82"), Decimal("80"), "on_target", NOW,
        )  # fmt: skip
        # a KPI added now is captured as it stands now
        second = KpiFactory(
            touchpoint=touchpoint, name="Wait time", target=Decimal("50"),
            at_risk_threshold=Decimal("45"),
        )  # fmt: skip
        MeasurementFactory(kpi=second, period=date(2026, 6, 1), value=Decimal("40"))
        services.review_update(actor=summit_chair, review=review, kpis=[kpi, second])
        added = review.evidence.get(kpi=second)
        assert (added.value, added.kpi_status, added.captured_at) == (
            Decimal("40"), "off_target", NOW + timedelta(days=30),
        )  # fmt: skip
        assert review.evidence.get(kpi=kpi).value == Decimal("82")
    # a KPI left out is dropped
    with audited("review.updated"):
        services.review_update(actor=summit_chair, review=review, kpis=[second])
    assert list(review.evidence.values_list("kpi", flat=True)) == [second.pk]
    # and without ``kpis`` the evidence stays as it is
    services.review_update(actor=summit_chair, review=review, current_level=3)
    assert list(review.evidence.values_list("kpi", flat=True)) == [second.pk]


def test_a_kpi_without_measurements_is_evidence_with_no_data(summit, summit_chair, touchpoint):
    kpi = KpiFactory(touchpoint=touchpoint)
    review = services.review_add(
        actor=summit_chair, summit=summit, touchpoint=touchpoint, current_level=2,
        target_level=4, kpis=[kpi],
    )  # fmt: skip
    evidence = review.evidence.get()
    assert (evidence.value, evidence.period, evidence.kpi_status) == (None, None, "no_data")


def test_a_stage_review_takes_kpis_of_its_touchpoints_only(summit, summit_chair, touchpoint, kpi):
    # ``touchpoint`` sits at the "Buy" stage
    buy = touchpoint.stage
    review = services.review_add(
        actor=summit_chair, summit=summit, stage=buy, current_level=3, target_level=4, kpis=[kpi]
    )
    assert review.evidence.get().kpi == kpi
    elsewhere = KpiFactory(touchpoint=TouchpointFactory(stage=JourneyStageFactory(name="Bond")))
    with refused(Invalid, "which is not at Buy") as info:
        services.review_update(actor=summit_chair, review=review, kpis=[kpi, elsewhere])
    assert info.value.field == "kpis"


def test_a_touchpoint_review_takes_kpis_of_that_touchpoint_only(summit, summit_chair, touchpoint):
    other = KpiFactory(touchpoint=TouchpointFactory(name="Web chat"))
    with refused(Invalid, "measures Web chat, not Call-centre script"):
        services.review_add(
            actor=summit_chair, summit=summit, touchpoint=touchpoint, current_level=2,
            target_level=4, kpis=[other],
        )  # fmt: skip


@pytest.mark.parametrize("subject", ["both", "neither"])
def test_a_review_is_of_a_stage_or_a_touchpoint(summit, summit_chair, touchpoint, subject):
    chosen = {"stage": touchpoint.stage, "touchpoint": touchpoint} if subject == "both" else {}
    with refused(Invalid, "either a journey stage or a touchpoint"):
        services.review_add(
            actor=summit_chair, summit=summit, current_level=2, target_level=4, **chosen
        )


@pytest.mark.parametrize("level", ["current_level", "target_level"])
@pytest.mark.parametrize("value", [0, 6])
def test_engagement_levels_run_from_1_to_5(summit, summit_chair, touchpoint, level, value):
    levels = {"current_level": 3, "target_level": 3, level: value}
    with refused(Invalid, "Engagement levels run from 1 to 5.") as info:
        services.review_add(actor=summit_chair, summit=summit, touchpoint=touchpoint, **levels)
    assert info.value.field == level
    review = services.review_add(
        actor=summit_chair, summit=summit, touchpoint=touchpoint, current_level=1, target_level=5
    )
    with refused(Invalid, "Engagement levels run from 1 to 5."):
        services.review_update(actor=summit_chair, review=review, **{level: value})


def test_a_stage_is_reviewed_once_per_summit(summit, summit_chair, participant, touchpoint):
    services.review_add(
        actor=summit_chair, summit=summit, stage=touchpoint.stage, current_level=2, target_level=3
    )
    with refused(Conflict, "already reviews Buy") as info:
        services.review_add(
            actor=participant, summit=summit, stage=touchpoint.stage, current_level=1,
            target_level=5,
        )  # fmt: skip
    assert info.value.status_code == 409
    # the stage and one of its touchpoints are two reviews
    services.review_add(
        actor=participant, summit=summit, touchpoint=touchpoint, current_level=1, target_level=5
    )


def test_outsiders_do_not_review(summit, outsider, executive, admin_user, touchpoint):
    for person in (outsider, executive, admin_user):
        with refused(NotAllowed, "Only the chair and the participants"):
            services.review_add(
                actor=person, summit=summit, touchpoint=touchpoint, current_level=2,
                target_level=4,
            )  # fmt: skip


def test_a_review_is_removed_with_its_evidence(summit, participant, touchpoint, kpi):
    review = services.review_add(
        actor=participant, summit=summit, touchpoint=touchpoint, current_level=2,
        target_level=4, kpis=[kpi],
    )  # fmt: skip
    with audited("review.removed"):
        services.review_remove(actor=participant, review=review)
    assert not JourneyReview.objects.exists()
    assert not ReviewEvidence.objects.exists()


# --- Capability plan ---------------------------------------------------------------------------


def test_a_participant_plans_a_capability_area(summit, participant, member):
    with audited("capability.added"):
        capability = services.capability_add(
            actor=participant, summit=summit, area="data", sourcing="mixed", gap=4,
            owner=member, partners=" Acme Analytics ,, Northwind ",
        )  # fmt: skip
    assert capability.partners == "Acme Analytics, Northwind"
    assert capability.partner_names == ["Acme Analytics", "Northwind"]


@pytest.mark.parametrize("sourcing", ["external", "mixed"])
def test_partners_are_named_when_a_capability_is_sourced_outside(
    summit, summit_chair, member, sourcing
):
    with refused(Invalid, r"Name the external partner\(s\)") as info:
        services.capability_add(
            actor=summit_chair, summit=summit, area="brand", sourcing=sourcing, gap=3,
            owner=member, partners=" , ",
        )  # fmt: skip
    assert info.value.field == "partners"


def test_an_internal_capability_has_no_partners(summit, summit_chair, member):
    with refused(Invalid, "internally sourced capability has no partners"):
        services.capability_add(
            actor=summit_chair, summit=summit, area="brand", sourcing="internal", gap=3,
            owner=member, partners="Acme",
        )  # fmt: skip
    capability = services.capability_add(
        actor=summit_chair, summit=summit, area="brand", sourcing="external", gap=3,
        owner=member, partners="Acme",
    )  # fmt: skip
    # switching to internal means clearing the partners
    with refused(Invalid, "internally sourced"):
        services.capability_update(actor=summit_chair, capability=capability, sourcing="internal")
    with audited("capability.updated"):
        services.capability_update(
            actor=summit_chair, capability=capability, sourcing="internal", partners=""
        )


def test_the_plan_has_one_row_per_area(summit, summit_chair, participant, member):
    services.capability_add(
        actor=summit_chair, summit=summit, area="content", sourcing="internal", gap=2,
        owner=member,
    )  # fmt: skip
    with refused(Conflict, "already covers content and communications") as info:
        services.capability_add(
            actor=participant, summit=summit, area="content", sourcing="internal", gap=5,
            owner=member,
        )  # fmt: skip
    assert info.value.status_code == 409


@pytest.mark.parametrize("gap", [0, 6])
def test_the_capability_gap_runs_from_1_to_5(summit, summit_chair, member, gap):
    with refused(Invalid, "The gap runs from 1 to 5.") as info:
        services.capability_add(
            actor=summit_chair, summit=summit, area="content", sourcing="internal", gap=gap,
            owner=member,
        )  # fmt: skip
    assert info.value.field == "gap"


def test_a_capability_owner_must_be_active(summit, summit_chair):
    gone = UserFactory(is_active=False)
    with refused(Invalid, "no longer active"):
        services.capability_add(
            actor=summit_chair, summit=summit, area="content", sourcing="internal", gap=2,
            owner=gone,
        )  # fmt: skip


def test_a_capability_row_is_removed_by_a_reviewer(summit, summit_chair, participant, member):
    capability = services.capability_add(
        actor=summit_chair, summit=summit, area="content", sourcing="internal", gap=2,
        owner=member,
    )  # fmt: skip
    with audited("capability.removed"):
        services.capability_remove(actor=participant, capability=capability)
    assert not Capability.objects.exists()


# --- Action items: recording them --------------------------------------------------------------


@pytest.fixture
def record(summit, summit_chair, member, function, board, touchpoint):
    """Records an item of ``summit`` as its chair; keyword arguments override the defaults."""

    def make(**overrides):
        fields = {
            "actor": summit_chair, "summit": summit, "title": "Shorter hold times",
            "owner": member, "owner_function": function, "board": board,
            "due_on": TODAY + timedelta(days=30), "touchpoints": [touchpoint],
            **overrides,
        }  # fmt: skip
        return services.action_item_create(**fields)

    return make


def test_the_chair_records_an_item_that_lands_in_the_board_backlog(
    record, summit_chair, member, function, board, touchpoint
):
    with audited("action_item.created"):
        item = record(title="  Shorter hold times ", priority="high", description=" Why ")
    item.refresh_from_db()
    assert (item.title, item.description, item.priority) == ("Shorter hold times", "Why", "high")
    assert (item.status, item.owner, item.owner_function) == (Status.OPEN, member, function)
    assert (item.created_by, item.completed_on) == (summit_chair, None)
    assert list(item.touchpoints.all()) == [touchpoint]
    created = item.updates.get()
    assert (created.kind, created.status_after, created.due_after, created.owner_after) == (
        "created", "open", TODAY + timedelta(days=30), member,
    )  # fmt: skip
    assert list(selectors.board_backlog(user=member, board=board)) == [item]


def test_an_item_is_not_due_before_the_summit(summit_chair, record):
    later = SummitFactory(chair=summit_chair, starts_on=TODAY + timedelta(days=10))
    with refused(Invalid, "cannot be before the summit") as info:
        record(summit=later, due_on=TODAY + timedelta(days=9))
    assert info.value.field == "due_on"
    record(summit=later, due_on=TODAY + timedelta(days=10))


def test_an_item_is_not_due_in_the_past(summit_chair, record):
    # a summit that started ten days ago is recorded late: its items are due from today
    earlier = SummitFactory(chair=summit_chair, starts_on=TODAY - timedelta(days=10))
    with refused(Invalid, "cannot be in the past"):
        record(summit=earlier, due_on=YESTERDAY)
    with refused(Invalid, "Give the item a due date"):
        record(summit=earlier, due_on=None)
    record(summit=earlier, due_on=TODAY)


def test_an_owner_who_left_is_refused(record, function):
    gone = UserFactory(function=function, is_active=False)
    with refused(Invalid, "no longer active in the organisation") as info:
        record(owner=gone)
    assert info.value.field == "owner"


def test_an_owner_from_outside_the_function_is_refused(record, outsider, other_function):
    with refused(Invalid, "neither works in nor acts for Marketing"):
        record(owner=outsider)
    with refused(Invalid, "neither works in nor acts for Marketing"):
        record(owner=UserFactory(function=other_function))


def test_the_owner_may_act_for_the_owner_function(record, function, other_function):
    delegate_elsewhere = UserFactory(function=other_function)
    function.delegates.add(delegate_elsewhere)
    item = record(owner=delegate_elsewhere)
    assert item.owner == delegate_elsewhere


def test_an_archived_board_or_touchpoint_or_function_is_refused(record, touchpoint):
    with refused(Invalid, "archived; choose an active board") as info:
        record(board=BoardFactory(name="Old board", is_active=False))
    assert info.value.field == "board"
    with refused(Invalid, "is archived") as info:
        record(touchpoints=[touchpoint, TouchpointFactory(name="Fax line", is_archived=True)])
    assert info.value.field == "touchpoints"
    gone = FunctionFactory(name="Old unit", is_active=False)
    with refused(Invalid, "Old unit is archived"):
        record(owner=UserFactory(function=gone), owner_function=gone)


def test_an_item_needs_a_title_and_a_board(record):
    with refused(Invalid, "Give the action item a title"):
        record(title="   ")
    with refused(Invalid, "Choose the board"):
        record(board=None)


def test_only_the_summit_chair_records_items(record, executive, admin_user, chair, participant):
    for person in (executive, admin_user, chair, participant):
        with refused(NotAllowed, "Only the chair of"):
            record(actor=person)


def test_the_title_priority_and_touchpoints_are_edited_by_the_steering(
    item, chair, member, touchpoint
):
    web = TouchpointFactory(name="Web chat")
    with audited("action_item.updated"):
        services.action_item_update(
            actor=chair, item=item, title="Rewrite the script", priority="critical",
            touchpoints=[touchpoint, web],
        )  # fmt: skip
    item.refresh_from_db()
    assert (item.title, item.priority) == ("Rewrite the script", "critical")
    assert set(item.touchpoints.all()) == {touchpoint, web}
    with refused(Invalid, "Unknown field"):
        services.action_item_update(actor=chair, item=item, due_on=TODAY + timedelta(days=90))
    with refused(NotAllowed):
        services.action_item_update(actor=member, item=item, title="Mine now")


# --- Action items: the lifecycle ---------------------------------------------------------------


def test_the_owner_starts_then_completes_the_item(item, member):
    with audited("action_item.started"):
        services.action_item_start(actor=member, item=item, note=" On it ")
    assert fresh(item).status == Status.IN_PROGRESS
    with audited("action_item.completed"):
        done = services.action_item_complete(actor=member, item=item, note="Shipped")
    done.refresh_from_db()
    assert (done.status, done.completed_on, done.was_late) == (Status.DONE, TODAY, False)
    assert timeline(item) == ["created", "started", "completed"]
    last = item.updates.order_by("pk").last()
    assert (last.status_before, last.status_after, last.note, last.author) == (
        "in_progress", "done", "Shipped", member,
    )  # fmt: skip


def test_an_item_is_started_before_it_is_completed(item, member):
    with refused(Conflict, "start it before completing it") as info:
        services.action_item_complete(actor=member, item=item)
    assert info.value.status_code == 409


def test_nothing_follows_done(item, member, chair):
    started(item, member)
    services.action_item_complete(actor=member, item=item)
    for act in (
        lambda: services.action_item_start(actor=member, item=item),
        lambda: services.action_item_complete(actor=member, item=item),
        lambda: services.action_item_cancel(actor=chair, item=item, reason="No longer needed"),
        lambda: services.action_item_replan(
            actor=chair, item=item, reason="Later", due_on=TODAY + timedelta(days=60)
        ),
        lambda: services.action_item_progress(actor=member, item=item, note="Still done"),
        lambda: services.action_item_decide(
            actor=chair, item=item, outcome="cancel", rationale="Drop it"
        ),
    ):
        with refused(Conflict, "is (already )?done") as info:
            act()
        assert info.value.status_code == 409


def test_nothing_follows_cancelled(item, member, chair):
    with audited("action_item.cancelled"):
        services.action_item_cancel(actor=chair, item=item, reason=" The vendor folded ")
    cancelled = item.updates.order_by("pk").last()
    assert (cancelled.kind, cancelled.note, cancelled.status_before) == (
        "cancelled", "The vendor folded", "open",
    )  # fmt: skip
    for act in (
        lambda: services.action_item_start(actor=member, item=item),
        lambda: services.action_item_cancel(actor=chair, item=item, reason="Again"),
        lambda: services.action_item_progress(actor=chair, item=item, note="Still cancelled"),
    ):
        with refused(Conflict, "cancelled"):
            act()


def test_an_in_progress_item_may_be_cancelled(item, member, board_delegate):
    started(item, member)
    services.action_item_cancel(actor=board_delegate, item=item, reason="Merged with another")
    assert fresh(item).status == Status.CANCELLED


def test_a_cancellation_says_why(item, chair):
    with refused(Invalid, "Say why the item is cancelled") as info:
        services.action_item_cancel(actor=chair, item=item, reason="  ")
    assert info.value.field == "reason"


@pytest.mark.parametrize("worker", ["member", "function_owner", "delegate"])
def test_the_owner_or_whoever_acts_for_the_owner_function_works_on_it(request, item, worker):
    person = request.getfixturevalue(worker)
    services.action_item_start(actor=person, item=item)
    services.action_item_complete(actor=person, item=item)
    assert fresh(item).status == Status.DONE


@pytest.mark.parametrize("other", ["chair", "board_delegate", "summit_chair", "admin_user"])
def test_nobody_else_completes_someone_elses_item(request, item, member, other):
    started(item, member)
    person = request.getfixturevalue(other)
    with refused(NotAllowed, "can complete this item; the leaders of Customer board can close"):
        services.action_item_complete(actor=person, item=item)


def test_a_completion_date_is_not_in_the_future_nor_before_the_summit(item, member, summit):
    started(item, member)
    with refused(Invalid, "cannot be in the future") as info:
        services.action_item_complete(actor=member, item=item, completed_on=TODAY + timedelta(1))
    assert info.value.field == "completed_on"
    with refused(Invalid, "cannot be before the summit"):
        services.action_item_complete(
            actor=member, item=item, completed_on=summit.starts_on - timedelta(days=1)
        )
    # the owner may say it was done yesterday
    services.action_item_complete(actor=member, item=item, completed_on=YESTERDAY)
    assert fresh(item).completed_on == YESTERDAY


def test_done_after_the_due_date_counts_as_late(item, member, summit, summit_chair):
    started(item, member)
    with time_machine.travel(datetime.combine(item.due_on, NOW.timetz()) + timedelta(days=3)):
        assert fresh(item).is_overdue
        services.action_item_complete(actor=member, item=item)
        done = fresh(item)
        assert done.completed_on == item.due_on + timedelta(days=3)
        assert done.was_late
        completion = selectors.summit_page(user=summit_chair, summit=summit).completion
        assert (completion.on_time, completion.late, completion.overdue) == (0, 1, 0)


def test_done_on_the_due_date_is_on_time(item, member):
    started(item, member)
    with time_machine.travel(datetime.combine(item.due_on, NOW.timetz())):
        services.action_item_complete(actor=member, item=item)
    assert not fresh(item).was_late


# --- Action items: re-planning and progress ----------------------------------------------------


def test_the_board_replans_with_the_old_and_new_on_the_timeline(
    item, chair, member, function, function_owner
):
    new_due = item.due_on + timedelta(days=30)
    with audited("action_item.replanned"):
        services.action_item_replan(
            actor=chair, item=item, reason=" Vendor late ", due_on=new_due, owner=function_owner
        )
    item.refresh_from_db()
    assert (item.due_on, item.owner, item.owner_function) == (new_due, function_owner, function)
    line = item.updates.get(kind="replanned")
    assert (line.due_before, line.due_after, line.owner_before, line.owner_after, line.note) == (
        TODAY + timedelta(days=30), new_due, member, function_owner, "Vendor late",
    )  # fmt: skip


def test_the_summit_chair_moves_an_item_to_another_function(
    item, summit_chair, other_function, participant
):
    services.action_item_replan(
        actor=summit_chair, item=item, reason="Operations runs it", owner=participant,
        owner_function=other_function,
    )  # fmt: skip
    assert (fresh(item).owner, fresh(item).owner_function) == (participant, other_function)


def test_a_replan_must_change_something(item, chair, member, function):
    with refused(Invalid, "Give a new due date or a new owner"):
        services.action_item_replan(
            actor=chair, item=item, reason="Same again", due_on=item.due_on, owner=member,
            owner_function=function,
        )  # fmt: skip
    with refused(Invalid, "Give a new due date or a new owner"):
        services.action_item_replan(actor=chair, item=item, reason="Nothing")


def test_a_replan_keeps_the_rules_of_a_new_item(item, chair, summit, outsider):
    with refused(Invalid, "cannot be before the summit"):
        services.action_item_replan(
            actor=chair, item=item, reason="Sooner", due_on=summit.starts_on - timedelta(1)
        )
    with refused(Invalid, "cannot be in the past"):
        services.action_item_replan(
            actor=chair, item=item, reason="Sooner", due_on=summit.starts_on
        )
    with refused(Invalid, "neither works in nor acts for"):
        services.action_item_replan(actor=chair, item=item, reason="Hand over", owner=outsider)
    with refused(Invalid, "Say why the item is re-planned"):
        services.action_item_replan(
            actor=chair, item=item, reason=" ", due_on=item.due_on + timedelta(days=7)
        )


def test_an_overdue_item_may_be_replanned(item, chair):
    with time_machine.travel(datetime.combine(item.due_on, NOW.timetz()) + timedelta(days=5)):
        assert fresh(item).is_overdue
        services.action_item_replan(
            actor=chair, item=item, reason="Slipped", due_on=item.due_on + timedelta(days=20)
        )
        assert not fresh(item).is_overdue


@pytest.mark.parametrize("reporter", ["member", "chair", "board_delegate", "summit_chair"])
def test_progress_is_reported_on_the_timeline(request, item, reporter):
    person = request.getfixturevalue(reporter)
    with audited("action_item.progress"):
        update = services.action_item_progress(actor=person, item=item, note=" Draft done ")
    assert (update.kind, update.note, update.author) == ("progress", "Draft done", person)
    assert fresh(item).status == Status.OPEN  # progress is not a status change


def test_a_progress_note_says_something(item, member):
    with refused(Invalid, "Write what has happened") as info:
        services.action_item_progress(actor=member, item=item, note="   ")
    assert info.value.field == "note"


# --- Action items: board decisions -------------------------------------------------------------


def test_the_board_closes_an_item_by_a_logged_decision(item, member, chair, board, touchpoint):
    started(item, member)
    meeting = MeetingFactory(board=board)
    with audited("decision.logged", "action_item.completed", "decision.implemented"):
        services.action_item_decide(
            actor=chair, item=item, outcome="complete", rationale="Checked at the meeting",
            meeting=meeting,
        )  # fmt: skip
    item.refresh_from_db()
    assert (item.status, item.completed_on) == (Status.DONE, TODAY)
    decision = Decision.objects.get()
    assert decision.status == Decision.Status.IMPLEMENTED
    assert (decision.board, decision.meeting, decision.logged_by) == (board, meeting, chair)
    assert decision.title == "Close as done: Rewrite the call-centre script"
    assert decision.rationale == "Checked at the meeting"
    assert (decision.owner, decision.owner_function) == (member, item.owner_function)
    assert list(decision.touchpoints.all()) == [touchpoint]
    line = item.updates.get(kind="completed")
    assert (line.decision, line.author, line.note) == (decision, chair, "Checked at the meeting")


def test_the_board_cancels_an_open_item_by_a_decision(item, board_delegate):
    services.action_item_decide(
        actor=board_delegate, item=item, outcome="cancel", rationale="Overtaken by the new app",
        title="Drop the script rewrite",
    )  # fmt: skip
    assert fresh(item).status == Status.CANCELLED
    decision = Decision.objects.get()
    assert decision.title == "Drop the script rewrite"
    assert item.updates.get(kind="cancelled").decision == decision


def test_the_board_replans_an_item_by_a_decision(item, chair, function_owner):
    new_due = item.due_on + timedelta(days=45)
    services.action_item_decide(
        actor=chair, item=item, outcome="replan", rationale="Wait for the new telephony",
        due_on=new_due, owner=function_owner,
    )  # fmt: skip
    item.refresh_from_db()
    assert (item.status, item.due_on, item.owner) == (Status.OPEN, new_due, function_owner)
    decision = Decision.objects.get()
    assert decision.owner == function_owner
    line = item.updates.get(kind="replanned")
    assert (line.decision, line.due_after, line.owner_after) == (decision, new_due, function_owner)


@pytest.mark.parametrize(
    "other", ["summit_chair", "admin_user", "executive", "member", "function_owner"]
)
def test_only_the_following_boards_leaders_decide(request, item, member, other):
    started(item, member)
    with refused(NotAllowed, "Only the chair of Customer board"):
        services.action_item_decide(
            actor=request.getfixturevalue(other), item=item, outcome="complete", rationale="Done"
        )


def test_an_archived_board_decides_nothing(item, chair, admin_user, board):
    board_services.board_update(actor=admin_user, board=board, is_active=False)
    with refused(NotAllowed):
        services.action_item_decide(actor=chair, item=item, outcome="cancel", rationale="Drop")


def test_a_decision_cannot_complete_an_item_not_started(item, chair):
    with refused(Conflict, "not been started") as info:
        services.action_item_decide(actor=chair, item=item, outcome="complete", rationale="Done")
    assert info.value.status_code == 409


def test_a_decision_that_cannot_take_effect_is_not_logged(item, member, chair):
    # each of these fails on the item after the board's decision has been written: the whole
    # transaction goes, the decision with it
    with refused(Invalid, "Give a new due date or a new owner"):
        services.action_item_decide(
            actor=chair, item=item, outcome="replan", rationale="Same", due_on=item.due_on
        )
    with refused(Invalid, "cannot be in the past"):
        services.action_item_decide(
            actor=chair, item=item, outcome="replan", rationale="Sooner", due_on=YESTERDAY
        )
    started(item, member)
    with refused(Invalid, "cannot be in the future"):
        services.action_item_decide(
            actor=chair, item=item, outcome="complete", rationale="Done",
            completed_on=TODAY + timedelta(days=2),
        )  # fmt: skip
    assert not Decision.objects.exists()


def test_a_decision_needs_an_outcome_and_a_rationale(item, member, chair):
    started(item, member)
    with refused(Invalid, "Decide to complete, cancel or re-plan"):
        services.action_item_decide(actor=chair, item=item, outcome="archive", rationale="R")
    with refused(Invalid, "Give the rationale"):
        services.action_item_decide(actor=chair, item=item, outcome="complete", rationale=" ")


def test_a_decision_in_another_boards_meeting_is_refused(item, member, chair):
    started(item, member)
    with refused(Invalid, "That meeting belongs to"):
        services.action_item_decide(
            actor=chair, item=item, outcome="complete", rationale="Done",
            meeting=MeetingFactory(board=BoardFactory(name="Sales board")),
        )  # fmt: skip


# --- Action items: on a board's agenda ---------------------------------------------------------


def test_the_board_puts_an_item_on_its_next_meeting(item, board_delegate, board, touchpoint):
    meeting = MeetingFactory(board=board)
    with audited("agenda_item.added", "action_item.on_agenda"):
        services.action_item_put_on_agenda(
            actor=board_delegate, item=item, meeting=meeting, notes=" Status check "
        )
    agenda_item = AgendaItem.objects.get()
    assert list(item.agenda_items.all()) == [agenda_item]
    assert agenda_item.meeting == meeting
    assert agenda_item.title == "Action item: Rewrite the call-centre script"
    assert (agenda_item.notes, agenda_item.touchpoint) == ("Status check", touchpoint)
    line = item.updates.get(kind="agenda")
    assert (line.meeting, line.author) == (meeting, board_delegate)
    assert list(selectors.meeting_action_items(user=board_delegate, meeting=meeting)) == [item]


def test_an_item_goes_on_a_meeting_once(item, chair, board):
    meeting = MeetingFactory(board=board)
    services.action_item_put_on_agenda(actor=chair, item=item, meeting=meeting)
    with refused(Conflict, "already on that meeting's agenda") as info:
        services.action_item_put_on_agenda(actor=chair, item=item, meeting=meeting)
    assert info.value.status_code == 409
    # the next meeting is another matter
    later = MeetingFactory(board=board, starts_at=NOW + timedelta(days=14))
    services.action_item_put_on_agenda(actor=chair, item=item, meeting=later)
    assert item.agenda_items.count() == 2


def test_only_the_following_boards_meetings_take_the_item(item, chair):
    elsewhere = MeetingFactory(board=BoardFactory(name="Sales board", chair=chair))
    with refused(Invalid, "followed up by Customer board") as info:
        services.action_item_put_on_agenda(actor=chair, item=item, meeting=elsewhere)
    assert info.value.field == "meeting"


@pytest.mark.parametrize(
    ("status", "message"),
    [(Meeting.Status.HELD, "has been held"), (Meeting.Status.CANCELLED, "was cancelled")],
)
def test_a_held_or_cancelled_meeting_takes_no_items(item, chair, board, status, message):
    meeting = MeetingFactory(board=board, status=status)
    with refused(Conflict, message):
        services.action_item_put_on_agenda(actor=chair, item=item, meeting=meeting)


def test_a_closed_item_goes_on_no_agenda(item, chair, board):
    services.action_item_cancel(actor=chair, item=item, reason="Dropped")
    with refused(Conflict, "cancelled"):
        services.action_item_put_on_agenda(
            actor=chair, item=item, meeting=MeetingFactory(board=board)
        )


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------


def _at_once(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes, unexpected = [None] * len(calls), []

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            call()
            outcomes[i] = "done"
        except DomainError as exc:
            outcomes[i] = f"refused {exc.status_code}"
        except Exception as exc:  # anything else would be a 500
            unexpected.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert unexpected == []
    return outcomes


RACERS = {
    "owner completes": lambda people, item: services.action_item_complete(
        actor=people["member"], item=item
    ),
    "head completes": lambda people, item: services.action_item_complete(
        actor=people["function_owner"], item=item
    ),
    "chair decides": lambda people, item: services.action_item_decide(
        actor=people["chair"], item=item, outcome="complete", rationale="Checked"
    ),
    "delegate decides": lambda people, item: services.action_item_decide(
        actor=people["board_delegate"], item=item, outcome="complete", rationale="Seen"
    ),
}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("owner completes", "chair decides"),
        ("owner completes", "head completes"),
        ("chair decides", "delegate decides"),
    ],
)
def test_race_two_completions_at_once_complete_the_item_once(
    require_postgres, item, member, function_owner, chair, board_delegate, first, second
):
    # given an item in progress
    started(item, member)
    people = {"member": member, "function_owner": function_owner, "chair": chair,
              "board_delegate": board_delegate}  # fmt: skip
    # when two people complete it at the same moment
    outcomes = _at_once(
        lambda: RACERS[first](people, fresh(item)), lambda: RACERS[second](people, fresh(item))
    )
    # then one wins, the other is told it is already done, and it is done once
    assert sorted(outcomes) == ["done", "refused 409"]
    assert fresh(item).status == Status.DONE
    assert item.updates.filter(kind="completed").count() == 1
    assert AuditEvent.objects.filter(verb="action_item.completed").count() == 1
    by_decision = "decides" in (first if outcomes[0] == "done" else second)
    assert Decision.objects.count() == (1 if by_decision else 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_working_on_an_item_does_not_lock_its_board_or_its_owner(
    require_postgres, item, member, chair, board
):
    # given the owner's progress report, still in its transaction
    meeting = MeetingFactory(board=board)
    holding, release = threading.Event(), threading.Event()
    errors = []

    def report():
        try:
            with transaction.atomic():
                services.action_item_progress(actor=member, item=fresh(item), note="Half way")
                holding.set()
                release.wait(30)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=report)
    thread.start()
    try:
        assert holding.wait(30)
        # when the board's chair sets the agenda and the owner signs in meanwhile
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            try:
                board_services.agenda_item_add(actor=chair, meeting=meeting, title="Budget")
                type(member).objects.filter(pk=member.pk).update(last_login=NOW)
            except OperationalError as exc:  # the lock timed out
                pytest.fail(f"blocked by the item's transaction: {exc}")
    finally:
        release.set()
        thread.join(30)
    # then neither waited for the report, which went through too
    assert errors == []
    assert item.updates.filter(kind="progress").count() == 1
    assert AgendaItem.objects.filter(meeting=meeting, title="Budget").exists()
