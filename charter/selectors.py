"""Read use cases of the charter: the rights matrix, coverage, a touchpoint's charter and
history, and the claim and conflict lists.

Every read costs a fixed number of queries whatever the number of rows: the matrix is one query
for the touchpoints, one for their assignments and one for their open conflicts, then assembled
in Python. The charter on a past date uses ``RightAssignment.objects.as_of`` at the end of that
day in the current time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Q
from django.utils import timezone

from charter.models import Claim, Conflict, Right, RightAssignment
from engagement.org.models import Function
from touchpoints.models import Touchpoint

RIGHTS = tuple(Right)


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in the current time zone: the charter "on" that date."""
    return timezone.make_aware(datetime.combine(day, time.max))


# --- The matrix ----------------------------------------------------------------------------


@dataclass
class Cell:
    """One right of one touchpoint: its holder (or none) and any open conflicts over it."""

    right: Right
    holder: RightAssignment | None = None
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def is_vacant(self) -> bool:
        return self.holder is None

    @property
    def is_contested(self) -> bool:
        return bool(self.conflicts)

    @property
    def function(self) -> Function | None:
        return self.holder.function if self.holder else None

    @property
    def claimants(self) -> list[Function]:
        return [c.claimant_function for c in self.conflicts]


@dataclass
class Row:
    touchpoint: Touchpoint
    cells: list[Cell]

    @property
    def vacant_count(self) -> int:
        return sum(1 for c in self.cells if c.is_vacant)

    @property
    def contested_count(self) -> int:
        return sum(1 for c in self.cells if c.is_contested)

    def cell(self, right: str) -> Cell:
        return next(c for c in self.cells if c.right == right)


def matrix_touchpoints(*, user):
    """The touchpoints of the matrix, before filters: not archived, in journey order."""
    return (
        Touchpoint.objects.visible_to(user)
        .current()
        .select_related("stage", "channel")
        .order_by("stage__position", "stage__name", "name", "pk")
    )


def _assignments_at(moment: datetime | None):
    qs = RightAssignment.objects.all()
    return qs.active() if moment is None else qs.as_of(moment)


def _conflicts_at(moment: datetime | None):
    """Conflicts open now, or open at ``moment`` (opened by then, not yet decided)."""
    if moment is None:
        return Conflict.objects.open()
    return Conflict.objects.filter(opened_at__lte=moment).filter(
        Q(decided_at__isnull=True) | Q(decided_at__gt=moment)
    )


def rights_matrix(*, touchpoints, moment: datetime | None = None) -> list[Row]:
    """Rows of (touchpoint, four cells) for the given touchpoints (a page of them).

    Three queries: the touchpoints, their assignments in force (now or at ``moment``), and
    their open conflicts.
    """
    touchpoints = list(touchpoints)
    ids = [tp.pk for tp in touchpoints]
    holders: dict[tuple[int, str], RightAssignment] = {}
    for assignment in (
        _assignments_at(moment)
        .filter(touchpoint_id__in=ids)
        .select_related("function", "accountable")
        .order_by("started_at")
    ):
        holders[(assignment.touchpoint_id, assignment.right)] = assignment
    conflicts: dict[tuple[int, str], list[Conflict]] = {}
    for conflict in (
        _conflicts_at(moment)
        .filter(touchpoint_id__in=ids)
        .select_related("holder_function", "claimant_function")
        .order_by("opened_at", "pk")
    ):
        conflicts.setdefault((conflict.touchpoint_id, conflict.right), []).append(conflict)
    return [
        Row(
            touchpoint=tp,
            cells=[
                Cell(
                    right=right,
                    holder=holders.get((tp.pk, right.value)),
                    conflicts=conflicts.get((tp.pk, right.value), []),
                )
                for right in RIGHTS
            ],
        )
        for tp in touchpoints
    ]


