"""Read use cases of summits: lists, the summit page, completion, the action-item lists
(a board's backlog, a meeting's, a person's "my actions").

Every function runs a fixed number of queries whatever the number of summits, participants,
reviews and action items (pinned in tests): related rows are selected or prefetched, and
completion is counted for a whole list of summits in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from charter.models import RightAssignment
from engagement.org.models import Function
from engagement.org.roles import roles_for
from summits.models import (
    ActionItem,
    ActionItemUpdate,
    Capability,
    JourneyReview,
    Participant,
    ReviewEvidence,
    Summit,
)
from touchpoints.models import JourneyStage, Touchpoint

OPEN = ActionItem.OPEN_STATUSES


# --- Completion --------------------------------------------------------------------------------


@dataclass
class Completion:
    """How a summit's action items stand: done on time, done late, open (not yet due),
    overdue, cancelled. The rate is done over all that were not cancelled."""

    on_time: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0
    cancelled: int = 0

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def committed(self) -> int:
        return self.done + self.open + self.overdue

    @property
    def total(self) -> int:
        return self.committed + self.cancelled

    @property
    def rate(self) -> int | None:
        """Percent done of what was committed; None when nothing was."""
        return round(100 * self.done / self.committed) if self.committed else None

    @property
    def on_time_rate(self) -> int | None:
        return round(100 * self.on_time / self.committed) if self.committed else None

    def as_dict(self) -> dict:
        return {
            "done_on_time": self.on_time, "done_late": self.late, "open": self.open,
            "overdue": self.overdue, "cancelled": self.cancelled, "total": self.total,
            "completion_rate": self.rate,
        }  # fmt: skip


def _completion_counts(today: date) -> dict:
    done = Q(status=ActionItem.Status.DONE)
    open_ = Q(status__in=OPEN)
    return {
        "on_time": Count("pk", filter=done & Q(completed_on__lte=F("due_on"))),
        "late": Count("pk", filter=done & Q(completed_on__gt=F("due_on"))),
        "open": Count("pk", filter=open_ & Q(due_on__gte=today)),
        "overdue": Count("pk", filter=open_ & Q(due_on__lt=today)),
        "cancelled": Count("pk", filter=Q(status=ActionItem.Status.CANCELLED)),
    }


def completion_for(items, today: date | None = None) -> Completion:
    """Completion of any set of action items (a queryset), in one query."""
    counts = items.order_by().aggregate(**_completion_counts(today or timezone.localdate()))
    return Completion(**counts)


def completion_by_summit(summit_ids, today: date | None = None) -> dict[int, Completion]:
    """Completion of several summits' action items, in one query."""
    summit_ids = list(summit_ids)
    rows = (
        ActionItem.objects.filter(summit__in=summit_ids)
        .order_by()
        .values("summit_id")
        .annotate(**_completion_counts(today or timezone.localdate()))
    )
    result = {pk: Completion() for pk in summit_ids}
    for row in rows:
        summit_id = row.pop("summit_id")
        result[summit_id] = Completion(**row)
    return result


# --- Summits -----------------------------------------------------------------------------------


def _count_of(model, field: str):
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def summit_list(*, user):
    """Summits, the latest first, with the chair and participant and item counts; completion
    is attached by ``attach_completion`` for the page shown (one more query)."""
    return (
        Summit.objects.visible_to(user)
        .select_related("chair")
        .annotate(
            # Two counting subqueries, not two joins: joining participants and items would
            # multiply the rows read by each other.
            participant_count=_count_of(Participant, "summit"),
            item_count=_count_of(ActionItem, "summit"),
        )
        .order_by("-starts_on", "-pk")
    )


def attach_completion(summits) -> list[Summit]:
    summits = list(summits)
    completion = completion_by_summit([s.pk for s in summits])
    for summit in summits:
        summit.completion = completion[summit.pk]
    return summits


def summit_get(*, user, pk: int) -> Summit:
    return get_object_or_404(Summit.objects.visible_to(user).select_related("chair"), pk=pk)


@dataclass
class StageGap:
    stage: JourneyStage
    reviews: list[JourneyReview] = field(default_factory=list)

    @property
    def current(self) -> float:
        return round(sum(r.current_level for r in self.reviews) / len(self.reviews), 1)

    @property
    def target(self) -> float:
        return round(sum(r.target_level for r in self.reviews) / len(self.reviews), 1)

    @property
    def gap(self) -> float:
        return round(self.target - self.current, 1)


def stage_gaps(reviews: list[JourneyReview]) -> list[StageGap]:
    """The reviews grouped by journey stage (a touchpoint counts at its stage), each stage's
    mean current and target level and the gap between them, the largest gap first."""
    by_stage: dict[int, StageGap] = {}
    for review in reviews:
        stage = review.stage if review.stage_id else review.touchpoint.stage
        by_stage.setdefault(stage.pk, StageGap(stage=stage)).reviews.append(review)
    return sorted(by_stage.values(), key=lambda g: (-g.gap, g.stage.position, g.stage.name))


@dataclass
class CapabilityRow:
    area: str
    label: str
    plan: Capability | None


