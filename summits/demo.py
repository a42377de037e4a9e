"""The demo summits for ``manage.py seed_demo``: last year's summit, closed, and this year's,
held a few weeks ago, both chaired by the CMO.

* **Last year's summit** (two days, about a year ago): a participant from every function that
  holds rights on the journey, a review of every journey stage with the KPIs it rested on,
  the capability plan for the five areas, and ten action items followed up by the
  customer-engagement board and the domain boards: most done (some late), one cancelled, each
  with its timeline of progress. Held, then closed.
* **This year's summit** (two days, a few weeks ago): the review shows the evaluate, buy and
  experience stages better and the bond stage worse (renewal reminders went wrong), a new
  capability plan, and twelve action items, most followed up by the engagement board: open or
  in progress, two overdue, two due within a fortnight, one done, one on the agenda of the
  board's next meeting and one re-planned by a board decision. Held, not closed. The
  Communications function, which holds rights on social-media touchpoints, sent nobody: the
  summit page warns about it.

Everything is written through the summits' services acting as the people concerned (the CEO
calls the summits, the chair sets them up and records the items, the owners start, report on
and complete their items, the board's chair decides), so the demo has the audit trail of real
use. The services refuse what real use cannot do (an item due in the past, a completion
in the future) and stamp what they write with the time of the write: items are recorded with
due dates that are still ahead, and the dates of that history (when an item was recorded, was
due, was started, reported on, completed; when a summit was called, held, closed; the KPI
values the review saw) are then set directly with ``QuerySet.update()``, as the boards' demo
does. That is demo history only; the audit log keeps the real time the demo was built.

Idempotent: if a demo summit exists the summits are already seeded and nothing is done
(nothing changed, nothing recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from boards import demo as boards_demo
from boards.models import Board, Decision, Meeting
from engagement.org.models import Function, User
from summits import selectors, services
from summits.models import (
    ActionItem,
    ActionItemUpdate,
    Capability,
    JourneyReview,
    ReviewEvidence,
    Summit,
)
from touchpoints.models import JourneyStage, Kpi, Measurement, Touchpoint

TITLE = "Customer-engagement summit"
CHAIR = "dokafor"
CALLED_BY = "ceo"

ENGAGEMENT = boards_demo.ENGAGEMENT_BOARD
DIGITAL = boards_demo.DIGITAL_BOARD
SERVICE = boards_demo.SERVICE_BOARD
SALES = boards_demo.SALES_BOARD

# This year's summit leaves this function out, so the coverage warning shows.
UNCOVERED = "communications"

Priority, Sourcing = ActionItem.Priority, Capability.Sourcing


@dataclass(frozen=True)
class DemoReview:
    stage: str  # a stage slug, or a touchpoint name when ``touchpoint`` is set
    current: int
    target: int
    notes: str
    reviewer: str
    evidence: tuple[str, ...]  # touchpoints whose active KPIs are the evidence
    touchpoint: bool = False


@dataclass(frozen=True)
class DemoCapability:
    area: str
    sourcing: str
    gap: int
    owner: str
    notes: str
    partners: str = ""


@dataclass(frozen=True)
class DemoItem:
    """An action item and its story. Days count from the summit's first day (last year) or
    from today (this year); ``story`` is the timeline after the item was recorded: (day,
    what, note) with what one of start, progress, complete (on that day), cancel."""

    title: str
    description: str
    owner: str
    function: str
    board: str
    due: int
    touchpoints: tuple[str, ...] = ()
    priority: str = Priority.MEDIUM
    story: tuple[tuple[int, str, str], ...] = ()


@dataclass(frozen=True)
class DemoSummit:
    purpose: str
    location: str
    # (username, function slug, role at the summit)
    participants: tuple[tuple[str, str, str], ...]
    reviews: tuple[DemoReview, ...]
    capabilities: tuple[DemoCapability, ...]
    items: tuple[DemoItem, ...]


HIGH, CRITICAL, LOW = Priority.HIGH, Priority.CRITICAL, Priority.LOW
INTERNAL, EXTERNAL, MIXED = Sourcing.INTERNAL, Sourcing.EXTERNAL, Sourcing.MIXED
AREA = Capability.Area

LAST_YEAR = DemoSummit(
    purpose="Walk the customer decision journey stage by stage with every function that "
    "designs, builds, operates or updates a touchpoint; agree where engagement falls short "
    "and leave with owned, dated commitments.",
    location="Lakeside conference centre",
    participants=(
        ("dokafor", "marketing", "Chairs the summit"),
        ("lnguyen", "marketing", "Presents the journey"),
        ("hsato", "marketing", "Brings the KPI evidence"),
        ("srossi", "sales", "Presents the evaluate and buy stages"),
        ("jwhitaker", "customer-service", "Presents the experience stage"),
        ("praman", "operations", ""),
        ("epetrova", "product", ""),
        ("mkeller", "it", ""),
        ("abello", "communications", ""),
        ("ceo", "strategy", "Opens the summit"),
        ("therrera", "strategy", "Facilitator"),
    ),
    reviews=(
        DemoReview(
            "consider", 3, 4,
            "Brand search and social campaigns bring people in; awareness is not the problem. "
            "Display spend cannot be tied to anything further down the journey.",
            "lnguyen", ("Brand search landing page", "Social awareness campaigns"),
        ),
        DemoReview(
            "evaluate", 2, 4,
            "Prospects compare us on price and cannot: the comparison pages lose half their "
            "mobile visitors and the calculator quotes prices sales cannot honour.",
            "srossi", ("Product comparison pages", "Price calculator"),
        ),
        DemoReview(
            "buy", 3, 4,
            "Checkout works but takes six steps; business contracts still wait on paper.",
            "srossi", ("Online checkout", "Contract signing"),
        ),
        DemoReview(
            "experience", 2, 4,
            "The first bill drives a third of first-month calls, and billing questions are "
            "the call type the hotline resolves least often at the first contact.",
            "jwhitaker", ("First bill", "Customer service hotline"),
        ),
        DemoReview(
            "advocate", 2, 3,
            "Nobody asks customers how a service contact went; review invitations arrive "
            "before the order does.",
            "hsato", ("Customer satisfaction survey", "Review invitations"),
        ),
        DemoReview(
            "bond", 3, 4,
            "Renewals hold up, helped by the reminders; the retention desk's offers are not "
            "joined up with the loyalty programme.",
            "lnguyen", ("Renewal reminders", "Retention desk"),
        ),
    ),
    capabilities=(
        DemoCapability(
            AREA.CONTENT, MIXED, 3, "nkowalski",
            "Campaign copy in-house; long-form and video from the studio.",
            partners="Northlight Studio",
        ),
        DemoCapability(
            AREA.DATA, EXTERNAL, 4, "hsato",
            "No single view of the customer; the agency assembles the dashboards by hand "
            "every month.",
            partners="Aurora Analytics",
        ),
        DemoCapability(
            AREA.INNOVATION, INTERNAL, 3, "epetrova",
            "Product discovery is strong; service ideas have no route to the roadmap.",
        ),
        DemoCapability(
            AREA.EXPERIENCE, MIXED, 4, "lnguyen",
            "Journey mapping with the agency; nobody owns the service blueprint.",
            partners="Fieldwork CX Partners",
        ),
        DemoCapability(
            AREA.BRAND, INTERNAL, 2, "abello",
            "Trusted brand; social response times let it down during outages.",
        ),
    ),
    items=(
        DemoItem(
            "Publish the monthly KPI pack for the priority touchpoints",
            "One pack, one set of definitions, on the engagement board's table every month.",
            "hsato", "marketing", ENGAGEMENT, 45, ("Brand search landing page",), HIGH,
            story=((5, "start", ""), (20, "progress", "Definitions agreed with IT and service."),
                   (40, "complete", "The first pack went to the board on time.")),
        ),
        DemoItem(
            "Ask for feedback after every service contact",
            "A two-question survey after every call, chat and store visit.",
            "ejones", "customer-service", SERVICE, 90, ("Customer satisfaction survey",),
            story=((10, "start", ""), (50, "progress", "Pilot on the hotline: 18% answer."),
                   (84, "complete", "Live on every service channel.")),
        ),
        DemoItem(
            "Redesign the product comparison pages for mobile",
            "Half of mobile visitors leave the comparison pages; test and ship a redesign.",
            "dkim", "it", DIGITAL, 120, ("Product comparison pages",), CRITICAL,
            story=((14, "start", ""),
                   (100, "progress", "Usability tests took longer than planned."),
                   (150, "complete", "Shipped a month late after a second test round.")),
        ),
        DemoItem(
            "Cut online checkout from six steps to four",
            "Merge delivery and payment; keep the credit check out of the customer's way.",
            "ofarouk", "it", DIGITAL, 150, ("Online checkout",), CRITICAL,
            story=((20, "start", ""), (90, "progress", "Four-step flow in A/B test."),
                   (140, "complete", "Four steps for everyone; conversion up.")),
        ),
        DemoItem(
            "Write the charter for every critical touchpoint",
            "Who designs, builds, operates and updates each critical touchpoint, on record.",
            "jsilva", "strategy", ENGAGEMENT, 60, ("First bill", "Online checkout"),
            story=((7, "start", ""), (55, "progress", "Two functions still disagree on chat."),
                   (75, "complete", "Done after the board settled the chat question.")),
        ),
        DemoItem(
            "Train call-centre agents on the new billing scripts",
            "Every agent through the new scripts before the billing season.",
            "cfischer", "customer-service", SERVICE, 100, ("Customer service hotline",), HIGH,
            story=((30, "start", ""), (95, "complete", "All 140 agents trained.")),
        ),
        DemoItem(
            "Join the renewal reminders up with the loyalty programme",
            "Reminders mention the customer's points and the offer they qualify for.",
            "lnguyen", "marketing", ENGAGEMENT, 180, ("Renewal reminders", "Loyalty programme"),
            story=((40, "start", ""), (120, "progress", "Points shown in the reminder test."),
                   (176, "complete", "Live for every renewal.")),
        ),
        DemoItem(
            "Add a price-match promise to the price calculator",
            "Quotes online match what sales can sell, or we say why.",
            "ismith", "product", SALES, 120, ("Price calculator",),
            story=((15, "start", ""), (110, "progress", "Waiting for the new price book."),
                   (160, "complete", "Live once the price book was signed off.")),
        ),
        DemoItem(
            "Answer social-media mentions within the hour",
            "Staff the social desk in the evening and during outages.",
            "gmartin", "communications", ENGAGEMENT, 90, ("Social mentions response",),
            story=((3, "start", ""), (88, "complete", "Median first answer now 35 minutes.")),
        ),
        DemoItem(
            "Write the business case for a customer-data platform",
            "One platform for every channel's customer data.",
            "vpopov", "it", ENGAGEMENT, 200, ("Self-service account",), LOW,
            story=((25, "start", ""),
                   (70, "cancel", "Overtaken: the board took the platform to the executive "
                    "committee as a decision, not a business case.")),
        ),
    ),
)  # fmt: skip

THIS_YEAR = DemoSummit(
    purpose="A year on: what last year's commitments changed along the journey, where "
    "engagement slipped, and what the functions commit to next.",
    location="Head office, auditorium",
    participants=(
        ("dokafor", "marketing", "Chairs the summit"),
        ("lnguyen", "marketing", "Presents the journey"),
        ("hsato", "marketing", "Brings the KPI evidence"),
        ("srossi", "sales", "Presents the evaluate and buy stages"),
        ("jwhitaker", "customer-service", "Presents the experience stage"),
        ("cfischer", "customer-service", "Retention desk"),
        ("praman", "operations", ""),
        ("epetrova", "product", ""),
        ("mkeller", "it", ""),
        ("ofarouk", "it", "Digital channels board"),
        ("ceo", "strategy", "Opens the summit"),
        ("therrera", "strategy", "Facilitator"),
    ),
    reviews=(
        DemoReview(
            "consider", 3, 4,
            "Unchanged: awareness holds, display spend is still not tied to anything.",
            "lnguyen", ("Brand search landing page", "Social awareness campaigns"),
        ),
        DemoReview(
            "evaluate", 3, 4,
            "Better: the redesigned comparison pages keep mobile visitors, and calculator "
            "quotes now match the price book.",
            "srossi", ("Product comparison pages", "Price calculator"),
        ),
        DemoReview(
            "buy", 4, 5,
            "Better: four-step checkout converts above target. In-app purchase is the next "
            "gap.",
            "srossi", ("Online checkout", "In-app purchase"),
        ),
        DemoReview(
            "experience", 3, 4,
            "Better: billing calls are resolved at the first contact more often since the "
            "new scripts; the first bill is still the first reason to call.",
            "jwhitaker", ("First bill", "Customer service hotline"),
        ),
        DemoReview(
            "advocate", 2, 3,
            "Feedback now comes after every contact; nobody acts on it yet.",
            "hsato", ("Customer satisfaction survey", "Review invitations"),
        ),
        DemoReview(
            "bond", 2, 4,
            "Worse: after the billing migration renewal reminders went to customers who had "
            "already renewed, and churn calls to the retention desk rose.",
            "lnguyen", ("Renewal reminders", "Retention desk"),
        ),
        DemoReview(
            "Renewal reminders", 2, 4,
            "The reminders read the old billing system's renewal dates.",
            "cfischer", ("Renewal reminders",), touchpoint=True,
        ),
    ),
    capabilities=(
        DemoCapability(
            AREA.CONTENT, MIXED, 2, "nkowalski",
            "The studio now works from our journey map.", partners="Northlight Studio",
        ),
        DemoCapability(
            AREA.DATA, MIXED, 3, "vpopov",
            "The customer-data platform is funded; the agency builds the first release "
            "with our data team.",
            partners="Aurora Analytics, Quanta Cloud",
        ),
        DemoCapability(
            AREA.INNOVATION, INTERNAL, 3, "epetrova",
            "Service ideas now reach the roadmap review every quarter.",
        ),
        DemoCapability(
            AREA.EXPERIENCE, MIXED, 3, "lnguyen",
            "Service blueprint owned by the journey team.", partners="Fieldwork CX Partners",
        ),
        DemoCapability(
            AREA.BRAND, MIXED, 2, "abello",
            "Outage communication playbook with the agency.", partners="Harbour PR",
        ),
    ),
    items=(
        DemoItem(
            "Put the bond-stage KPIs on the board's dashboard",
            "Renewal and retention KPIs next to the priority touchpoints' every week.",
            "hsato", "marketing", ENGAGEMENT, 20, ("Renewal reminders", "Retention desk"),
            story=((-18, "start", ""), (-10, "progress", "Retention desk data connected."),
                   (-3, "complete", "On the dashboard from this week.")),
        ),
        DemoItem(
            "Stop renewal reminders to customers who already renewed",
            "Read renewal dates from the new billing system; apologise to those affected.",
            "lnguyen", "marketing", ENGAGEMENT, -9, ("Renewal reminders",), CRITICAL,
            story=((-17, "start", ""),
                   (-9, "progress", "Fix tested; waiting for a billing release slot.")),
        ),
        DemoItem(
            "Give the retention desk the loyalty programme's offers",
            "Agents see the offers the customer already has in the app.",
            "cfischer", "customer-service", SERVICE, -2, ("Retention desk", "Loyalty programme"),
            HIGH,
        ),
        DemoItem(
            "Name an owner for every vacant right on critical touchpoints",
            "The charter still has vacant rights; propose a holder for each.",
            "jsilva", "strategy", ENGAGEMENT, 5, ("First bill", "Online checkout"), HIGH,
            story=((-15, "start", ""), (-4, "progress", "Proposals ready for the board.")),
        ),
        DemoItem(
            "Publish the complaints-handling promise on the website",
            "What customers can expect, and by when, once they complain.",
            "sali", "customer-service", ENGAGEMENT, 12, ("Complaints handling",),
        ),
        DemoItem(
            "Send outage notifications in the app to every customer",
            "Extend the pilot to every customer and every outage type.",
            "ofarouk", "it", DIGITAL, 60, ("Status notifications", "Service outage updates"),
            HIGH,
            story=((-14, "start", ""), (-5, "progress", "Android live; iOS in review.")),
        ),
        DemoItem(
            "Answer the top billing questions in the self-service account",
            "The five questions behind most billing calls, answered where customers look.",
            "rdiaz", "customer-service", ENGAGEMENT, 45, ("Self-service account", "First bill"),
        ),
        DemoItem(
            "Answer the top five first-month questions in the onboarding e-mails",
            "From the hotline's first-month call reasons.",
            "nkowalski", "marketing", ENGAGEMENT, 75, ("Onboarding e-mail series",),
        ),
        DemoItem(
            "Ship the first release of the customer-data platform",
            "Web, app and call-centre data in one customer view for the board.",
            "vpopov", "it", ENGAGEMENT, 90, ("Self-service account", "Mobile app home screen"),
            CRITICAL, story=((-12, "start", ""),),
        ),
        DemoItem(
            "Make calculator quotes and sales quotes the same",
            "One price book behind both.",
            "ismith", "product", SALES, 30, ("Price calculator",),
            story=((-16, "start", ""),),
        ),
        DemoItem(
            "Pilot a refer-a-friend reward in the app",
            "200 customers, three months, measured against the forum and reviews.",
            "pcosta", "marketing", ENGAGEMENT, 90, ("Refer-a-friend programme",), LOW,
        ),
        DemoItem(
            "Measure net promoter score after every store visit",
            "Same question, same scale as the other channels.",
            "lmuller", "operations", ENGAGEMENT, 150, ("Repairs and returns desk",),
        ),
    ),
)  # fmt: skip

# This year's items the engagement board takes up: one goes on its next meeting's agenda,
# one is re-planned by a decision at its last meeting.
ON_AGENDA = "Name an owner for every vacant right on critical touchpoints"
REPLANNED = "Ship the first release of the customer-data platform"
REPLANNED_DUE = 150  # days from today


def _out(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _wednesday_from(day: date) -> date:
    """The first Wednesday on or after ``day``: summits run Wednesday to Thursday."""
    return day + timedelta(days=(2 - day.weekday()) % 7)


@transaction.atomic
def seed(*, stdout=None) -> list:
    if Summit.objects.filter(title__startswith=TITLE).exists():
        _out(stdout, "Summits: already seeded; nothing to do.")
        return []

    today = timezone.localdate()
    people = {u.username: u for u in User.objects.all()}
    functions = {f.slug: f for f in Function.objects.all()}
    boards = {b.name: b for b in Board.objects.filter(is_active=True)}

    # Last year's: about a year ago (never before the KPI history begins), held and closed.
    start = _wednesday_from(today - timedelta(days=364))
    last = _summit(LAST_YEAR, start, people, functions, boards, anchor=start)
    _close(last, people[CHAIR], closed_on=start + timedelta(days=21))

    # This year's: a few weeks ago, held; the board follows its items up.
    start = _wednesday_from(today - timedelta(days=27))
    this = _summit(THIS_YEAR, start, people, functions, boards, anchor=today)
    engagement = boards.get(ENGAGEMENT)
    if engagement is not None:
        _take_up(this, engagement, people[CHAIR], today)

    _out(stdout, _summary(last, this))
    return []


def _summit(spec: DemoSummit, start: date, people, functions, boards, *, anchor) -> Summit:
    """Call, set up and hold a summit on ``start`` (two days), with its record and items."""
    chair = people[CHAIR]
    ends = start + timedelta(days=1)
    summit = services.summit_create(
        actor=people[CALLED_BY], title=f"{TITLE} {start.year}", purpose=spec.purpose,
        starts_on=start, ends_on=ends, location=spec.location, chair=chair,
    )  # fmt: skip
    for username, function, note in spec.participants:
        services.participant_add(
            actor=chair, summit=summit, person=people[username], function=functions[function],
            note=note,
        )  # fmt: skip
    stages = {s.slug: s for s in JourneyStage.objects.all()}
    for review in spec.reviews:
        evidence = Kpi.objects.filter(touchpoint__name__in=review.evidence, is_active=True)
        subject = (
            {"touchpoint": Touchpoint.objects.get(name=review.stage)}
            if review.touchpoint
            else {"stage": stages[review.stage]}
        )
        services.review_add(
            actor=people[review.reviewer], summit=summit, current_level=review.current,
            target_level=review.target, notes=review.notes, kpis=list(evidence), **subject,
        )  # fmt: skip
    for plan in spec.capabilities:
        services.capability_add(
            actor=chair, summit=summit, area=plan.area, sourcing=plan.sourcing, gap=plan.gap,
            owner=people[plan.owner], partners=plan.partners, notes=plan.notes,
        )  # fmt: skip
    for item in spec.items:
        _item(summit, item, anchor, people, functions, boards)
    services.summit_hold(actor=chair, summit=summit)

    # Demo history only: called six weeks ahead, held on its last day, reviewed and planned
    # at the summit with the KPI values it saw.
    Summit.objects.filter(pk=summit.pk).update(
        created_at=_at(start - timedelta(weeks=6), 10), held_at=_at(ends, 18)
    )
    JourneyReview.objects.filter(summit=summit).update(updated_at=_at(ends, 12))
    Capability.objects.filter(summit=summit).update(updated_at=_at(ends, 15))
    _evidence_as_of(summit, start)
    summit.refresh_from_db()
    return summit


def _evidence_as_of(summit: Summit, day: date) -> None:
    """Give the review's evidence the values measured by ``day`` (the latest period that
    started on or before it; the first one when the history begins later)."""
    for evidence in ReviewEvidence.objects.filter(review__summit=summit).select_related("kpi"):
        measurements = Measurement.objects.filter(kpi=evidence.kpi_id)
        then = (
            measurements.filter(period__lte=day).order_by("-period").first()
            or measurements.order_by("period").first()
        )
        value = then.value if then else None
        ReviewEvidence.objects.filter(pk=evidence.pk).update(
            value=value, period=then.period if then else None,
            kpi_status=evidence.kpi.status_of(value), captured_at=_at(day, 11),
        )  # fmt: skip


def _item(summit: Summit, spec: DemoItem, anchor: date, people, functions, boards) -> ActionItem:
    """Record an item at the summit, play its story through the services, then date it."""
    chair, owner = people[CHAIR], people[spec.owner]
    today = timezone.localdate()
    due = anchor + timedelta(days=spec.due)
    item = services.action_item_create(
        actor=chair, summit=summit, title=spec.title, description=spec.description,
        owner=owner, owner_function=functions[spec.function], board=boards[spec.board],
        # The service refuses a due date in the past; the real one is set below.
        due_on=max(due, today), priority=spec.priority,
        touchpoints=list(Touchpoint.objects.filter(name__in=spec.touchpoints)),
    )  # fmt: skip
    when = [_at(summit.ends_on, 17)]
    for day, what, note in spec.story:
        on = anchor + timedelta(days=day)
        if what == "start":
            services.action_item_start(actor=owner, item=item, note=note)
            when.append(_at(on, 9, 30))
        elif what == "progress":
            services.action_item_progress(actor=owner, item=item, note=note)
            when.append(_at(on, 11))
        elif what == "complete":
            services.action_item_complete(actor=owner, item=item, note=note, completed_on=on)
            when.append(_at(on, 16))
        elif what == "cancel":
            services.action_item_cancel(actor=chair, item=item, reason=note)
            when.append(_at(on, 15))
        else:
            raise ValueError(f"Unknown step {what!r} in the story of {spec.title!r}.")
    # Demo history only: recorded at the summit, due and carried out when the story says.
    ActionItem.objects.filter(pk=item.pk).update(due_on=due, created_at=when[0])
    updates = item.updates.order_by("pk").values_list("pk", flat=True)
    for pk, at in zip(list(updates), when, strict=True):
        ActionItemUpdate.objects.filter(pk=pk).update(created_at=at)
    item.updates.filter(kind=ActionItemUpdate.Kind.CREATED).update(due_after=due)
    return item


def _close(summit: Summit, chair, *, closed_on: date) -> None:
    services.summit_close(actor=chair, summit=summit)
    # Demo history only: closed three weeks after it was held.
    Summit.objects.filter(pk=summit.pk).update(closed_at=_at(closed_on, 10))
    summit.refresh_from_db()


def _take_up(summit: Summit, board: Board, chair, today: date) -> None:
    """The engagement board at work on this year's items: one is re-planned by a decision of
    its last meeting, one goes on the agenda of its next."""
    items = {i.title: i for i in ActionItem.objects.filter(summit=summit, board=board)}
    # Its last meeting whose minutes are still open, after the summit.
    held = (
        Meeting.objects.filter(board=board, status=Meeting.Status.HELD)
        .filter(minutes_approved_at__isnull=True, starts_at__date__gt=summit.ends_on)
        .order_by("-starts_at")
        .first()
    )
    replanned = items.get(REPLANNED)
    if replanned is not None:
        services.action_item_decide(
            actor=chair, item=replanned, outcome="replan", meeting=held,
            due_on=today + timedelta(days=REPLANNED_DUE),
            rationale="The executive committee funds the platform from next quarter; the "
            "first release moves with the budget rather than ship without the call-centre "
            "data.",
        )  # fmt: skip
        if held is not None:
            # Demo history only: decided at the meeting and carried out there.
            decided_at = held.ends_at - timedelta(minutes=10)
            update = replanned.updates.get(kind=ActionItemUpdate.Kind.REPLANNED)
            ActionItemUpdate.objects.filter(pk=update.pk).update(created_at=decided_at)
            Decision.objects.filter(pk=update.decision_id).update(
                logged_at=decided_at, implemented_at=held.ends_at
            )
    on_agenda = items.get(ON_AGENDA)
    upcoming = Meeting.objects.upcoming().filter(board=board).first()
    if on_agenda is not None and upcoming is not None:
        services.action_item_put_on_agenda(
            actor=chair, item=on_agenda, meeting=upcoming,
            notes="Proposals for every vacant right; the board decides who holds them.",
        )  # fmt: skip
        # Demo history only: the chair set the agenda yesterday.
        on_agenda.updates.filter(kind=ActionItemUpdate.Kind.AGENDA).update(
            created_at=timezone.now() - timedelta(days=1)
        )


def _summary(last: Summit, this: Summit) -> str:
    completion = selectors.completion_by_summit([last.pk, this.pk])
    before, now = completion[last.pk], completion[this.pk]
    uncovered = selectors.uncovered_functions(this, list(this.participants.all()))
    return (
        f"Summits: {last} ({last.get_status_display()}: {before.total} action items, "
        f"{before.on_time} done on time, {before.late} late, {before.cancelled} cancelled) "
        f"and {this} ({this.get_status_display()}: {now.total} action items, {now.done} done, "
        f"{now.open} open, {now.overdue} overdue; "
        f"{len(uncovered)} function(s) with rights and no participant)."
    )
