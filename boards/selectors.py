"""Read use cases of boards: lists, scope, quorum, minutes and board health.

Every function runs a fixed number of queries whatever the number of boards, members,
meetings and decisions (pinned in tests): related rows are selected or prefetched, and board
health is computed for a whole list of boards at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

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
from boards.querysets import current_on
from charter.models import Claim, Conflict, RightAssignment
from engagement.org.models import Function
from touchpoints.models import Touchpoint

HEALTH_WINDOW_DAYS = 90


# --- Scope and ladder --------------------------------------------------------------------------


def scope_touchpoints(board: Board):
    """Touchpoints the board governs: named directly, or at a journey stage it governs."""
    return Touchpoint.objects.filter(
        Q(governing_boards=board.pk) | Q(stage__governing_boards=board.pk)
    ).distinct()


def in_scope(board: Board, touchpoint) -> bool:
    return scope_touchpoints(board).filter(pk=touchpoint.pk).exists()


def ladder_above(board: Board) -> list[Board]:
    """The bodies above ``board``, nearest first (one query per rung; ladders are short)."""
    chain, seen = [], {board.pk}
    node = board.escalates_to
    while node is not None and node.pk not in seen:
        chain.append(node)
        seen.add(node.pk)
        node = node.escalates_to
    return chain


@dataclass(frozen=True)
class LadderPeople:
    """Who stands on each rung of a board's escalation ladder (ids; None when vacant)."""

    chair_id: int | None
    sponsor_id: int | None
    ceo_id: int | None  # the chair of the top of the ladder (the body that escalates to nobody)


def ladder_people() -> dict[int, LadderPeople]:
    """Every board's chair, sponsor and top-of-ladder chair, in one query.

    The escalation scanners ask this once per scan; boards are few (hundreds), so the whole
    map is cheaper than a walk up the ladder per item.
    """
    rows = {
        pk: (chair_id, sponsor_id, up_id)
        for pk, chair_id, sponsor_id, up_id in Board.objects.values_list(
            "pk", "chair_id", "sponsor_id", "escalates_to_id"
        )
    }

    def top_chair(pk: int) -> int | None:
        seen = set()
        while rows[pk][2] is not None and rows[pk][2] not in seen and rows[pk][2] in rows:
            seen.add(pk)
            pk = rows[pk][2]
        return rows[pk][0]

    return {
        pk: LadderPeople(chair, sponsor, top_chair(pk)) for pk, (chair, sponsor, _) in rows.items()
    }


def conflicts_in_scope(board: Board):
    return (
        Conflict.objects.open()
        .filter(touchpoint__in=scope_touchpoints(board).values("pk"))
        .select_related("touchpoint", "holder_function", "claimant_function", "claim")
        .order_by("opened_at", "id")
    )


def claims_waiting(board: Board):
    """Claims waiting for approval on touchpoints in the board's scope."""
    return (
        Claim.objects.pending()
        .filter(touchpoint__in=scope_touchpoints(board).values("pk"))
        .select_related("touchpoint", "function", "claimant")
        .order_by("created_at", "id")
    )


# --- Boards ------------------------------------------------------------------------------------


