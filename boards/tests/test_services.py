"""The boards' services: who may do what (roles by actions), the rules they keep, conflict
mediation through the charter, the escalation ladder, and the append-only decision log."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from boards import services
from boards.models import (
    AgendaItem,
    Attendance,
    Board,
    Decision,
    DecisionFact,
    Escalation,
    Meeting,
    Membership,
)
from boards.tests.factories import BoardFactory, MeetingFactory
from charter import services as charter_services
from charter.models import Claim, Conflict, RightAssignment
from engagement.audit.models import AuditEvent
from engagement.core.errors import Conflict as ConflictError
from engagement.core.errors import Invalid, NotAllowed
from engagement.org.tests.factories import FunctionFactory, UserFactory
from touchpoints.tests.factories import KpiFactory, MeasurementFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

LONG_AGO = date(2026, 1, 1)


# --- The scene: a ladder of three boards, and people in every role ------------------------------


@pytest.fixture
def other_chair(top):
    """Chairs a sibling board (under the same top): leads a board, but not this one."""
    person = UserFactory(first_name="Otto", last_name="Chair")
    BoardFactory(name="Sales board", chair=person, escalates_to=top)
    return person


@pytest.fixture
def other_board(other_chair):
    return Board.objects.get(chair=other_chair)


ROLES = (
    "chair",
    "board_delegate",
    "board_member",
    "other_chair",
    "executive",
    "outsider",
    "admin_user",
)
LEADERS = {"chair", "board_delegate"}
# Administrators may run meetings too (to put a calendar right), never decide.
RUNNERS = LEADERS | {"admin_user"}

ALLOWED = {
    "board_update": {"chair", "admin_user"},
    "membership_add": {"chair", "admin_user"},
    "meeting_create": RUNNERS,
    "meeting_cancel": RUNNERS,
    "meeting_hold": RUNNERS,
    "agenda_item_add": RUNNERS,
    "attendance_record": RUNNERS,
    "minutes_approve": {"chair"},
    "decision_log": LEADERS,
    "decision_supersede": LEADERS,
    # The decision's owner (the plain member here) says it is done, as the leaders may.
    "decision_mark_implemented": LEADERS | {"board_member"},
    "escalation_raise": LEADERS,
    # Escalations come up from ``sub_board`` to ``board``: its leaders answer them.
    "escalation_acknowledge": LEADERS,
    "escalation_resolve": LEADERS,
    "escalation_return": LEADERS,
}


def _state():
    """Everything an action could change, to compare before and after a refusal."""
    return (
        list(Board.objects.values_list("pk", "name", "purpose", "is_active").order_by("pk")),
        list(Membership.objects.values_list("pk", "role", "ended_on").order_by("pk")),
        list(
            Meeting.objects.values_list(
                "pk", "status", "sequence", "starts_at", "minutes_approved_at"
            ).order_by("pk")
        ),
        list(AgendaItem.objects.values_list("pk", "position").order_by("pk")),
        list(Attendance.objects.values_list("pk", "status").order_by("pk")),
        list(Decision.objects.values_list("pk", "status").order_by("pk")),
        list(Escalation.objects.values_list("pk", "status").order_by("pk")),
        DecisionFact.objects.count(),
        list(RightAssignment.objects.values_list("pk", "function_id", "ended_at").order_by("pk")),
        list(Conflict.objects.values_list("pk", "status").order_by("pk")),
        AuditEvent.objects.count(),
    )


def _verbs_since(count):
    return list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True)[count:])


def _past_meeting(board, **kwargs):
    start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    return MeetingFactory(board=board, starts_at=start, **kwargs)


@pytest.fixture
def scene(board, chair, board_member, function, sub_board, sub_chair):
    """Builds what an action needs, then returns ``act(user)`` that performs it."""

    def build(action):
        if action == "board_update":
            return lambda user: services.board_update(
                actor=user, board=board, purpose="Decides the service journey."
            )
        if action == "membership_add":
            newcomer = UserFactory()
            return lambda user: services.membership_add(
                actor=user, board=board, person=newcomer, function=function
            )
        if action == "meeting_create":
            starts_at = timezone.now().replace(microsecond=0) + timedelta(days=30)
            return lambda user: services.meeting_create(
                actor=user, board=board, starts_at=starts_at
            )
        if action == "meeting_cancel":
            meeting = MeetingFactory(board=board)
            return lambda user: services.meeting_cancel(
                actor=user, meeting=meeting, reason="Nothing to decide."
            )
        if action == "meeting_hold":
            meeting = _past_meeting(board)
            return lambda user: services.meeting_hold(actor=user, meeting=meeting)
        if action == "agenda_item_add":
            meeting = MeetingFactory(board=board)
            return lambda user: services.agenda_item_add(
                actor=user, meeting=meeting, title="Quarterly KPIs"
            )
        if action == "attendance_record":
            meeting = _past_meeting(board)
            return lambda user: services.attendance_record(
                actor=user, meeting=meeting, person=board_member, status="present"
            )
        if action == "minutes_approve":
            meeting = _past_meeting(board, status=Meeting.Status.HELD)
            return lambda user: services.minutes_approve(actor=user, meeting=meeting)
        if action == "decision_log":
            return lambda user: services.decision_log(
                actor=user, board=board, title="Shorter script", rationale="Calls run long."
            )
        if action in ("decision_supersede", "decision_mark_implemented"):
            decision = services.decision_log(
                actor=chair, board=board, title="Shorter script", rationale="Calls run long.",
                owner=board_member,
            )  # fmt: skip
            if action == "decision_supersede":
                return lambda user: services.decision_supersede(
                    actor=user, decision=decision, title="Shorter script, by May",
                    rationale="Calls run long; the pilot needs time.",
                )  # fmt: skip
            return lambda user: services.decision_mark_implemented(actor=user, decision=decision)
        if action == "escalation_raise":
            return lambda user: services.escalation_raise(
                actor=user, board=board, reason="Needs a budget.", title="Budget for the pilot"
            )
        escalation = services.escalation_raise(
            actor=sub_chair, board=sub_board, reason="Beyond our remit.", title="Chat pilot"
        )
        if action == "escalation_acknowledge":
            return lambda user: services.escalation_acknowledge(actor=user, escalation=escalation)
        if action == "escalation_resolve":
            return lambda user: services.escalation_resolve(
                actor=user, escalation=escalation, rationale="Go ahead with the pilot."
            )
        return lambda user: services.escalation_return(
            actor=user, escalation=escalation, response="Yours to decide."
        )

    return build


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_permission_matrix(request, scene, action, role, board_delegate, other_chair):
    # given
    act = scene(action)
    user = request.getfixturevalue(role)
    before = _state()
    # when / then
    if role in ALLOWED[action]:
        act(user)
        assert _state() != before
    else:
        with pytest.raises(NotAllowed):
            act(user)
        assert _state() == before


def test_a_delegate_leads_until_their_last_day(board, chair, board_delegate):
    membership = Membership.objects.get(person=board_delegate)
    services.membership_end(actor=chair, membership=membership)
    # ``ended_on`` is the last day in force: today they still lead
    services.decision_log(actor=board_delegate, board=board, title="T", rationale="R")
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        fresh = type(board_delegate).objects.get(pk=board_delegate.pk)
        with pytest.raises(NotAllowed):
            services.decision_log(actor=fresh, board=board, title="T", rationale="R")


def test_an_archived_board_logs_no_decisions(board, chair, admin_user):
    services.board_update(actor=admin_user, board=board, is_active=False)
    with pytest.raises(NotAllowed):
        services.decision_log(actor=chair, board=board, title="T", rationale="R")


# --- Boards --------------------------------------------------------------------------------------


def _board_fields(chair, **changes):
    return {
        "name": "Service board", "chair": chair, "cadence": "FREQ=MONTHLY;BYDAY=1TU",
        "starts_on": date(2026, 1, 6), "start_time": datetime(2026, 1, 1, 10).time(),
        **changes,
    }  # fmt: skip


def test_board_create_records_scope_and_schedules_meetings(
    admin_user, chair, touchpoint, django_capture_on_commit_callbacks
):
    count = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        board = services.board_create(
            actor=admin_user, scope_touchpoints=[touchpoint], **_board_fields(chair)
        )
    assert list(board.scope_touchpoints.all()) == [touchpoint]
    assert _verbs_since(count) == ["board.created"]
    event = AuditEvent.objects.last()
    assert event.after["scope_touchpoints"] == [touchpoint.pk]
    assert len(callbacks) == 1  # the meetings are scheduled after commit


@pytest.mark.parametrize(
    "cadence", ["FREQ=SOMETIMES", "FREQ=HOURLY", "BYDAY=MO", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31"]
)
def test_an_invalid_cadence_is_refused(admin_user, chair, cadence):
    with pytest.raises(Invalid) as refused:
        services.board_create(actor=admin_user, **_board_fields(chair, cadence=cadence))
    assert refused.value.field == "cadence"
    assert not Board.objects.exists()


def test_an_invalid_cadence_change_is_refused(board, chair):
    before = _state()
    with pytest.raises(Invalid) as refused:
        services.board_update(actor=chair, board=board, cadence="FREQ=WEEKLY;BYDAY=XX")
    assert refused.value.field == "cadence"
    assert _state() == before


def test_a_duplicate_board_name_is_a_conflict(admin_user, chair, board):
    with pytest.raises(ConflictError):
        services.board_create(actor=admin_user, **_board_fields(chair, name=board.name))


def test_a_chair_changes_the_cadence_but_not_who_leads(
    board, chair, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.board_update(actor=chair, board=board, cadence="freq=weekly;byday=tu")
    board.refresh_from_db()
    assert board.cadence == "FREQ=WEEKLY;BYDAY=TU"
    assert len(callbacks) == 1  # rescheduled
    before = _state()
    with pytest.raises(NotAllowed):
        services.board_update(actor=chair, board=board, chair=outsider)
    with pytest.raises(NotAllowed):
        services.board_update(actor=chair, board=board, is_active=False)
    assert _state() == before


def test_the_ladder_cannot_loop(admin_user, board, top, sub_board):
    with pytest.raises(Invalid) as refused:
        services.board_update(actor=admin_user, board=top, escalates_to=sub_board)
    assert refused.value.field == "escalates_to"


def test_scope_changes_are_audited(board, chair, touchpoint):
    other = TouchpointFactory()
    count = AuditEvent.objects.count()
    services.board_update(actor=chair, board=board, scope_touchpoints=[touchpoint, other])
    assert set(board.scope_touchpoints.all()) == {touchpoint, other}
    event = AuditEvent.objects.last()
    assert _verbs_since(count) == ["board.updated"]
    assert event.before["scope_touchpoints"] == [touchpoint.pk]


# --- Members -------------------------------------------------------------------------------------


def test_one_open_membership_per_person(board, chair, board_member, function):
    before = _state()
    with pytest.raises(ConflictError):
        services.membership_add(actor=chair, board=board, person=board_member, function=function)
    assert _state() == before


def test_an_inactive_person_cannot_be_seated(board, chair, function):
    gone = UserFactory(is_active=False)
    with pytest.raises(Invalid) as refused:
        services.membership_add(actor=chair, board=board, person=gone, function=function)
    assert refused.value.field == "person"


def test_naming_a_delegate_lets_them_lead(board, chair, board_member):
    membership = Membership.objects.get(person=board_member)
    with pytest.raises(NotAllowed):
        services.decision_log(actor=board_member, board=board, title="T", rationale="R")
    services.membership_update(actor=chair, membership=membership, is_delegate=True)
    # the next request loads the person afresh (their roles are cached on the object)
    fresh = type(board_member).objects.get(pk=board_member.pk)
    decision = services.decision_log(actor=fresh, board=board, title="T", rationale="R")
    assert decision.logged_by == board_member


def test_ending_a_membership_twice_is_a_conflict(board, chair, board_member):
    membership = Membership.objects.get(person=board_member)
    services.membership_end(actor=chair, membership=membership)
    with pytest.raises(ConflictError):
        services.membership_end(actor=chair, membership=membership)


def test_a_membership_cannot_end_before_it_starts(board, chair, board_member):
    membership = Membership.objects.get(person=board_member)
    with pytest.raises(Invalid):
        services.membership_end(
            actor=chair, membership=membership, ended_on=LONG_AGO - timedelta(days=1)
        )


# --- Meetings ------------------------------------------------------------------------------------


def test_an_ad_hoc_meeting_that_clashes_is_refused(board, chair):
    existing = MeetingFactory(board=board)
    before = _state()
    with pytest.raises(ConflictError) as refused:
        services.meeting_create(
            actor=chair, board=board, starts_at=existing.starts_at + timedelta(minutes=30)
        )
    assert refused.value.field == "starts_at"
    assert _state() == before


def test_a_cancelled_meeting_leaves_its_slot_free(board, chair):
    existing = MeetingFactory(board=board)
    services.meeting_cancel(actor=chair, meeting=existing, reason="Moved.")
    meeting = services.meeting_create(actor=chair, board=board, starts_at=existing.starts_at)
    assert meeting.is_ad_hoc
    assert meeting.ends_at - meeting.starts_at == board.duration
    assert meeting.location == board.location


def test_meetings_of_other_boards_do_not_clash(board, chair, other_board):
    existing = MeetingFactory(board=other_board)
    services.meeting_create(actor=chair, board=board, starts_at=existing.starts_at)


def test_moving_a_meeting_raises_its_calendar_sequence(board, chair):
    meeting = MeetingFactory(board=board)
    services.meeting_update(
        actor=chair, meeting=meeting, starts_at=meeting.starts_at + timedelta(hours=2)
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=1)  # the length is kept


def test_cancelling_needs_a_reason(board, chair):
    meeting = MeetingFactory(board=board)
    with pytest.raises(Invalid) as refused:
        services.meeting_cancel(actor=chair, meeting=meeting, reason="  ")
    assert refused.value.field == "reason"


def test_a_meeting_is_held_only_once_it_started(board, chair):
    with pytest.raises(Invalid):
        services.meeting_hold(actor=chair, meeting=MeetingFactory(board=board))
    held = services.meeting_hold(actor=chair, meeting=_past_meeting(board))
    with pytest.raises(ConflictError):
        services.meeting_hold(actor=chair, meeting=held)


def test_agenda_items_in_order_and_moved(board, chair):
    meeting = MeetingFactory(board=board)
    first = services.agenda_item_add(actor=chair, meeting=meeting, title="First")
    second = services.agenda_item_add(actor=chair, meeting=meeting, title="Second")
    assert (first.position, second.position) == (0, 1)
    items = services.agenda_item_move(actor=chair, item=second, direction="up")
    assert [i.title for i in items] == ["Second", "First"]
    services.agenda_item_remove(actor=chair, item=first)
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Second"]
    meeting.refresh_from_db()
    assert meeting.sequence == 4  # every change to the agenda updates the calendar entry


def test_an_agenda_item_about_a_conflict_outside_the_scope_is_refused(
    board, chair, admin_user, function_owner, function, other_function
):
    elsewhere = TouchpointFactory()
    conflict = _open_conflict(admin_user, function_owner, elsewhere, function, other_function)
    meeting = MeetingFactory(board=board)
    with pytest.raises(Invalid) as refused:
        services.agenda_item_add(actor=chair, meeting=meeting, conflict=conflict)
    assert refused.value.field == "conflict"


def test_an_agenda_item_about_a_conflict_takes_its_title(
    board, chair, admin_user, function_owner, touchpoint, function, other_function
):
    conflict = _open_conflict(admin_user, function_owner, touchpoint, function, other_function)
    item = services.agenda_item_add(
        actor=chair, meeting=MeetingFactory(board=board), conflict=conflict
    )
    assert item.title.startswith("Conflict:")
    assert item.touchpoint == touchpoint


def test_attendance_rules(board, chair, board_member, outsider):
    future = MeetingFactory(board=board)
    record = services.attendance_record
    with pytest.raises(Invalid):  # presence is taken once the meeting has started
        record(actor=chair, meeting=future, person=board_member, status="present")
    record(actor=chair, meeting=future, person=board_member, status="apologies")
    past = _past_meeting(board)
    with pytest.raises(Invalid) as refused:
        services.attendance_record(actor=chair, meeting=past, person=outsider, status="present")
    assert refused.value.field == "person"
    with pytest.raises(Invalid):
        services.attendance_record(actor=chair, meeting=past, person=board_member, status="late")
    services.attendance_record(actor=chair, meeting=past, person=chair, status="present")
    services.attendance_record(actor=chair, meeting=past, person=board_member, status="present")
    services.attendance_record(actor=chair, meeting=past, person=board_member, status="absent")
    assert Attendance.objects.get(meeting=past, person=board_member).status == "absent"


def test_approved_minutes_are_frozen_and_close_the_record(board, chair, board_member):
    meeting = _past_meeting(board)
    services.attendance_record(actor=chair, meeting=meeting, person=board_member, status="present")
    with pytest.raises(ConflictError):  # not held yet
        services.minutes_approve(actor=chair, meeting=meeting)
    services.meeting_hold(actor=chair, meeting=meeting)
    services.decision_log(
        actor=chair, board=board, meeting=meeting, title="Shorter script", rationale="Long calls."
    )
    meeting = services.minutes_approve(actor=chair, meeting=meeting, notes="  Good meeting.  ")
    assert meeting.minutes["notes"] == "Good meeting."
    assert [d["title"] for d in meeting.minutes["decisions"]] == ["Shorter script"]
    assert meeting.minutes["quorum"] == {"core": 1, "present": 1, "needed": 1, "reached": True}
    before = _state()
    with pytest.raises(ConflictError):
        services.minutes_approve(actor=chair, meeting=meeting)
    with pytest.raises(ConflictError):
        services.attendance_record(
            actor=chair, meeting=meeting, person=board_member, status="absent"
        )
    with pytest.raises(Invalid) as refused:
        services.decision_log(
            actor=chair, board=board, meeting=meeting, title="Late", rationale="Too late."
        )
    assert refused.value.field == "meeting"
    assert _state() == before


# --- Decisions -----------------------------------------------------------------------------------


def test_a_decision_by_someone_not_leading_the_board_is_refused(board, board_member, executive):
    before = _state()
    for person in (board_member, executive):
        with pytest.raises(NotAllowed):
            services.decision_log(actor=person, board=board, title="T", rationale="R")
    assert _state() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " "}, "title"),
        ({"rationale": ""}, "rationale"),
        ({"due_on": date(2020, 1, 1)}, "due_on"),
    ],
)
def test_a_decision_needs_a_title_a_rationale_and_a_future_due_date(board, chair, fields, field):
    with pytest.raises(Invalid) as refused:
        services.decision_log(
            actor=chair, board=board, **{"title": "T", "rationale": "R", **fields}
        )
    assert refused.value.field == field
    assert not Decision.objects.exists()


def test_a_decision_in_another_boards_meeting_is_refused(board, chair, other_board):
    with pytest.raises(Invalid) as refused:
        services.decision_log(
            actor=chair, board=board, meeting=MeetingFactory(board=other_board), title="T",
            rationale="R",
        )  # fmt: skip
    assert refused.value.field == "meeting"


def test_facts_keep_the_kpi_value_at_decision_time(board, chair, touchpoint):
    kpi = KpiFactory(touchpoint=touchpoint, target=Decimal("80"), at_risk_threshold=Decimal("70"))
    MeasurementFactory(kpi=kpi, period=date(2026, 9, 1), value=Decimal("50"))
    MeasurementFactory(kpi=kpi, period=date(2026, 10, 1), value=Decimal("60"))
    decision = services.decision_log(
        actor=chair, board=board, title="Rewrite the script", rationale="Off target.", kpis=[kpi]
    )
    # a later measurement does not rewrite what the board saw
    MeasurementFactory(kpi=kpi, period=date(2026, 11, 1), value=Decimal("90"))
    fact = DecisionFact.objects.get(decision=decision)
    assert (fact.touchpoint, fact.kpi, fact.value, fact.period) == (
        touchpoint, kpi, Decimal("60"), date(2026, 10, 1),
    )  # fmt: skip
    assert (fact.target, fact.kpi_status) == (Decimal("80"), "off_target")
    assert list(decision.touchpoints.all()) == [touchpoint]
    later = services.decision_log(
        actor=chair, board=board, title="Keep it", rationale="On target now.", kpis=[kpi]
    )
    assert later.facts.get().value == Decimal("90")


def test_a_touchpoint_without_kpi_is_a_fact_of_its_own(board, chair, touchpoint):
    decision = services.decision_log(
        actor=chair, board=board, title="T", rationale="R", touchpoints=[touchpoint]
    )
    fact = decision.facts.get()
    assert (fact.touchpoint, fact.kpi, fact.value) == (touchpoint, None, None)


def test_supersede_keeps_both_and_twice_is_a_conflict(board, chair, board_member, touchpoint):
    # given
    due = timezone.localdate() + timedelta(days=30)
    old = services.decision_log(
        actor=chair, board=board, title="Shorter script", rationale="Long calls.",
        owner=board_member, due_on=due, touchpoints=[touchpoint],
    )  # fmt: skip
    count = AuditEvent.objects.count()
    # when
    new = services.decision_supersede(
        actor=chair, decision=old, title="Shorter script, by May", rationale="The pilot."
    )
    # then both stay in the log; the old one is superseded; what is not restated carries over
    old.refresh_from_db()
    assert old.status == Decision.Status.SUPERSEDED
    assert (old.title, old.rationale) == ("Shorter script", "Long calls.")
    assert new.supersedes == old
    assert old.superseded_by == new
    assert (new.owner, new.due_on, list(new.touchpoints.all())) == (board_member, due, [touchpoint])
    assert Decision.objects.count() == 2
    assert _verbs_since(count) == ["decision.superseded", "decision.logged"]
    before = _state()
    with pytest.raises(ConflictError):
        services.decision_supersede(actor=chair, decision=old, title="Again", rationale="Again.")
    assert _state() == before


def test_supersede_of_a_decision_of_another_board_is_refused(
    board, chair, other_board, other_chair
):
    theirs = services.decision_log(actor=other_chair, board=other_board, title="T", rationale="R")
    before = _state()
    with pytest.raises(Invalid) as refused:
        services.decision_log(
            actor=chair, board=board, title="Ours", rationale="R", supersedes=theirs
        )
    assert refused.value.field == "supersedes"
    with pytest.raises(NotAllowed):  # the correction would be the other board's
        services.decision_supersede(actor=chair, decision=theirs, title="Ours", rationale="R")
    assert _state() == before


def test_marking_implemented(board, chair, board_member, function, delegate, outsider):
    decision = services.decision_log(
        actor=chair, board=board, title="T", rationale="R", owner_function=function
    )
    with pytest.raises(NotAllowed):
        services.decision_mark_implemented(actor=outsider, decision=decision)
    # the owner function's delegate (charter role) may say it is done
    decision = services.decision_mark_implemented(actor=delegate, decision=decision)
    assert (decision.status, decision.implemented_by) == (Decision.Status.IMPLEMENTED, delegate)
    with pytest.raises(ConflictError):
        services.decision_mark_implemented(actor=chair, decision=decision)


def test_marking_overdue_is_idempotent(board, chair):
    today = timezone.localdate()
    due = services.decision_log(
        actor=chair, board=board, title="Due soon", rationale="R", due_on=today + timedelta(days=1)
    )
    later = services.decision_log(
        actor=chair, board=board, title="Due later", rationale="R",
        due_on=today + timedelta(days=60),
    )  # fmt: skip
    services.decision_log(actor=chair, board=board, title="No date", rationale="R")
    done = services.decision_log(
        actor=chair, board=board, title="Done", rationale="R", due_on=today + timedelta(days=1)
    )
    services.decision_mark_implemented(actor=chair, decision=done)
    count = AuditEvent.objects.count()
    # a missed day is caught up: the scan compares due_on < today, not equality
    in_five_days = today + timedelta(days=5)
    assert services.decisions_mark_overdue(today=in_five_days) == 1
    assert services.decisions_mark_overdue(today=in_five_days) == 0
    assert _verbs_since(count) == ["decision.overdue"]
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (Decision.Status.OVERDUE, Decision.Status.OPEN)
    # overdue decisions are still to be carried out
    services.decision_mark_implemented(actor=chair, decision=due)


# --- Conflict mediation --------------------------------------------------------------------------


def _open_conflict(admin, function_owner, touchpoint, function, other_function):
    """Operations holds the design right; Marketing claims it: a conflict opens."""
    charter_services.right_assign(
        actor=admin, touchpoint=touchpoint, right="design", function=other_function
    )
    claim = charter_services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function,
        rationale="Scripts are brand voice.",
    )  # fmt: skip
    return claim.conflict


def test_a_board_decision_resolves_a_conflict_in_scope(
    board, chair, admin_user, function_owner, touchpoint, function, other_function
):
    # given
    conflict = _open_conflict(admin_user, function_owner, touchpoint, function, other_function)
    meeting = _past_meeting(board)
    count = AuditEvent.objects.count()
    # when the board decides for Marketing
    decision = services.decision_log(
        actor=chair, board=board, meeting=meeting, title="Marketing designs the script",
        rationale="Brand voice.", conflict=conflict, winner=function,
    )  # fmt: skip
    # then the right moves through the charter, and the decision records why
    assert RightAssignment.objects.active().get(touchpoint=touchpoint).function == function
    conflict.refresh_from_db()
    assert (conflict.status, conflict.winner, conflict.decided_by) == (
        Conflict.Status.RESOLVED, function, chair,
    )  # fmt: skip
    assert conflict.rationale == "Brand voice."
    assert decision.conflict == conflict
    assert Decision.objects.get(conflict=conflict) == decision
    assert list(decision.touchpoints.all()) == [touchpoint]
    assert _verbs_since(count) == [
        "right.ended", "right.granted", "claim.granted", "conflict.resolved", "decision.logged",
    ]  # fmt: skip


def test_a_conflict_outside_the_scope_is_refused(
    board, chair, admin_user, function_owner, function, other_function
):
    elsewhere = TouchpointFactory(name="Checkout page")
    conflict = _open_conflict(admin_user, function_owner, elsewhere, function, other_function)
    before = _state()
    with pytest.raises(Invalid) as refused:
        services.decision_log(
            actor=chair, board=board, title="T", rationale="R", conflict=conflict,
            winner=function,
        )  # fmt: skip
    assert refused.value.field == "conflict"
    assert _state() == before


def test_a_conflict_in_scope_of_a_stage_the_board_governs(
    chair, admin_user, function_owner, function, other_function, top
):
    stage_board = BoardFactory(name="Buy-stage board", chair=chair, escalates_to=top)
    at_stage = TouchpointFactory()
    stage_board.scope_stages.add(at_stage.stage)
    conflict = _open_conflict(admin_user, function_owner, at_stage, function, other_function)
    services.decision_log(
        actor=chair, board=stage_board, title="T", rationale="R", conflict=conflict,
        winner=other_function,
    )  # fmt: skip
    conflict.refresh_from_db()
    assert conflict.winner == other_function
    assert Claim.objects.get().status == Claim.Status.REJECTED


@pytest.mark.parametrize(
    ("winner", "field"), [(None, "winner"), ("third", "winner")], ids=["no winner", "a third"]
)
def test_a_conflict_decision_names_one_of_the_two_functions(
    board, chair, admin_user, function_owner, touchpoint, function, other_function, winner, field
):
    conflict = _open_conflict(admin_user, function_owner, touchpoint, function, other_function)
    winner = FunctionFactory(name="Sales") if winner == "third" else winner
    before = _state()
    with pytest.raises(Invalid) as refused:
        services.decision_log(
            actor=chair, board=board, title="T", rationale="R", conflict=conflict, winner=winner
        )
    assert refused.value.field == field
    assert _state() == before


def test_a_decided_conflict_cannot_be_decided_again(
    board, chair, admin_user, function_owner, touchpoint, function, other_function
):
    conflict = _open_conflict(admin_user, function_owner, touchpoint, function, other_function)
    services.decision_log(
        actor=chair, board=board, title="T", rationale="R", conflict=conflict, winner=function
    )
    with pytest.raises(ConflictError):
        services.decision_log(
            actor=chair, board=board, title="Again", rationale="R", conflict=conflict,
            winner=other_function,
        )  # fmt: skip


def test_a_chair_cannot_resolve_a_conflict_through_the_charter_directly(
    board, chair, admin_user, function_owner, touchpoint, function, other_function
):
    conflict = _open_conflict(admin_user, function_owner, touchpoint, function, other_function)
    before = _state()
    with pytest.raises(NotAllowed):
        charter_services.conflict_resolve(
            actor=chair, conflict=conflict, winner=function, rationale="Brand voice."
        )
    assert _state() == before


def test_a_chair_approves_a_pending_claim_in_scope_only(
    settings, board, chair, function_owner, touchpoint, function
):
    settings.CHARTER_CLAIMS_NEED_APPROVAL = True
    claim = charter_services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="build", function=function
    )
    elsewhere = charter_services.right_claim(
        actor=function_owner, touchpoint=TouchpointFactory(), right="build", function=function
    )
    assert claim.status == Claim.Status.PENDING
    with pytest.raises(NotAllowed):
        charter_services.claim_approve(actor=chair, claim=elsewhere)
    assignment = charter_services.claim_approve(actor=chair, claim=claim, note="In our scope.")
    assert (assignment.function, assignment.touchpoint) == (function, touchpoint)


def test_the_chair_of_an_archived_board_approves_nothing(
    settings, board, chair, admin_user, function_owner, touchpoint, function
):
    settings.CHARTER_CLAIMS_NEED_APPROVAL = True
    claim = charter_services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="build", function=function
    )
    services.board_update(actor=admin_user, board=board, is_active=False)
    with pytest.raises(NotAllowed):
        charter_services.claim_approve(actor=chair, claim=claim)


# --- The escalation ladder -----------------------------------------------------------------------


def test_escalation_goes_to_the_next_rung_by_default(board, sub_board, sub_chair):
    escalation = services.escalation_raise(
        actor=sub_chair, board=sub_board, reason="Beyond our remit.", title="Chat pilot"
    )
    assert (escalation.from_board, escalation.to_board) == (sub_board, board)
    assert escalation.status == Escalation.Status.OPEN


def test_escalation_may_go_to_any_body_above(top, sub_board, sub_chair):
    escalation = services.escalation_raise(
        actor=sub_chair, board=sub_board, reason="Urgent.", title="Outage", to_board=top
    )
    assert escalation.to_board == top


def test_escalation_to_a_body_not_above_is_refused(board, chair, other_board, sub_board):
    before = _state()
    for target in (other_board, sub_board, board):
        with pytest.raises(Invalid) as refused:
            services.escalation_raise(
                actor=chair, board=board, reason="R", title="T", to_board=target
            )
        assert refused.value.field == "to_board"
    assert _state() == before


def test_the_top_board_cannot_escalate(top, top_chair):
    with pytest.raises(Invalid) as refused:
        services.escalation_raise(actor=top_chair, board=top, reason="R", title="T")
    assert "top of the ladder" in refused.value.message
    assert not Escalation.objects.exists()


def test_an_escalation_needs_a_reason_and_a_subject(board, chair):
    with pytest.raises(Invalid) as refused:
        services.escalation_raise(actor=chair, board=board, reason=" ", title="T")
    assert refused.value.field == "reason"
    with pytest.raises(Invalid) as refused:
        services.escalation_raise(actor=chair, board=board, reason="R")
    assert refused.value.field == "title"


def test_an_escalated_decision_is_returned_to_open(board, top, top_chair, chair):
    # given a decision escalated to the top
    decision = services.decision_log(actor=chair, board=board, title="Budget", rationale="R")
    escalation = services.escalation_raise(
        actor=chair, board=board, decision=decision, reason="Needs money."
    )
    decision.refresh_from_db()
    assert (escalation.title, decision.status) == ("Budget", Decision.Status.ESCALATED)
    with pytest.raises(ConflictError):  # one open escalation of a decision at a time
        services.escalation_raise(actor=chair, board=board, decision=decision, reason="Again.")
    count = AuditEvent.objects.count()
    # when the top sends it back
    services.escalation_acknowledge(actor=top_chair, escalation=escalation)
    escalation = services.escalation_return(
        actor=top_chair, escalation=escalation, response="Find it in your budget."
    )
    # then the decision is the board's again, and open
    decision.refresh_from_db()
    assert decision.status == Decision.Status.OPEN
    assert (escalation.status, escalation.response) == (
        Escalation.Status.RETURNED, "Find it in your budget.",
    )  # fmt: skip
    assert _verbs_since(count) == [
        "escalation.acknowledged", "decision.returned", "escalation.returned",
    ]  # fmt: skip
    with pytest.raises(ConflictError):
        services.escalation_return(actor=top_chair, escalation=escalation, response="Again.")


def test_an_escalated_decision_past_due_comes_back_overdue(board, top_chair, chair):
    due = timezone.localdate() + timedelta(days=2)
    decision = services.decision_log(
        actor=chair, board=board, title="Budget", rationale="R", due_on=due
    )
    escalation = services.escalation_raise(
        actor=chair, board=board, decision=decision, reason="Needs money."
    )
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        services.escalation_return(actor=top_chair, escalation=escalation, response="No.")
    decision.refresh_from_db()
    assert decision.status == Decision.Status.OVERDUE


def test_an_escalation_is_resolved_by_a_decision_at_the_receiving_body(
    board, chair, sub_board, sub_chair, board_member
):
    escalation = services.escalation_raise(
        actor=sub_chair, board=sub_board, reason="Beyond our remit.", title="Chat pilot"
    )
    escalation = services.escalation_resolve(
        actor=chair, escalation=escalation, rationale="Go ahead.", owner=board_member
    )
    assert escalation.status == Escalation.Status.RESOLVED
    resolution = escalation.resolution
    assert (resolution.board, resolution.title, resolution.owner) == (
        board, "Chat pilot", board_member,
    )  # fmt: skip
    assert escalation.response == "Go ahead."
    with pytest.raises(ConflictError):
        services.escalation_acknowledge(actor=chair, escalation=escalation)


def test_an_escalated_conflict_is_decided_above_even_outside_its_scope(
    top, top_chair, sub_board, sub_chair, admin_user, function_owner, touchpoint, function,
    other_function,
):  # fmt: skip
    # given a conflict in the working group's scope, escalated straight to the top, whose
    # scope does not include the touchpoint
    conflict = _open_conflict(admin_user, function_owner, touchpoint, function, other_function)
    escalation = services.escalation_raise(
        actor=sub_chair, board=sub_board, conflict=conflict, reason="We cannot agree.",
        to_board=top,
    )  # fmt: skip
    assert escalation.title.startswith("Conflict:")
    with pytest.raises(ConflictError):
        services.escalation_raise(actor=sub_chair, board=sub_board, conflict=conflict, reason="R")
    # when the top decides it without naming a winner, nothing happens
    before = _state()
    with pytest.raises(Invalid) as refused:
        services.escalation_resolve(actor=top_chair, escalation=escalation, rationale="R")
    assert refused.value.field == "winner"
    assert _state() == before
    # when it names one, the right moves
    escalation = services.escalation_resolve(
        actor=top_chair, escalation=escalation, rationale="Brand voice.", winner=function
    )
    assert RightAssignment.objects.active().get(touchpoint=touchpoint).function == function
    assert escalation.resolution.conflict == conflict
    assert escalation.resolution.board == top


def test_a_decision_of_another_board_cannot_be_escalated(board, chair, other_board, other_chair):
    theirs = services.decision_log(actor=other_chair, board=other_board, title="T", rationale="R")
    with pytest.raises(Invalid) as refused:
        services.escalation_raise(actor=chair, board=board, decision=theirs, reason="R")
    assert refused.value.field == "decision"


def test_a_decision_decided_above_is_superseded_by_the_bodys_decision(
    board, chair, sub_board, sub_chair
):
    decision = services.decision_log(
        actor=sub_chair, board=sub_board, title="Chat budget", rationale="Needs money."
    )
    escalation = services.escalation_raise(
        actor=sub_chair, board=sub_board, decision=decision, reason="Beyond our budget."
    )
    escalation = services.escalation_resolve(
        actor=chair, escalation=escalation, rationale="Funded from the central budget."
    )
    decision.refresh_from_db()
    assert decision.status == Decision.Status.SUPERSEDED
    assert decision.superseded_by == escalation.resolution
    assert escalation.resolution.board == board
    # Outside an escalation, another board still cannot supersede it.
    other = services.decision_log(
        actor=sub_chair, board=sub_board, title="Other", rationale="Because."
    )
    with pytest.raises(Invalid, match="only that board can supersede it"):
        services.decision_log(actor=chair, board=board, supersedes=other, title="X", rationale="Y")
