"""The demo boards for ``manage.py seed_demo``: a ladder of boards with twelve weeks of history.

* The **Executive committee** (the CEO's, first Monday of the month) is the top of the ladder.
* The **Customer-engagement board** (every Tuesday, chaired by the CMO, sponsored by the CEO)
  escalates to it: members from every function, a core group of nine, one delegate.
* Three domain boards (monthly) escalate to the engagement board: digital channels, service
  and care, sales and pricing; each scoped by journey stages or touchpoints.

History: about twelve weeks of past cadence meetings (held, one cancelled) with agendas and
attendance, decisions logged over time (implemented, open, one overdue, one superseded by a
correction, one resolving a charter conflict), two approved minutes, an escalation from a
domain board to the engagement board (acknowledged) and one from the engagement board to the
executive committee (waiting for the CEO), and the upcoming meetings of every board.

Everything is written through the boards' and the charter's services, acting as the chairs
and the demo administrator, so the demo has the audit trail of real use. The services refuse
what real use cannot do (a due date in the past, a decision logged last month): past meetings
are materialised with ``sync_meetings`` from a ``now`` twelve weeks ago, and the dates of
that history (when a decision was logged, carried out, or due; when an escalation was raised)
are then set directly with ``QuerySet.update()``. That is demo history only; the audit log
keeps the real time the demo was built.

Idempotent: if the engagement board exists the boards are already seeded and nothing is done
(nothing changed, nothing recorded).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from boards import selectors, services
from boards.models import Attendance, Board, Decision, Escalation, Meeting, Membership
from boards.scheduling import sync_meetings
from charter import services as charter_services
from charter.models import Conflict, RightAssignment
from engagement.core.errors import DomainError
from engagement.org.models import Function, User
from touchpoints.models import JourneyStage, Kpi, Touchpoint

HISTORY_WEEKS = 12

EXECUTIVE_COMMITTEE = "Executive committee"
ENGAGEMENT_BOARD = "Customer-engagement board"
DIGITAL_BOARD = "Digital channels board"
SERVICE_BOARD = "Service & care board"
SALES_BOARD = "Sales & pricing board"


@dataclass(frozen=True)
class DemoBoard:
    name: str
    purpose: str
    chair: str
    sponsor: str | None
    escalates_to: str | None
    cadence: str
    start_time: time
    duration_minutes: int
    location: str
    # (username, function slug, role, delegate)
    members: tuple[tuple[str, str, str, bool], ...]
    stages: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()  # every touchpoint of these channels, named directly
    touchpoints: tuple[str, ...] = ()
    core_size_limit: int = 12


CORE, MEMBER, ADVISOR = Membership.Role.CORE, Membership.Role.MEMBER, Membership.Role.ADVISOR

BOARDS = (
    DemoBoard(
        name=EXECUTIVE_COMMITTEE,
        purpose="The CEO's executive committee: the top of the ladder. Settles what the "
        "customer-engagement board cannot: budgets across functions, conflicts between "
        "executives, and changes to the charter's rules.",
        chair="ceo", sponsor=None, escalates_to=None,
        cadence="FREQ=MONTHLY;BYDAY=1MO", start_time=time(8, 0), duration_minutes=120,
        location="Executive floor, room 1",
        members=(
            ("ceo", "strategy", CORE, False),
            ("dokafor", "marketing", CORE, False),
            ("praman", "operations", CORE, False),
            ("mkeller", "it", CORE, False),
            ("srossi", "sales", CORE, False),
            ("therrera", "strategy", ADVISOR, False),
        ),
        core_size_limit=8,
    ),
    DemoBoard(
        name=ENGAGEMENT_BOARD,
        purpose="The standing cross-functional board that owns the customer decision "
        "journey: sets priority touchpoints, decides on facts, mediates conflicts between "
        "functions and filters what must go to the CEO.",
        chair="dokafor", sponsor="ceo", escalates_to=EXECUTIVE_COMMITTEE,
        cadence="FREQ=WEEKLY;BYDAY=TU", start_time=time(9, 0), duration_minutes=60,
        location="Board room, 4th floor",
        members=(
            # The core group of nine that really decides...
            ("dokafor", "marketing", CORE, False),
            ("lnguyen", "marketing", CORE, True),
            ("srossi", "sales", CORE, False),
            ("jwhitaker", "customer-service", CORE, False),
            ("praman", "operations", CORE, False),
            ("epetrova", "product", CORE, False),
            ("mkeller", "it", CORE, False),
            ("abello", "communications", CORE, False),
            ("therrera", "strategy", CORE, False),
            # ...and the wider board.
            ("hsato", "marketing", MEMBER, False),
            ("nkowalski", "marketing", MEMBER, False),
            ("bmensah", "sales", MEMBER, False),
            ("cfischer", "customer-service", MEMBER, False),
            ("kjohansson", "operations", MEMBER, False),
            ("ofarouk", "it", MEMBER, False),
            ("gmartin", "communications", ADVISOR, False),
            ("jsilva", "strategy", ADVISOR, False),
        ),
        stages=("consider", "evaluate", "buy", "experience", "advocate", "bond"),
        core_size_limit=10,
    ),
    DemoBoard(
        name=DIGITAL_BOARD,
        purpose="Web and app touchpoints: conversion, self-service and release priorities.",
        chair="ofarouk", sponsor="mkeller", escalates_to=ENGAGEMENT_BOARD,
        cadence="FREQ=MONTHLY;BYDAY=2WE", start_time=time(14, 0), duration_minutes=90,
        location="Digital studio",
        members=(
            ("ofarouk", "it", CORE, False),
            ("dkim", "it", CORE, True),
            ("zchen", "product", CORE, False),
            ("hsato", "marketing", CORE, False),
            ("rdiaz", "customer-service", CORE, False),
            ("ylee", "product", MEMBER, False),
            ("bmensah", "sales", MEMBER, False),
            ("vpopov", "it", ADVISOR, False),
        ),
        channels=("web", "mobile-app"),
        core_size_limit=6,
    ),
    DemoBoard(
        name=SERVICE_BOARD,
        purpose="The experience after the sale: service, billing, complaints and retention.",
        chair="jwhitaker", sponsor="praman", escalates_to=ENGAGEMENT_BOARD,
        cadence="FREQ=MONTHLY;BYDAY=1TH", start_time=time(10, 0), duration_minutes=90,
        location="Service centre, training room",
        members=(
            ("jwhitaker", "customer-service", CORE, False),
            ("cfischer", "customer-service", CORE, True),
            ("kjohansson", "operations", CORE, False),
            ("lnguyen", "marketing", CORE, False),
            ("ofarouk", "it", CORE, False),
            ("sali", "customer-service", MEMBER, False),
            ("lmuller", "operations", MEMBER, False),
            ("fadeyemi", "operations", MEMBER, False),
            ("ejones", "customer-service", ADVISOR, False),
        ),
        stages=("experience",),
        touchpoints=("Retention desk", "Renewal reminders"),
        core_size_limit=6,
    ),
    DemoBoard(
        name=SALES_BOARD,
        purpose="Evaluating and buying: quotes, prices, proposals and the order journey.",
        chair="srossi", sponsor="dokafor", escalates_to=ENGAGEMENT_BOARD,
        cadence="FREQ=MONTHLY;BYDAY=3TH", start_time=time(11, 0), duration_minutes=60,
        location="Sales floor, meeting room B",
        members=(
            ("srossi", "sales", CORE, False),
            ("bmensah", "sales", CORE, True),
            ("ismith", "product", CORE, False),
            ("nkowalski", "marketing", CORE, False),
            ("tbrown", "sales", MEMBER, False),
            ("awright", "sales", MEMBER, False),
            ("mgarcia", "sales", MEMBER, False),
        ),
        stages=("evaluate", "buy"),
        core_size_limit=6,
    ),
)  # fmt: skip

# Agenda items every engagement-board meeting goes through; the rest follow the decisions.
STANDING_AGENDA = (
    ("KPI review: priority touchpoints", 20),
    ("Decisions due and overdue", 10),
)


@dataclass(frozen=True)
class DemoDecision:
    meeting: int  # index of the engagement board's past meetings, oldest first
    title: str
    rationale: str
    owner: str
    function: str
    due_in_days: int  # from the meeting
    touchpoints: tuple[str, ...]
    outcome: str = ""
    implemented_after_days: int | None = None  # carried out so many days after the meeting
    corrects: str = ""  # the title of the decision this one supersedes


# The engagement board's decision log. Indices follow its twelve past meetings; the meeting
# at CANCELLED_MEETING did not take place.
CANCELLED_MEETING = 4
MINUTES_APPROVED = (2, 3)
OVERDUE = "Add a plain-language summary to the first bill"
SUPERSEDED = "Send the onboarding e-mail series every week"
CORRECTION = "Send the onboarding e-mail series every two weeks"
ESCALATED = "Fund one customer-data platform for every channel"

DECISIONS = (
    DemoDecision(
        0, "Make online checkout conversion the board's lead KPI this quarter",
        "Checkout converts below target for the third month while traffic is up; every "
        "function touching the buy stage reports against it weekly.",
        "dkim", "it", 28, ("Online checkout",),
        outcome="Weekly conversion report on the board's dashboard.",
        implemented_after_days=12,
    ),
    DemoDecision(
        1, "Rewrite the call-centre scripts for billing questions",
        "First-contact resolution on billing calls is the lowest of all call types; "
        "marketing designs the new scripts, operations builds them into the telephony "
        "system, service runs them.",
        "cfischer", "customer-service", 35, ("Customer service hotline", "First bill"),
        implemented_after_days=30,
    ),
    DemoDecision(
        2, OVERDUE,
        "Most first-month calls are about the first bill; a one-page summary in plain "
        "language should take a share of them away.",
        "kjohansson", "operations", 42, ("First bill",),
    ),
    DemoDecision(
        3, "Pilot proactive outage notifications in the app",
        "Outage calls swamp the hotline for hours; customers told first call less.",
        "ofarouk", "it", 90, ("Status notifications", "Service outage updates"),
    ),
    DemoDecision(
        5, "Send review invitations from the CRM, not the shop system",
        "Invitations from the shop system reach customers before delivery; the CRM knows "
        "when the order arrived.",
        "hsato", "marketing", 21, ("Review invitations",), implemented_after_days=18,
    ),
    DemoDecision(
        6, SUPERSEDED,
        "New customers ask the same questions in their first weeks; a weekly e-mail "
        "answers them before they call.",
        "lnguyen", "marketing", 60, ("Onboarding e-mail series",),
    ),
    DemoDecision(
        7, CORRECTION,
        "Correction: unsubscribes doubled in the weekly test group; every two weeks keeps "
        "the answers coming without losing the audience.",
        "lnguyen", "marketing", 70, ("Onboarding e-mail series",), corrects=SUPERSEDED,
    ),
    DemoDecision(
        8, ESCALATED,
        "Every channel keeps its own customer data, so no board sees the whole journey. "
        "The platform needs budget from IT, marketing and operations at once: the "
        "executive committee decides.",
        "mkeller", "it", 120, ("Self-service account", "Mobile app home screen"),
    ),
    DemoDecision(
        9, "Match retention-desk offers to the loyalty programme",
        "Customers who call to leave get offers the loyalty app does not know about.",
        "cfischer", "customer-service", 45, ("Retention desk", "Loyalty programme"),
    ),
)  # fmt: skip

# Open conflicts from the charter demo the boards take up, by touchpoint, in order of
# preference; if none is open, one is opened through the charter's services.
RESOLVED_CONFLICT = ("Service chat", "Self-service account", "Onboarding e-mail series")
ESCALATED_CONFLICT = ("Online checkout", "Price calculator", "Self-service account")


@dataclass
class Built:
    boards: dict[str, Board] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)


def _out(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


@transaction.atomic
def seed(*, stdout=None) -> list:
    if Board.objects.filter(name=ENGAGEMENT_BOARD).exists():
        _out(stdout, "Boards: already seeded; nothing to do.")
        return []

    now = timezone.now()
    history_start = now - timedelta(weeks=HISTORY_WEEKS)
    people = {u.username: u for u in User.objects.all()}
    functions = {f.slug: f for f in Function.objects.all()}
    admin = people["admin"]
    rng = random.Random(20130901)  # the same attendance every time
    built = Built()

    for spec in BOARDS:
        built.boards[spec.name] = _create_board(spec, built, people, functions, admin, now)

    # History: the past cadence meetings, as the scanner would have made them then.
    past = {}
    for spec in BOARDS:
        board = built.boards[spec.name]
        sync_meetings(board, now=history_start, horizon_days=HISTORY_WEEKS * 7)
        past[spec.name] = list(
            Meeting.objects.filter(board=board, starts_at__lt=now).order_by("starts_at")
        )

    engagement = built.boards[ENGAGEMENT_BOARD]
    chair = people["dokafor"]
    resolved = _conflict(engagement, RESOLVED_CONFLICT, exclude=(), functions=functions)
    escalated_conflict = _conflict(
        built.boards[DIGITAL_BOARD],
        ESCALATED_CONFLICT,
        exclude=(resolved.pk,) if resolved else (),
        functions=functions,
    )

    _engagement_history(
        engagement, past[ENGAGEMENT_BOARD], chair, people, functions, built, rng, resolved
    )
    for spec in BOARDS:
        if spec.name != ENGAGEMENT_BOARD:
            _domain_history(built.boards[spec.name], past[spec.name], people, functions, rng)

    # Escalations up the ladder.
    waiting = services.escalation_raise(
        actor=chair, board=engagement, decision=built.decisions[ESCALATED],
        meeting=built.decisions[ESCALATED].meeting,
        reason="The platform needs budget from three functions at once; only the executive "
        "committee can commit it. The board recommends funding it this year.",
    )  # fmt: skip
    _backdate_escalation(waiting, raised_at=built.decisions[ESCALATED].logged_at)
    acknowledged = None
    if escalated_conflict is not None:
        digital = built.boards[DIGITAL_BOARD]
        acknowledged = services.escalation_raise(
            actor=people[digital.chair.username], board=digital, conflict=escalated_conflict,
            reason="Both functions have a case and the touchpoint is critical; the board "
            "could not agree and asks the engagement board to decide.",
        )  # fmt: skip
        services.escalation_acknowledge(actor=chair, escalation=acknowledged)

    # The future: every board's upcoming meetings, as the scanner keeps them.
    for board in built.boards.values():
        sync_meetings(board)
    _prepare_next_meeting(engagement, chair, people, acknowledged, built)

    # Decisions past their due date become overdue, as the nightly job would have done.
    services.decisions_mark_overdue()

    _out(stdout, _summary(built))
    return []


# --- Boards --------------------------------------------------------------------------------


def _create_board(spec, built, people, functions, admin, now) -> Board:
    starts_on = timezone.localdate(now) - timedelta(weeks=HISTORY_WEEKS + 1)
    stages = JourneyStage.objects.filter(slug__in=spec.stages)
    touchpoints = Touchpoint.objects.filter(name__in=spec.touchpoints) | Touchpoint.objects.filter(
        channel__slug__in=spec.channels, is_archived=False
    )
    board = services.board_create(
        actor=admin, name=spec.name, purpose=spec.purpose, chair=people[spec.chair],
        sponsor=people[spec.sponsor] if spec.sponsor else None,
        escalates_to=built.boards[spec.escalates_to] if spec.escalates_to else None,
        cadence=spec.cadence, starts_on=starts_on, start_time=spec.start_time,
        duration_minutes=spec.duration_minutes, location=spec.location,
        core_size_limit=spec.core_size_limit,
        scope_stages=list(stages), scope_touchpoints=list(touchpoints.distinct()),
    )  # fmt: skip
    for username, function, role, is_delegate in spec.members:
        services.membership_add(
            actor=admin, board=board, person=people[username], function=functions[function],
            role=role, is_delegate=is_delegate, started_on=starts_on,
        )  # fmt: skip
    return board


def _conflict(board: Board, preferred: tuple[str, ...], *, exclude, functions):
    """An open conflict in ``board``'s scope, preferring the touchpoints named; if there is
    none, one opened through the charter (a function claims a right another one holds)."""
    open_ = [c for c in selectors.conflicts_in_scope(board) if c.pk not in exclude]
    for name in preferred:
        for conflict in open_:
            if conflict.touchpoint.name == name:
                return conflict
    if open_:
        return open_[0]
    held = (
        RightAssignment.objects.active()
        .filter(touchpoint__in=selectors.scope_touchpoints(board).values("pk"))
        .select_related("touchpoint", "function")
        .order_by("touchpoint__name", "right")
    )
    claimants = [f for f in functions.values() if f.head_id and f.is_active]
    for assignment in held:
        for function in sorted(claimants, key=lambda f: f.slug):
            if function.pk == assignment.function_id:
                continue
            try:
                claim = charter_services.right_claim(
                    actor=function.head, touchpoint=assignment.touchpoint,
                    right=assignment.right, function=function,
                    rationale=f"{function} works this touchpoint every day and should "
                    f"{assignment.get_right_display().lower()} it.",
                )  # fmt: skip
            except DomainError:
                continue
            return Conflict.objects.select_related("touchpoint").get(claim=claim)
    return None


# --- History -------------------------------------------------------------------------------


def _kpis(touchpoints):
    return list(Kpi.objects.filter(touchpoint__in=touchpoints, is_active=True))


def _attend(meeting: Meeting, chair, rng: random.Random) -> None:
    """Attendance of a held meeting: most members present, some apologies, rare absences."""
    day = timezone.localtime(meeting.starts_at).date()
    members = Membership.objects.current(day).filter(board=meeting.board).select_related("person")
    for membership in members:
        if membership.person_id == chair.pk:
            status = Attendance.Status.PRESENT
        else:
            roll = rng.random()
            status = (
                Attendance.Status.PRESENT
                if roll < 0.8
                else Attendance.Status.APOLOGIES
                if roll < 0.95
                else Attendance.Status.ABSENT
            )
        services.attendance_record(
            actor=chair, meeting=meeting, person=membership.person, status=status
        )
    # Demo history only: attendance was taken at the meeting, not when the demo was built.
    Attendance.objects.filter(meeting=meeting).update(recorded_at=meeting.ends_at)


def _log(board, chair, meeting, spec: DemoDecision, people, functions, built, today):
    """Log a decision of a past meeting through the service, then give it its history."""
    meeting_day = timezone.localtime(meeting.starts_at).date()
    due = meeting_day + timedelta(days=spec.due_in_days)
    touchpoints = list(Touchpoint.objects.filter(name__in=spec.touchpoints))
    fields = {
        "title": spec.title, "rationale": spec.rationale, "outcome": spec.outcome,
        "owner": people[spec.owner], "owner_function": functions[spec.function],
        # The service refuses a due date in the past; the real one is set below.
        "due_on": max(due, today), "meeting": meeting, "touchpoints": touchpoints,
        "kpis": _kpis(touchpoints),
    }  # fmt: skip
    if spec.corrects:
        decision = services.decision_supersede(
            actor=chair, decision=built.decisions[spec.corrects], **fields
        )
    else:
        decision = services.decision_log(actor=chair, board=board, **fields)
    logged_at = meeting.ends_at - timedelta(minutes=5)
    # Demo history only: when the decision was logged and when it is due.
    Decision.objects.filter(pk=decision.pk).update(logged_at=logged_at, due_on=due)
    if spec.implemented_after_days is not None:
        services.decision_mark_implemented(actor=people[spec.owner], decision=decision)
        done_at = min(logged_at + timedelta(days=spec.implemented_after_days), timezone.now())
        Decision.objects.filter(pk=decision.pk).update(implemented_at=done_at)
    decision.refresh_from_db()
    built.decisions[spec.title] = decision
    return decision


def _engagement_history(board, meetings, chair, people, functions, built, rng, conflict):
    today = timezone.localdate()
    decisions_at = {}
    for spec in DECISIONS:
        decisions_at.setdefault(spec.meeting, []).append(spec)
    last = len(meetings) - 1
    for index, meeting in enumerate(meetings):
        if index == CANCELLED_MEETING:
            services.meeting_cancel(
                actor=chair, meeting=meeting,
                reason="Clashes with the quarterly business review; items move to next week.",
            )  # fmt: skip
            continue
        for title, minutes in STANDING_AGENDA:
            services.agenda_item_add(
                actor=chair, meeting=meeting, title=title, duration_minutes=minutes,
                presenter=people["hsato"] if minutes == 20 else people["lnguyen"],
            )  # fmt: skip
        for spec in decisions_at.get(index, ()):
            touchpoint = Touchpoint.objects.filter(name=spec.touchpoints[0]).first()
            services.agenda_item_add(
                actor=chair, meeting=meeting, title=spec.title, touchpoint=touchpoint,
                presenter=people[spec.owner], duration_minutes=15,
            )  # fmt: skip
        if index == last and conflict is not None:
            services.agenda_item_add(
                actor=chair, meeting=meeting, conflict=conflict, duration_minutes=20,
                notes="Both functions present their case; the board decides.",
            )  # fmt: skip
        services.meeting_hold(actor=chair, meeting=meeting)
        _attend(meeting, chair, rng)
        for spec in decisions_at.get(index, ()):
            _log(board, chair, meeting, spec, people, functions, built, today)
        if index == last and conflict is not None:
            # Logged after the meeting, today: the charter's record of the conflict is real.
            built.decisions["conflict"] = services.decision_log(
                actor=chair, board=board, meeting=meeting, conflict=conflict,
                winner=conflict.claimant_function,
                title=f"{conflict.claimant_function} takes the right to "
                f"{conflict.get_right_display().lower()} {conflict.touchpoint}",
                rationale=f"{conflict.claimant_function} works {conflict.touchpoint} every day "
                "and answers for its KPIs; the board gives it the right and asks "
                f"{conflict.holder_function} to hand over within a month.",
                owner=conflict.claimant_function.head,
                owner_function=conflict.claimant_function,
                due_on=today + timedelta(days=30), kpis=_kpis([conflict.touchpoint]),
            )  # fmt: skip
        if index in MINUTES_APPROVED:
            services.minutes_approve(
                actor=chair, meeting=meeting,
                notes="Approved at the following meeting without changes.",
            )  # fmt: skip
            # Demo history only: approved a week after the meeting.
            Meeting.objects.filter(pk=meeting.pk).update(
                minutes_approved_at=meeting.starts_at + timedelta(days=7)
            )


DOMAIN_DECISIONS = {
    DIGITAL_BOARD: (
        "Ship the redesigned product comparison pages",
        "Comparison pages lose half their visitors; the redesign tested better on mobile.",
        "dkim", "it", ("Product comparison pages",), 21,
    ),
    SERVICE_BOARD: (
        "Publish a complaints-handling promise",
        "Complaints wait too long for a first answer; a published promise sets the bar.",
        "sali", "customer-service", ("Complaints handling",), None,
    ),
    SALES_BOARD: (
        "Align calculator prices with the sales price book",
        "Quotes from the online calculator do not match what sales can sell.",
        "ismith", "product", ("Price calculator",), None,
    ),
}  # fmt: skip


def _domain_history(board, meetings, people, functions, rng) -> None:
    """A domain board's or the executive committee's past meetings: held, with attendance,
    and one decision in the first."""
    today = timezone.localdate()
    chair = people[board.chair.username]
    for index, meeting in enumerate(meetings):
        services.agenda_item_add(
            actor=chair, meeting=meeting, title="KPI review", duration_minutes=30
        )
        services.meeting_hold(actor=chair, meeting=meeting)
        _attend(meeting, chair, rng)
        if index == 0 and board.name in DOMAIN_DECISIONS:
            title, rationale, owner, function, names, done_after = DOMAIN_DECISIONS[board.name]
            spec = DemoDecision(
                index, title, rationale, owner, function, 100, names,
                implemented_after_days=done_after,
            )  # fmt: skip
            _log(board, chair, meeting, spec, people, functions, Built(), today)
        if index == 0 and board.name == EXECUTIVE_COMMITTEE:
            spec = DemoDecision(
                index, "Every touchpoint has a charter by the end of the year",
                "Gaps and turf wars cost more than the work of writing the rights down.",
                "therrera", "strategy", 150, (),
            )  # fmt: skip
            _log(board, chair, meeting, spec, people, functions, Built(), today)


def _backdate_escalation(escalation: Escalation, *, raised_at: datetime) -> None:
    # Demo history only: raised when the decision was taken.
    Escalation.objects.filter(pk=escalation.pk).update(raised_at=raised_at)


def _prepare_next_meeting(board, chair, people, escalation, built) -> None:
    """The engagement board's next meeting: an agenda, and apologies sent ahead."""
    meeting = Meeting.objects.upcoming().filter(board=board).first()
    if meeting is None:
        return
    for title, minutes in STANDING_AGENDA:
        services.agenda_item_add(
            actor=chair, meeting=meeting, title=title, duration_minutes=minutes
        )
    if escalation is not None and escalation.conflict_id:
        services.agenda_item_add(
            actor=chair, meeting=meeting, conflict=escalation.conflict, duration_minutes=20,
            notes=f"Escalated by the {escalation.from_board}.",
        )  # fmt: skip
    corrected = built.decisions.get(CORRECTION)
    if corrected is not None:
        services.agenda_item_add(
            actor=chair, meeting=meeting, decision=corrected, duration_minutes=10
        )
    services.attendance_record(
        actor=chair, meeting=meeting, person=people["srossi"], status=Attendance.Status.APOLOGIES
    )


def _summary(built: Built) -> str:
    boards = list(built.boards.values())
    meetings = Meeting.objects.filter(board__in=boards)
    decisions = Decision.objects.filter(board__in=boards)
    escalations = Escalation.objects.filter(from_board__in=boards)
    held = meetings.filter(status=Meeting.Status.HELD).count()
    cancelled = meetings.filter(status=Meeting.Status.CANCELLED).count()
    upcoming = meetings.upcoming().count()
    ladder = " → ".join(
        b.name for b in [built.boards[ENGAGEMENT_BOARD], built.boards[EXECUTIVE_COMMITTEE]]
    )
    return (
        f"Boards: {len(boards)} boards ({ladder}, with "
        f"{len(boards) - 2} domain boards below), {held} meetings held, {cancelled} "
        f"cancelled, {upcoming} upcoming; {decisions.count()} decisions "
        f"({decisions.filter(status=Decision.Status.OVERDUE).count()} overdue, "
        f"{decisions.filter(status=Decision.Status.SUPERSEDED).count()} superseded); "
        f"{escalations.count()} escalations "
        f"({escalations.filter(status=Escalation.Status.OPEN).count()} waiting)."
    )
