"""The charter's rules, at the service level (the API and pages call the same services)."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from charter import services
from charter.models import Claim, Conflict, RightAssignment
from charter.tests.factories import RightAssignmentFactory
from engagement.audit.models import AuditEvent
from engagement.core.errors import Conflict as ConflictError
from engagement.core.errors import DomainError, Invalid, NotAllowed
from engagement.org.tests.factories import FunctionFactory, UserFactory
from touchpoints.tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def touchpoint():
    return TouchpointFactory(name="Call-centre script")


def _function_with_head(name):
    function = FunctionFactory(name=name)
    function.head = UserFactory()
    function.save()
    return function


def test_the_database_refuses_a_second_active_holder(touchpoint):
    RightAssignmentFactory(touchpoint=touchpoint, right="design")
    with pytest.raises(IntegrityError), transaction.atomic():
        RightAssignmentFactory(touchpoint=touchpoint, right="design")
    # an ended assignment does not count
    RightAssignment.objects.update(ended_at=timezone.now())
    RightAssignmentFactory(touchpoint=touchpoint, right="design")
    assert RightAssignment.objects.active().count() == 1


def test_vacant_right_is_granted_at_once(touchpoint, function, function_owner):
    claim = services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function
    )
    assert claim.status == Claim.Status.GRANTED
    holder = RightAssignment.objects.active().get()
    assert (holder.function, holder.accountable, holder.source, holder.claim) == (
        function, function_owner, "claim", claim
    )  # fmt: skip
    assert list(AuditEvent.objects.order_by("id").values_list("verb", flat=True)) == [
        "claim.submitted",
        "right.granted",
    ]


def test_claim_waits_for_approval_when_the_setting_is_on(
    settings, touchpoint, function, function_owner, executive
):
    settings.CHARTER_CLAIMS_NEED_APPROVAL = True
    claim = services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="build", function=function
    )
    assert claim.status == Claim.Status.PENDING
    assert not RightAssignment.objects.exists()
    services.claim_approve(actor=executive, claim=claim)
    assert RightAssignment.objects.active().get().source == "approval"


def test_claim_on_a_held_right_opens_a_conflict_and_resolution_transfers_it(
    touchpoint, function, function_owner, executive
):
    operations = _function_with_head("Operations")
    RightAssignmentFactory(touchpoint=touchpoint, right="design", function=operations)

    claim = services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function,
        rationale="Marketing writes the scripts.",
    )  # fmt: skip

    assert claim.status == Claim.Status.CONTESTED
    conflict = Conflict.objects.get()
    assert (conflict.holder_function, conflict.claimant_function) == (operations, function)

    services.conflict_resolve(
        actor=executive, conflict=conflict, winner=function, rationale="Scripts are messaging."
    )
    conflict.refresh_from_db()
    assert (conflict.status, conflict.winner, conflict.decided_by) == (
        "resolved",
        function,
        executive,
    )
    history = list(RightAssignment.objects.filter(right="design").order_by("started_at"))
    assert [(a.function, a.end_reason) for a in history] == [
        (operations, "transferred"),
        (function, ""),
    ]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.GRANTED


def test_holder_can_win_the_conflict(touchpoint, function, function_owner, executive):
    operations = _function_with_head("Operations")
    held = RightAssignmentFactory(touchpoint=touchpoint, right="design", function=operations)
    services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function
    )
    conflict = Conflict.objects.get()
    services.conflict_resolve(
        actor=executive, conflict=conflict, winner=operations, rationale="Ops runs the floor."
    )
    assert RightAssignment.objects.active().get() == held
    assert Claim.objects.get().status == Claim.Status.REJECTED


def test_release_makes_the_right_vacant(touchpoint, function, function_owner):
    services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="operate", function=function
    )
    assignment = RightAssignment.objects.get()
    services.right_release(actor=function_owner, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.ended_at is not None
    assert assignment.end_reason == "released"
    assert not RightAssignment.objects.active().exists()
    with pytest.raises(ConflictError):
        services.right_release(actor=function_owner, assignment=assignment)


@pytest.mark.parametrize("status", ["retired", "archived"])
def test_no_claims_on_retired_or_archived_touchpoints(status, function, function_owner):
    touchpoint = TouchpointFactory(
        status="retired" if status == "retired" else "active", is_archived=status == "archived"
    )
    with pytest.raises(Invalid) as exc:
        services.right_claim(
            actor=function_owner, touchpoint=touchpoint, right="design", function=function
        )
    assert status in str(exc.value)
    assert not Claim.objects.exists()


def test_no_claims_for_a_function_one_does_not_act_for(touchpoint, member, function):
    with pytest.raises(NotAllowed) as exc:
        services.right_claim(actor=member, touchpoint=touchpoint, right="design", function=function)
    assert "You do not act for Marketing" in str(exc.value)
    assert not Claim.objects.exists()
    assert not AuditEvent.objects.exists()


def test_duplicate_open_claim_is_refused(settings, touchpoint, function, function_owner, delegate):
    settings.CHARTER_CLAIMS_NEED_APPROVAL = True
    services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function
    )
    with pytest.raises(ConflictError) as exc:
        services.right_claim(
            actor=delegate, touchpoint=touchpoint, right="design", function=function
        )
    assert "already has an open claim" in str(exc.value)
    assert Claim.objects.count() == 1


def test_claiming_a_right_already_held_is_refused(touchpoint, function, function_owner):
    services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function
    )
    with pytest.raises(ConflictError) as exc:
        services.right_claim(
            actor=function_owner, touchpoint=touchpoint, right="design", function=function
        )
    assert "already holds" in str(exc.value)


def test_unknown_right_is_refused(touchpoint, function, function_owner):
    with pytest.raises(Invalid):
        services.right_claim(
            actor=function_owner, touchpoint=touchpoint, right="own", function=function
        )


def test_withdrawing_a_contested_claim_withdraws_its_conflict(touchpoint, function, delegate):
    RightAssignmentFactory(touchpoint=touchpoint, right="update")
    claim = services.right_claim(
        actor=delegate, touchpoint=touchpoint, right="update", function=function
    )
    services.claim_withdraw(actor=delegate, claim=claim)
    assert Claim.objects.get().status == "withdrawn"
    assert Conflict.objects.get().status == "withdrawn"


def test_resolution_needs_a_rationale_and_a_party_as_winner(
    touchpoint, function, function_owner, executive
):
    RightAssignmentFactory(touchpoint=touchpoint, right="design")
    services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function
    )
    conflict = Conflict.objects.get()
    with pytest.raises(Invalid):
        services.conflict_resolve(
            actor=executive, conflict=conflict, winner=function, rationale=" "
        )
    with pytest.raises(Invalid):
        services.conflict_resolve(
            actor=executive, conflict=conflict, winner=FunctionFactory(name="IT"), rationale="x"
        )
    with pytest.raises(NotAllowed):
        services.conflict_resolve(
            actor=function_owner, conflict=conflict, winner=function, rationale="x"
        )
    assert Conflict.objects.get().status == "open"


# --- Concurrency (PostgreSQL) ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_simultaneous_claims_on_a_vacant_right_leave_exactly_one_holder(require_postgres):
    # given ten functions, each with a head and a delegate: 20 people claim at once
    touchpoint = TouchpointFactory()
    claimants = []
    for i in range(10):
        function = FunctionFactory(name=f"Function {i}")
        head, delegate = UserFactory(), UserFactory()
        function.head = head
        function.save()
        function.delegates.add(delegate)
        claimants += [(head, function), (delegate, function)]

    barrier = threading.Barrier(len(claimants))
    outcomes, unexpected = [], []

    def claim(person, function):
        try:
            barrier.wait(timeout=30)
            result = services.right_claim(
                actor=person, touchpoint=touchpoint, right="design", function=function
            )
            outcomes.append(result.status)
        except DomainError as exc:
            outcomes.append(f"refused {exc.status_code}")
        except Exception as exc:  # anything else would be a 500
            unexpected.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=c) for c in claimants]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert unexpected == []
    assert len(outcomes) == 20
    assert (
        RightAssignment.objects.active().filter(touchpoint=touchpoint, right="design").count() == 1
    )
    assert outcomes.count("granted") == 1
    # everyone else: a conflict with the winner, or refused because their function already
    # holds the right or already has an open claim
    assert set(outcomes) - {"granted", "contested", "refused 409"} == set()
    winner = RightAssignment.objects.active().get().function
    assert Conflict.objects.filter(holder_function=winner).count() == outcomes.count("contested")
    assert Conflict.objects.count() <= 9
    print(
        f"\n20 simultaneous claims: 1 granted, {outcomes.count('contested')} conflicts, "
        f"{outcomes.count('refused 409')} refused (409), 0 errors"
    )