def capability_rows(capabilities: list[Capability]) -> list[CapabilityRow]:
    """The five areas in their fixed order, each with its plan row or None (not yet planned)."""
    by_area = {c.area: c for c in capabilities}
    return [
        CapabilityRow(area=value, label=label, plan=by_area.get(value))
        for value, label in Capability.Area.choices
    ]


def uncovered_functions(summit: Summit, participants: list[Participant]) -> list[Function]:
    """Functions that hold a right on a reviewed touchpoint (reviewed directly, or at a
    reviewed stage) but have no participant at the summit. One query."""
    reviewed = Touchpoint.objects.filter(
        Q(summit_reviews__summit=summit.pk) | Q(stage__summit_reviews__summit=summit.pk),
        is_archived=False,
    )
    holders = RightAssignment.objects.active().filter(touchpoint__in=reviewed)
    represented = {p.function_id for p in participants}
    return list(
        # An archived function cannot take part, so warning about it would be a warning
        # nobody can clear.
        Function.objects.active()
        .filter(pk__in=holders.values("function_id"))
        .exclude(pk__in=represented)
        .order_by("name")
    )


def previous_summit(summit: Summit) -> Summit | None:
    return Summit.objects.before(summit).select_related("chair").first()


def action_items_queryset(user):
    """Action items with what every list shows, selected; filter and order it further."""
    return ActionItem.objects.visible_to(user).select_related(
        "summit", "owner", "owner_function", "board"
    )


@dataclass
class SummitPage:
    summit: Summit
    participants: list[Participant]
    participants_by_function: list[tuple[Function, list[Participant]]]
    uncovered: list[Function]
    reviews: list[JourneyReview]
    gaps: list[StageGap]
    capabilities: list[CapabilityRow]
    action_items: list[ActionItem]
    completion: Completion
    previous: Summit | None
    previous_completion: Completion | None


def summit_page(*, user, summit: Summit) -> SummitPage:
    """Everything the summit page shows, in a fixed number of queries."""
    participants = list(
        summit.participants.select_related("person", "function").order_by(
            "function__name", "person__last_name", "person__first_name"
        )
    )
    grouped: dict[int, tuple[Function, list[Participant]]] = {}
    for participant in participants:
        grouped.setdefault(participant.function_id, (participant.function, []))[1].append(
            participant
        )
    reviews = list(
        summit.reviews.select_related("stage", "touchpoint__stage").prefetch_related(
            Prefetch("evidence", ReviewEvidence.objects.select_related("kpi"))
        )
    )
    capabilities = list(summit.capabilities.select_related("owner"))
    items = list(
        action_items_queryset(user)
        .filter(summit=summit)
        .prefetch_related("touchpoints")
        .order_by("due_on", "pk")
    )
    previous = previous_summit(summit)
    completion = completion_by_summit([summit.pk] + ([previous.pk] if previous else []))
    return SummitPage(
        summit=summit,
        participants=participants,
        participants_by_function=list(grouped.values()),
        uncovered=uncovered_functions(summit, participants),
        reviews=reviews,
        gaps=stage_gaps(reviews),
        capabilities=capability_rows(capabilities),
        action_items=items,
        completion=completion[summit.pk],
        previous=previous,
        previous_completion=completion[previous.pk] if previous else None,
    )


# --- Action items ------------------------------------------------------------------------------


def action_item_list(*, user):
    """Every action item the user may see, with owner, function, summit and board."""
    return action_items_queryset(user).order_by("due_on", "pk")


def my_actions(*, user):
    """Items assigned to ``user`` or a function they act for, or that they created."""
    functions = roles_for(user).acting_function_ids
    return action_items_queryset(user).mine(user, functions).order_by("due_on", "pk")


def action_item_get(*, user, pk: int) -> ActionItem:
    return get_object_or_404(
        action_items_queryset(user)
        .select_related("created_by")
        .prefetch_related(
            "touchpoints",
            Prefetch(
                "updates",
                ActionItemUpdate.objects.select_related(
                    "author", "owner_before", "owner_after", "decision", "meeting__board"
                ).order_by("created_at", "pk"),
            ),
            Prefetch("agenda_items", queryset=_agenda_items()),
        ),
        pk=pk,
    )


def _agenda_items():
    from boards.models import AgendaItem

    return AgendaItem.objects.select_related("meeting__board").order_by("meeting__starts_at")


def board_backlog(*, user, board):
    """The open items a board follows up, the overdue first then by due date."""
    return action_items_queryset(user).filter(board=board.pk).open().order_by("due_on", "pk")


def meeting_action_items(*, user, meeting):
    """Items put on this meeting's agenda."""
    return (
        action_items_queryset(user)
        .filter(agenda_items__meeting=meeting.pk)
        .distinct()
        .order_by("due_on", "pk")
    )


def updates_by_item(items) -> dict[int, ActionItemUpdate]:
    """The latest timeline entry of each item, in one query (for progress columns). Only
    those rows are read, however long the timelines."""
    latest = (
        ActionItemUpdate.objects.filter(item=OuterRef("item"))
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    rows = (
        ActionItemUpdate.objects.filter(item__in=[i.pk for i in items])
        .filter(pk=Subquery(latest))
        .select_related("author")
    )
    return {update.item_id: update for update in rows}