def _count(model, *conditions, **filters):
    """A correlated count per board, as a subquery (no join fan-out with other counts)."""
    return Coalesce(
        Subquery(
            model.objects.filter(*conditions, **filters)
            .order_by()
            .values("board")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def board_list(*, user, include_archived: bool = False):
    today = timezone.localdate()
    now = timezone.now()
    boards = Board.objects.visible_to(user)
    if not include_archived:
        boards = boards.active()
    next_meeting = (
        Meeting.objects.filter(board=OuterRef("pk"), status="scheduled", starts_at__gte=now)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return boards.select_related("chair", "sponsor", "escalates_to").annotate(
        member_count=_count(Membership, current_on(today), board=OuterRef("pk")),
        open_decision_count=_count(
            Decision, board=OuterRef("pk"), status__in=Decision.PENDING_STATUSES
        ),
        overdue_decision_count=_count(
            Decision, board=OuterRef("pk"), status__in=Decision.PENDING_STATUSES,
            due_on__lt=today,
        ),
        next_meeting_at=Subquery(next_meeting),
    )  # fmt: skip


def board_get(*, user, pk: int) -> Board:
    return get_object_or_404(
        Board.objects.visible_to(user).select_related("chair", "sponsor", "escalates_to"), pk=pk
    )


def membership_list(*, user):
    """Memberships past, current and future, with their board, person and function."""
    return Membership.objects.visible_to(user).select_related("board", "person", "function")


def members(board: Board, day=None) -> list[Membership]:
    """Current members, by function then name."""
    return list(
        Membership.objects.current(day)
        .filter(board=board)
        .select_related("person", "function")
        .order_by("function__name", "person__last_name", "person__first_name")
    )


def members_by_function(memberships: list[Membership]) -> list[tuple[Function, list]]:
    grouped: dict[int, list] = defaultdict(list)
    functions = {}
    for membership in memberships:
        grouped[membership.function_id].append(membership)
        functions[membership.function_id] = membership.function
    return [(functions[fid], grouped[fid]) for fid in grouped]


def upcoming_meetings(board: Board, count: int = 5) -> list[Meeting]:
    return list(
        Meeting.objects.upcoming()
        .filter(board=board)
        .annotate(agenda_count=Count("agenda_items"))[:count]
    )


def recent_meetings(board: Board, count: int = 5) -> list[Meeting]:
    return list(
        Meeting.objects.filter(board=board, starts_at__lt=timezone.now())
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")[:count]
    )


# --- Decisions and escalations -----------------------------------------------------------------


def decision_list(*, user):
    return (
        Decision.objects.visible_to(user)
        .select_related(
            "board", "meeting", "owner", "owner_function", "supersedes", "superseded_by",
            "conflict__touchpoint", "conflict__holder_function", "conflict__claimant_function",
            "conflict__winner",
        )
        .order_by("-logged_at", "-id")
    )  # fmt: skip


def decision_records(*, user):
    """Decisions with everything their full record shows: who logged and implemented them,
    their touchpoints and the facts considered (the API's list and detail)."""
    return (
        decision_list(user=user)
        .select_related("logged_by", "implemented_by")
        .prefetch_related(
            "touchpoints",
            Prefetch(
                "facts",
                queryset=DecisionFact.objects.select_related("touchpoint", "kpi").order_by("id"),
            ),
        )
    )


def decision_get(*, user, pk: int) -> Decision:
    return get_object_or_404(
        decision_records(user=user).prefetch_related("escalations__to_board"), pk=pk
    )


def escalation_list(*, user):
    return (
        Escalation.objects.visible_to(user)
        .select_related(
            "from_board", "to_board", "decision", "conflict", "raised_by", "acknowledged_by",
            "closed_by", "resolution",
        )
        .order_by("-raised_at", "-id")
    )  # fmt: skip


def escalation_get(*, user, pk: int) -> Escalation:
    return get_object_or_404(escalation_list(user=user), pk=pk)


def escalation_inbox(*, user):
    """Escalations waiting for a body ``user`` leads, oldest first."""
    return (
        escalation_list(user=user)
        .filter(status__in=Escalation.OPEN_STATUSES, to_board__in=Board.objects.led_by(user))
        .order_by("raised_at", "id")
    )


# --- Meetings ----------------------------------------------------------------------------------


def meeting_get(*, user, pk: int) -> Meeting:
    return get_object_or_404(_meeting_record(Meeting.objects.visible_to(user)), pk=pk)


def meeting_list(*, user):
    """Meetings with their agenda and the attendance recorded, in a fixed number of queries;
    ``attendance_for`` adds who was expected, for a page of them at once."""
    agenda = AgendaItem.objects.select_related("presenter", "touchpoint").order_by("position", "id")
    return (
        Meeting.objects.visible_to(user)
        .select_related("board", "board__chair__function", "minutes_approved_by")
        .prefetch_related(
            Prefetch("agenda_items", queryset=agenda),
            Prefetch("attendance", queryset=Attendance.objects.select_related("person")),
        )
    )


def _meeting_record(meetings):
    """A meeting with everything its page and its minutes show."""
    return meetings.select_related("board", "board__chair", "minutes_approved_by").prefetch_related(
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.select_related(
                "presenter",
                "touchpoint",
                "conflict__holder_function",
                "conflict__claimant_function",
                "claim__function",
                "decision",
            ).order_by("position", "id"),
        ),
        Prefetch("attendance", queryset=Attendance.objects.select_related("person")),
        Prefetch(
            "decisions",
            queryset=Decision.objects.select_related(
                "owner", "owner_function", "conflict"
            ).order_by("logged_at", "id"),
        ),
        Prefetch(
            "escalations",
            queryset=Escalation.objects.select_related("to_board").order_by("raised_at"),
        ),
    )


@dataclass
class AttendanceRow:
    membership: Membership | None
    person: object
    function: Function | None
    is_core: bool
    status: str  # "", or an Attendance.Status value

    @property
    def status_label(self) -> str:
        return Attendance.Status(self.status).label if self.status else ""


@dataclass
class Quorum:
    core: int
    present: int

    @property
    def needed(self) -> int:
        """More than half of the core group."""
        return self.core // 2 + 1

    @property
    def reached(self) -> bool:
        return self.core > 0 and self.present >= self.needed


def attendance_rows(meeting: Meeting) -> list[AttendanceRow]:
    """Everyone expected at the meeting (members on its date, and the chair), with what was
    recorded. Expects ``meeting`` from ``meeting_get`` (attendance prefetched)."""
    day = timezone.localtime(meeting.starts_at).date()
    return _attendance_rows(meeting, members(meeting.board, day))


def attendance_for(meetings: list[Meeting]) -> dict[int, list[AttendanceRow]]:
    """``attendance_rows`` of many meetings (from ``meeting_list``) in one query, whatever
    their number: the memberships of their boards over the dates they span, sorted out per
    meeting in Python."""
    if not meetings:
        return {}
    days = {m.pk: timezone.localtime(m.starts_at).date() for m in meetings}
    by_board = defaultdict(list)
    for membership in (
        Membership.objects.filter(
            board__in={m.board_id for m in meetings}, started_on__lte=max(days.values())
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=min(days.values())))
        .select_related("person", "function")
        .order_by("function__name", "person__last_name", "person__first_name")
    ):
        by_board[membership.board_id].append(membership)
    return {
        meeting.pk: _attendance_rows(
            meeting,
            [
                m
                for m in by_board[meeting.board_id]
                if m.started_on <= days[meeting.pk]
                and (m.ended_on is None or m.ended_on >= days[meeting.pk])
            ],
        )
        for meeting in meetings
    }


def _attendance_rows(meeting: Meeting, memberships: list[Membership]) -> list[AttendanceRow]:
    recorded = {a.person_id: a.status for a in meeting.attendance.all()}
    rows = [
        AttendanceRow(
            membership=m,
            person=m.person,
            function=m.function,
            is_core=m.role == Membership.Role.CORE,
            status=recorded.get(m.person_id, ""),
        )
        for m in memberships
    ]
    board = meeting.board
    if board.chair_id not in {m.person_id for m in memberships}:
        chair = board.chair
        rows.insert(
            0,
            AttendanceRow(
                membership=None,
                person=chair,
                function=chair.function if chair.function_id else None,
                is_core=False,
                status=recorded.get(chair.pk, ""),
            ),
        )
    return rows


def quorum(rows: list[AttendanceRow]) -> Quorum:
    core = [row for row in rows if row.is_core]
    return Quorum(
        core=len(core), present=sum(1 for row in core if row.status == Attendance.Status.PRESENT)
    )


def _name(person) -> str:
    return (person.get_full_name() or person.get_username()) if person else ""


def minutes_data(meeting: Meeting) -> dict:
    """The minutes as plain data, generated from the record. Frozen into ``Meeting.minutes``
    when the chair approves them; rendered live until then."""
    meeting = _meeting_record(Meeting.objects.all()).get(pk=meeting.pk)
    rows = attendance_rows(meeting)
    q = quorum(rows)

    def people(status):
        return [
            {"name": _name(row.person), "function": str(row.function or ""), "core": row.is_core}
            for row in rows
            if row.status == status
        ]

    local_start = timezone.localtime(meeting.starts_at)
    local_end = timezone.localtime(meeting.ends_at)
    return {
        "board": meeting.board.name,
        "chair": _name(meeting.board.chair),
        "date": f"{local_start:%A %d %B %Y}",
        "time": f"{local_start:%H:%M} to {local_end:%H:%M}",
        "location": meeting.location,
        "present": people(Attendance.Status.PRESENT),
        "apologies": people(Attendance.Status.APOLOGIES),
        "absent": people(Attendance.Status.ABSENT),
        "not_recorded": people(""),
        "quorum": {
            "core": q.core,
            "present": q.present,
            "needed": q.needed,
            "reached": q.reached,
        },
        "agenda": [
            {
                "title": item.title,
                "presenter": _name(item.presenter),
                "minutes": item.duration_minutes,
            }
            for item in meeting.agenda_items.all()
        ],
        "decisions": [
            {
                "id": d.pk,
                "title": d.title,
                "outcome": d.outcome,
                "rationale": d.rationale,
                "owner": _name(d.owner),
                "owner_function": str(d.owner_function or ""),
                "due_on": d.due_on.isoformat() if d.due_on else "",
                "conflict": str(d.conflict) if d.conflict_id else "",
            }
            for d in meeting.decisions.all()
        ],
        "escalations": [
            {"title": e.title, "to": str(e.to_board), "reason": e.reason}
            for e in meeting.escalations.all()
        ],
        "notes": meeting.minutes_notes,
    }


# --- Board health ------------------------------------------------------------------------------


@dataclass
class BoardHealth:
    planned: int = 0
    held: int = 0
    cancelled: int = 0
    latency_days: float | None = None  # median days from conflict opened to decided
    decided_conflicts: int = 0
    open_decisions: int = 0
    overdue_decisions: int = 0
    open_conflicts: int = 0
    claims_waiting: int = 0
    core_size: int = 0
    core_size_limit: int = 12
    member_count: int = 0
    gaps: list[Function] = field(default_factory=list)

    @property
    def held_share(self) -> int | None:
        return round(100 * self.held / self.planned) if self.planned else None

    @property
    def core_too_large(self) -> bool:
        return self.core_size > self.core_size_limit


def health_for(boards: list[Board], now: datetime | None = None) -> dict[int, BoardHealth]:
    """Health of each board, in a fixed number of queries for any number of boards.

    * meetings held versus planned (not cancelled) that started in the last 90 days;
    * decision latency: the median days from a conflict opening to the board's decision on
      it, over decisions logged in the last 90 days;
    * open and overdue decisions, open conflicts and claims waiting in scope;
    * representation gaps: functions holding a right on a touchpoint in scope with no
      current member on the board;
    * the core group's size against its limit.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = now - timedelta(days=HEALTH_WINDOW_DAYS)
    ids = [b.pk for b in boards]
    result = {b.pk: BoardHealth(core_size_limit=b.core_size_limit) for b in boards}
    if not ids:
        return result

    meetings = (
        Meeting.objects.filter(board__in=ids, starts_at__gte=since, starts_at__lt=now)
        .values("board")
        .annotate(
            planned=Count("pk", filter=~Q(status=Meeting.Status.CANCELLED)),
            held=Count("pk", filter=Q(status=Meeting.Status.HELD)),
            cancelled=Count("pk", filter=Q(status=Meeting.Status.CANCELLED)),
        )
        .order_by()
    )
    for row in meetings:
        health = result[row["board"]]
        health.planned, health.held, health.cancelled = (
            row["planned"],
            row["held"],
            row["cancelled"],
        )

    decisions = (
        Decision.objects.filter(board__in=ids, status__in=Decision.PENDING_STATUSES)
        .values("board")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    )
    for row in decisions:
        result[row["board"]].open_decisions = row["open"]
        result[row["board"]].overdue_decisions = row["overdue"]

    latencies = defaultdict(list)
    for board_id, logged_at, opened_at in Decision.objects.filter(
        board__in=ids, conflict__isnull=False, logged_at__gte=since
    ).values_list("board", "logged_at", "conflict__opened_at"):
        latencies[board_id].append((logged_at - opened_at).total_seconds() / 86400)
    for board_id, values in latencies.items():
        result[board_id].latency_days = round(median(values), 1)
        result[board_id].decided_conflicts = len(values)

    represented = defaultdict(set)
    for board_id, function_id, role in Membership.objects.filter(
        current_on(today), board__in=ids
    ).values_list("board", "function", "role"):
        represented[board_id].add(function_id)
        result[board_id].member_count += 1
        if role == Membership.Role.CORE:
            result[board_id].core_size += 1

    scope = _scope_map(ids)
    all_touchpoints = set().union(*scope.values()) if scope else set()
    holders = defaultdict(set)
    for touchpoint_id, function_id in (
        RightAssignment.objects.active()
        .filter(touchpoint__in=all_touchpoints)
        .values_list("touchpoint", "function")
    ):
        holders[touchpoint_id].add(function_id)
    conflicts = defaultdict(int)
    for (touchpoint_id,) in (
        Conflict.objects.open().filter(touchpoint__in=all_touchpoints).values_list("touchpoint")
    ):
        conflicts[touchpoint_id] += 1
    claims = defaultdict(int)
    for (touchpoint_id,) in (
        Claim.objects.pending().filter(touchpoint__in=all_touchpoints).values_list("touchpoint")
    ):
        claims[touchpoint_id] += 1

    gap_ids = {}
    for board_id in ids:
        touchpoints = scope.get(board_id, set())
        holding = set().union(*(holders[t] for t in touchpoints)) if touchpoints else set()
        gap_ids[board_id] = holding - represented[board_id]
        result[board_id].open_conflicts = sum(conflicts[t] for t in touchpoints)
        result[board_id].claims_waiting = sum(claims[t] for t in touchpoints)
    wanted = set().union(*gap_ids.values())
    functions = {f.pk: f for f in Function.objects.filter(pk__in=wanted)} if wanted else {}
    for board_id, function_ids in gap_ids.items():
        result[board_id].gaps = sorted((functions[f] for f in function_ids), key=lambda f: f.name)
    return result


def _scope_map(board_ids: list[int]) -> dict[int, set[int]]:
    """Touchpoint ids in each board's scope (active, not archived), in three queries."""
    scope: dict[int, set[int]] = defaultdict(set)
    direct = Board.scope_touchpoints.through.objects.filter(
        board__in=board_ids, touchpoint__is_archived=False
    ).values_list("board", "touchpoint")
    for board_id, touchpoint_id in direct:
        scope[board_id].add(touchpoint_id)
    stages = defaultdict(set)
    for board_id, stage_id in Board.scope_stages.through.objects.filter(
        board__in=board_ids
    ).values_list("board", "journeystage"):
        stages[stage_id].add(board_id)
    if stages:
        for touchpoint_id, stage_id in Touchpoint.objects.filter(
            stage__in=stages, is_archived=False
        ).values_list("pk", "stage"):
            for board_id in stages[stage_id]:
                scope[board_id].add(touchpoint_id)
    return scope


def board_health(board: Board) -> BoardHealth:
    return health_for([board])[board.pk]