def held_count_filter(moment: datetime | None, prefix: str = "right_assignments__") -> Q:
    """Q over a touchpoint's assignments in force now or at ``moment`` (for annotations)."""
    if moment is None:
        return Q(**{f"{prefix}ended_at__isnull": True})
    return Q(**{f"{prefix}started_at__lte": moment}) & (
        Q(**{f"{prefix}ended_at__isnull": True}) | Q(**{f"{prefix}ended_at__gt": moment})
    )


def touchpoints_held_by(function, moment: datetime | None = None):
    """Ids of touchpoints where ``function`` holds any right (now or at ``moment``), as a
    subquery."""
    return _assignments_at(moment).filter(function=function).values("touchpoint_id")


def touchpoints_contested(moment: datetime | None = None):
    return _conflicts_at(moment).values("touchpoint_id")


# --- Coverage --------------------------------------------------------------------------------


@dataclass
class RightCoverage:
    right: Right
    held: int
    vacant: int


@dataclass
class Coverage:
    touchpoints: int
    held: int
    contested: int
    pending_claims: int
    by_right: list[RightCoverage]
    functions: list[Function]

    @property
    def rights_total(self) -> int:
        return self.touchpoints * len(RIGHTS)

    @property
    def vacant(self) -> int:
        return self.rights_total - self.held

    @property
    def share(self) -> float | None:
        """Share of rights held, 0..1; None when there is nothing to hold."""
        return self.held / self.rights_total if self.rights_total else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)

    @property
    def max_load(self) -> int:
        return max((f.held for f in self.functions), default=0)


def coverage_summary(*, user) -> Coverage:
    """How much of the charter is written, over the touchpoints open for claims (not archived,
    not retired) times the four rights; each function's load (active rights held on them).

    Five queries, all counts and aggregates.
    """
    touchpoints = Touchpoint.objects.visible_to(user).open_for_claims()
    touchpoint_count = touchpoints.count()
    held_by_right = dict(
        RightAssignment.objects.visible_to(user)
        .active()
        .filter(touchpoint__in=touchpoints)
        .values_list("right")
        .annotate(n=Count("pk"))
        .order_by()
    )
    contested = (
        Conflict.objects.visible_to(user)
        .open()
        .filter(touchpoint__in=touchpoints)
        .aggregate(n=Count("pk"))["n"]
    )
    pending = (
        Claim.objects.visible_to(user)
        .pending()
        .filter(touchpoint__in=touchpoints)
        .aggregate(n=Count("pk"))["n"]
    )
    active_on_open = Q(
        right_assignments__ended_at__isnull=True,
        right_assignments__touchpoint__is_archived=False,
    ) & ~Q(right_assignments__touchpoint__status=Touchpoint.Status.RETIRED)
    per_right = {
        f"held_{right.value}": Count(
            "right_assignments", filter=active_on_open & Q(right_assignments__right=right.value)
        )
        for right in RIGHTS
    }
    functions = list(
        Function.objects.visible_to(user)
        .annotate(held=Count("right_assignments", filter=active_on_open), **per_right)
        .filter(Q(is_active=True) | Q(held__gt=0))
        .order_by("-held", "name")
    )
    return Coverage(
        touchpoints=touchpoint_count,
        held=sum(held_by_right.values()),
        contested=contested,
        pending_claims=pending,
        by_right=[
            RightCoverage(
                right=right,
                held=held_by_right.get(right.value, 0),
                vacant=touchpoint_count - held_by_right.get(right.value, 0),
            )
            for right in RIGHTS
        ],
        functions=functions,
    )


# --- One touchpoint's charter -----------------------------------------------------------------


@dataclass
class TouchpointCharter:
    touchpoint: Touchpoint
    row: Row
    history: list[RightAssignment]
    claims: list[Claim]
    conflicts: list[Conflict]
    past_row: Row | None = None

    @property
    def pending_claims(self) -> list[Claim]:
        return [c for c in self.claims if c.status == Claim.Status.PENDING]

    @property
    def open_claims(self) -> list[Claim]:
        return [c for c in self.claims if c.is_open]

    @property
    def open_conflicts(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.status == Conflict.Status.OPEN]

    @property
    def history_by_right(self) -> list[tuple[Right, list[RightAssignment]]]:
        return [(right, [a for a in self.history if a.right == right]) for right in RIGHTS]


