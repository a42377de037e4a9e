"""A person's own work ("my work"): what the signed-in person holds, owes and is waited on for.

``work_summary`` composes the lower apps' selectors and rules for one person:

* the **rights** held by the functions they act for (head or delegate), by function and
  touchpoint, and the **claims** those functions have waiting;
* the **claims waiting for their decision**, by the charter's approval rule, and the open
  **conflicts** their boards are to resolve;
* the **decisions and action items** they, or a function they act for, are to carry out,
  overdue first, with the due-date wording of the reminders (``engagement.notify.rules``);
* the **next meeting of each board** they chair or sit on;
* their **unread notifications**;
* for administrators, whether the **background jobs** run.

It costs a fixed number of queries whatever the number of rows (pinned in tests): every
section is one query for the rows shown and, where a total is said, one for the count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from boards.models import Board, Decision, Meeting, Membership
from boards.selectors import decision_list
from charter.models import Claim, Conflict, Right, RightAssignment
from charter.selectors import claim_list, conflict_list
from engagement.core.selectors import JobsStatus, jobs_status
from engagement.notify import rules
from engagement.notify.models import Notification
from engagement.notify.selectors import inbox, unread_count
from engagement.org.models import Function
from engagement.org.roles import Roles, functions_acted_for, roles_for
from summits.models import ActionItem
from summits.selectors import action_items_queryset
from touchpoints.models import Touchpoint

# How many rows each section shows before "see all".
TOUCHPOINTS_PER_FUNCTION = 6
CLAIMS_SHOWN = 5
DUE_SHOWN = 8
NOTIFICATIONS_SHOWN = 5


# --- What the page shows -----------------------------------------------------------------------


@dataclass
class HeldTouchpoint:
    touchpoint: Touchpoint
    rights: list[Right] = field(default_factory=list)


@dataclass
class FunctionRights:
    """The rights one function the person acts for holds now."""

    function: Function
    is_head: bool
    rights_held: int = 0
    touchpoints: list[HeldTouchpoint] = field(default_factory=list)
    touchpoint_count: int = 0

    @property
    def more(self) -> int:
        return self.touchpoint_count - len(self.touchpoints)

    @property
    def matrix_url(self) -> str:
        return f"{reverse('charter:matrix')}?function={self.function.slug}"

    @property
    def claims_url(self) -> str:
        return f"{reverse('charter:claim_list')}?function={self.function.slug}"


@dataclass
class WaitingClaim:
    """A claim waiting for approval, with when it falls due (the claim reminders' date)."""

    claim: Claim
    due_on: date
    due_text: str
    overdue: bool


@dataclass
class WaitingConflict:
    """An open conflict over a right, for a board the person leads (or, for an executive, any
    board) to resolve by a decision."""

    conflict: Conflict
    open_days: int


@dataclass
class DueItem:
    """A decision or an action item to carry out."""

    kind: str  # "decision" or "action"
    obj: Decision | ActionItem
    due_on: date | None
    due_text: str
    overdue: bool


@dataclass
class Totals:
    total: int = 0
    overdue: int = 0


@dataclass
class BoardMeeting:
    """One board the person chairs or sits on, and its next meeting (None: none scheduled)."""

    board: Board
    role: str  # "chair", or a Membership.Role value
    is_delegate: bool
    meeting: Meeting | None


@dataclass
class MyWork:
    roles: Roles
    functions: list[FunctionRights]
    own_claims: list[Claim]
    own_claims_total: int
    claims_to_decide: list[WaitingClaim]
    claims_to_decide_total: int
    conflicts: list[WaitingConflict]
    conflicts_total: int
    due: list[DueItem]
    decisions: Totals
    actions: Totals
    boards: list[BoardMeeting]
    notifications: list[Notification]
    unread: int
    jobs: JobsStatus | None
    user_pk: int

    @property
    def decisions_url(self) -> str:
        """The decision list, filtered by owner (the person)."""
        return f"{reverse('boards:decision_list')}?owner={self.user_pk}"

    @property
    def led_boards(self) -> list[Board]:
        """The boards the person chairs or is a delegate of (they decide for them)."""
        return [row.board for row in self.boards if row.role == "chair" or row.is_delegate]

    @property
    def decides_claims(self) -> bool:
        return self.roles.is_executive or bool(self.led_boards)

    @property
    def waiting_total(self) -> int:
        return self.claims_to_decide_total + self.conflicts_total

    @property
    def conflict_list_urls(self) -> list[tuple[Board | None, str]]:
        """The conflict list, open conflicts only: all of them for an executive, else one
        link per board the person leads, narrowed to its scope."""
        url = f"{reverse('charter:conflict_list')}?status=open"
        if self.roles.is_executive:
            return [(None, url)]
        return [(board, f"{url}&board={board.pk}") for board in self.led_boards]

    @property
    def due_total(self) -> int:
        return self.decisions.total + self.actions.total

    @property
    def overdue_total(self) -> int:
        return self.decisions.overdue + self.actions.overdue


# --- The selector ------------------------------------------------------------------------------


def work_summary(*, user, now=None) -> MyWork:
    """Everything "my work" shows for ``user``, in a fixed number of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    roles = roles_for(user)
    acting = sorted(roles.acting_function_ids)
    functions = _function_rights(user, roles) if acting else []
    own_claims, own_claims_total = _own_claims(user, acting) if acting else ([], 0)
    to_decide, to_decide_total = _claims_to_decide(user, roles, today)
    conflicts, conflicts_total = _conflicts_to_resolve(user, roles, now)
    due, decisions, actions = _due(user, acting, today)
    return MyWork(
        roles=roles,
        functions=functions,
        own_claims=own_claims,
        own_claims_total=own_claims_total,
        claims_to_decide=to_decide,
        claims_to_decide_total=to_decide_total,
        conflicts=conflicts,
        conflicts_total=conflicts_total,
        due=due,
        decisions=decisions,
        actions=actions,
        boards=_boards(user, now, today),
        notifications=list(inbox(user=user, unread=True)[:NOTIFICATIONS_SHOWN]),
        unread=unread_count(user=user),
        jobs=jobs_status() if roles.is_admin else None,
        user_pk=user.pk,
    )


# --- Rights and claims -------------------------------------------------------------------------


def _function_rights(user, roles: Roles) -> list[FunctionRights]:
    """Each function the person acts for, with the rights it holds now grouped by touchpoint
    (journey order). Two queries: the functions, and their active assignments."""
    result = {
        function.pk: FunctionRights(function=function, is_head=function.head_id == user.pk)
        for function in functions_acted_for(user)
    }
    assignments = (
        RightAssignment.objects.visible_to(user)
        .active()
        .filter(function__in=list(result))
        .select_related("touchpoint", "touchpoint__stage")
        .order_by("touchpoint__stage__position", "touchpoint__name", "touchpoint_id", "right")
    )
    order = {right.value: n for n, right in enumerate(Right)}
    by_touchpoint: dict[tuple[int, int], HeldTouchpoint] = {}
    for assignment in assignments:
        rights = result[assignment.function_id]
        rights.rights_held += 1
        key = (assignment.function_id, assignment.touchpoint_id)
        held = by_touchpoint.get(key)
        if held is None:
            held = by_touchpoint[key] = HeldTouchpoint(touchpoint=assignment.touchpoint)
            rights.touchpoint_count += 1
            if len(rights.touchpoints) < TOUCHPOINTS_PER_FUNCTION:
                rights.touchpoints.append(held)
        held.rights.append(Right(assignment.right))
    for held in by_touchpoint.values():
        held.rights.sort(key=lambda right: order[right.value])
    return list(result.values())


def _own_claims(user, function_ids: list[int]) -> tuple[list[Claim], int]:
    """Open claims (waiting for approval, or contested) of the functions the person acts
    for, the longest waiting first."""
    claims = (
        claim_list(user=user).open().filter(function__in=function_ids).order_by("created_at", "pk")
    )
    return list(claims[:CLAIMS_SHOWN]), claims.count()


def _governed_by_boards_led(user):
    """Ids of the touchpoints in the scope of the active boards ``user`` chairs or is a
    current delegate of (named, or at a journey stage the board governs), as a subquery."""
    led = Board.objects.active().led_by(user).values("pk")
    return Touchpoint.objects.filter(
        Q(governing_boards__in=led) | Q(stage__governing_boards__in=led)
    ).values("pk")


def claims_to_decide(user, roles: Roles | None = None):
    """Pending claims waiting for ``user``'s decision, as a queryset.

    The charter's approval rule (``charter.permissions.can_decide_claim`` with the decider
    the boards register, ``boards.permissions.governs``) in set form: an executive decides
    any claim; the chair or a current delegate of an active board decides the claims on
    touchpoints in its scope. Administrators may decide any claim too, but to put the record
    right rather than as its deciders: like the claim reminders, "my work" does not count
    claims as waiting for them. Tests hold this set equal to the predicate.
    """
    roles = roles or roles_for(user)
    pending = Claim.objects.visible_to(user).pending()
    if roles.is_executive:
        return pending
    return pending.filter(touchpoint__in=_governed_by_boards_led(user))


def conflicts_to_resolve(user, roles: Roles | None = None):
    """Open conflicts waiting for ``user``: any, for an executive (who may resolve one
    directly, ``charter.permissions.can_resolve_conflict``); for the chair or a delegate of
    an active board, those on touchpoints in its scope, which the board resolves by logging a
    decision (``boards.permissions.can_log_decision``)."""
    roles = roles or roles_for(user)
    conflicts = Conflict.objects.visible_to(user).open()
    if roles.is_executive:
        return conflicts
    return conflicts.filter(touchpoint__in=_governed_by_boards_led(user))


def _conflicts_to_resolve(user, roles: Roles, now) -> tuple[list[WaitingConflict], int]:
    """The open conflicts waiting for the person, the oldest first."""
    queryset = conflicts_to_resolve(user, roles)
    rows = (
        conflict_list(user=user)
        .filter(pk__in=queryset.values("pk"))
        .order_by("opened_at", "pk")[:CLAIMS_SHOWN]
    )
    waiting = [WaitingConflict(c, (now - c.opened_at).days) for c in rows]
    return waiting, queryset.count()


def _claims_to_decide(user, roles: Roles, today: date) -> tuple[list[WaitingClaim], int]:
    """The pending claims waiting for the person's decision, the longest waiting first, each
    with the date it falls due (as the claim reminders count it)."""
    queryset = claims_to_decide(user, roles)
    rows = list(
        claim_list(user=user)
        .filter(pk__in=queryset.values("pk"))
        .order_by("created_at", "pk")[:CLAIMS_SHOWN]
    )
    allowed = timedelta(days=settings.NOTIFY_CLAIM_DECISION_DAYS)
    waiting = []
    for claim in rows:
        due_on = timezone.localdate(claim.created_at) + allowed
        days_left = (due_on - today).days
        waiting.append(WaitingClaim(claim, due_on, rules.due_text(days_left), days_left < 0))
    return waiting, queryset.count()


# --- Decisions and action items ----------------------------------------------------------------


def _due(user, function_ids: list[int], today: date) -> tuple[list[DueItem], Totals, Totals]:
    """Pending decisions and open action items owned by the person or a function they act
    for: the soonest due first (so the overdue lead), decisions without a due date last.
    Four queries: the first rows of each kind, and their totals."""
    owned = Q(owner=user.pk) | Q(owner_function__in=function_ids)
    late = Q(due_on__lt=today)
    decisions = decision_list(user=user).filter(owned, status__in=Decision.PENDING_STATUSES)
    actions = action_items_queryset(user).open().filter(owned)
    decision_rows = list(
        decisions.order_by(F("due_on").asc(nulls_last=True), "logged_at", "pk")[:DUE_SHOWN]
    )
    action_rows = list(actions.order_by("due_on", "pk")[:DUE_SHOWN])
    items = [_due_item("decision", d, today) for d in decision_rows]
    items += [_due_item("action", a, today) for a in action_rows]
    items.sort(key=lambda i: (i.due_on is None, i.due_on or today, i.kind, i.obj.pk))
    return (
        items[:DUE_SHOWN],
        Totals(**decisions.aggregate(total=Count("pk"), overdue=Count("pk", filter=late))),
        Totals(**actions.order_by().aggregate(total=Count("pk"), overdue=Count("pk", filter=late))),
    )


def _due_item(kind: str, obj, today: date) -> DueItem:
    if obj.due_on is None:
        return DueItem(kind, obj, None, "", False)
    days_left = (obj.due_on - today).days
    return DueItem(kind, obj, obj.due_on, rules.due_text(days_left), days_left < 0)


# --- Boards and their next meetings ------------------------------------------------------------


def _boards(user, now, today: date) -> list[BoardMeeting]:
    """The active boards the person chairs or sits on today, each with its next scheduled
    meeting, the soonest first (boards with none scheduled last). Two queries."""
    sitting = Membership.objects.current(today).filter(person=user.pk)
    mine = sitting.filter(board=OuterRef("pk")).order_by("-is_delegate", "pk")
    next_meeting = Meeting.objects.upcoming(now).filter(board=OuterRef("pk")).values("pk")[:1]
    boards = list(
        Board.objects.visible_to(user)
        .active()
        .filter(Q(chair=user.pk) | Q(pk__in=sitting.values("board_id")))
        .annotate(
            next_meeting_id=Subquery(next_meeting),
            membership_role=Subquery(mine.values("role")[:1]),
            membership_delegate=Subquery(mine.values("is_delegate")[:1]),
        )
        .order_by("name")
    )
    ids = [board.next_meeting_id for board in boards if board.next_meeting_id]
    meetings = Meeting.objects.in_bulk(ids)
    rows = [
        BoardMeeting(
            board=board,
            role="chair" if board.chair_id == user.pk else board.membership_role,
            is_delegate=bool(board.membership_delegate),
            meeting=meetings.get(board.next_meeting_id),
        )
        for board in boards
    ]
    rows.sort(key=lambda r: (r.meeting is None, r.meeting.starts_at if r.meeting else now))
    return rows