def touchpoint_get(*, user, pk: int) -> Touchpoint:
    """A touchpoint, archived or not; ``Touchpoint.DoesNotExist`` if the user may not see it."""
    return Touchpoint.objects.visible_to(user).select_related("stage", "channel").get(pk=pk)


def touchpoint_charter(*, user, touchpoint: Touchpoint, as_of: date | None = None):
    """The touchpoint's current holders, the whole history of its assignments (by right, then
    start), its claims and conflicts (newest first), and, with ``as_of``, its holders then.

    Three queries (four with ``as_of``), whatever the length of the history.
    """
    history = list(
        RightAssignment.objects.visible_to(user)
        .filter(touchpoint=touchpoint)
        .select_related("function", "accountable", "granted_by", "ended_by", "claim")
        .order_by("right", "started_at", "pk")
    )
    # Claims and conflicts are few per touchpoint, but the history must stay one query each.
    claims = list(
        Claim.objects.visible_to(user)
        .filter(touchpoint=touchpoint)
        .select_related("function", "claimant", "decided_by", "conflict")
        .order_by("-created_at", "-pk")
    )
    conflicts = list(
        Conflict.objects.visible_to(user)
        .filter(touchpoint=touchpoint)
        .select_related(
            "holder_function", "claimant_function", "winner", "decided_by", "claim__claimant"
        )
        .order_by("-opened_at", "-pk")
    )
    active = {a.right: a for a in history if a.ended_at is None}
    open_conflicts: dict[str, list[Conflict]] = {}
    for conflict in reversed(conflicts):
        if conflict.status == Conflict.Status.OPEN:
            open_conflicts.setdefault(conflict.right, []).append(conflict)
    row = Row(
        touchpoint=touchpoint,
        cells=[
            Cell(right=r, holder=active.get(r.value), conflicts=open_conflicts.get(r.value, []))
            for r in RIGHTS
        ],
    )
    past_row = None
    if as_of is not None:
        (past_row,) = rights_matrix(touchpoints=[touchpoint], moment=end_of_day(as_of))
    return TouchpointCharter(
        touchpoint=touchpoint, row=row, history=history, claims=claims, conflicts=conflicts,
        past_row=past_row,
    )  # fmt: skip


# --- Lists and details ------------------------------------------------------------------------


def assignment_list(*, user):
    """Current and past assignments, newest first."""
    return (
        RightAssignment.objects.visible_to(user)
        .select_related("touchpoint", "function", "accountable", "granted_by", "ended_by")
        .order_by("-started_at", "-pk")
    )


def claim_list(*, user):
    return (
        Claim.objects.visible_to(user)
        .select_related(
            "touchpoint", "touchpoint__stage", "function", "claimant", "decided_by", "conflict"
        )
        .order_by("-created_at", "-pk")
    )


def claim_get(*, user, pk: int) -> Claim:
    """One claim with what its page shows; ``Claim.DoesNotExist`` if not visible."""
    return claim_list(user=user).select_related("conflict__holder_function").get(pk=pk)


def conflict_list(*, user):
    return (
        Conflict.objects.visible_to(user)
        .select_related(
            "touchpoint",
            "touchpoint__stage",
            "holder_function",
            "claimant_function",
            "winner",
            "decided_by",
            "claim",
            "claim__claimant",
        )
        .order_by("-opened_at", "-pk")
    )


def conflict_get(*, user, pk: int) -> Conflict:
    return conflict_list(user=user).get(pk=pk)


def current_holder(*, touchpoint_id: int, right: str) -> RightAssignment | None:
    """Who holds the right now (one query), for a conflict's page."""
    return (
        RightAssignment.objects.active()
        .filter(touchpoint_id=touchpoint_id, right=right)
        .select_related("function")
        .first()
    )
