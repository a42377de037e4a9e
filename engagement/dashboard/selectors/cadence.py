"""Board cadence and decision latency (three queries), and the escalations waiting for the
CEO (two queries)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from statistics import median

from django.db.models import Count, Min, Q

from boards.models import Board, Decision, Escalation, Meeting
from boards.selectors import BoardHealth
from engagement.dashboard.figures import (
    BoardCadence,
    Breakdown,
    CadenceFigure,
    EscalationFigure,
    Link,
    list_params,
)
from engagement.dashboard.filters import DashboardFilters

ESCALATIONS_SHOWN = 10


def cadence_figure(
    boards: list[Board], board_ids, since: date, since_at: datetime, now: datetime
) -> CadenceFigure:
    """Meetings held versus planned (not cancelled) that started in the period, and the median
    days from a conflict opening to the board's decision on it, over decisions logged in the
    period: the definitions of ``boards.selectors.health_for``, whose window is fixed at 90
    days, over the dashboard's period instead. ``boards``: those in scope, by name;
    ``board_ids``: the same, as ids or a subquery."""
    board_list = boards
    health = {b.pk: BoardHealth(core_size_limit=0) for b in board_list}
    meetings = (
        Meeting.objects.filter(board__in=board_ids, starts_at__gte=since_at, starts_at__lt=now)
        .order_by()
        .values("board")
        .annotate(
            planned=Count("pk", filter=~Q(status=Meeting.Status.CANCELLED)),
            held=Count("pk", filter=Q(status=Meeting.Status.HELD)),
            cancelled=Count("pk", filter=Q(status=Meeting.Status.CANCELLED)),
        )
    )
    for row in meetings:
        h = health.get(row["board"])
        if h is not None:
            h.planned, h.held, h.cancelled = row["planned"], row["held"], row["cancelled"]
    latencies = defaultdict(list)
    for board_id, logged_at, opened_at in Decision.objects.filter(
        board__in=board_ids, conflict__isnull=False, logged_at__gte=since_at, logged_at__lt=now
    ).values_list("board", "logged_at", "conflict__opened_at"):
        latencies[board_id].append((logged_at - opened_at).total_seconds() / 86400)
    for board_id, values in latencies.items():
        if board_id in health:
            health[board_id].latency_days = round(median(values), 1)
            health[board_id].decided_conflicts = len(values)
    every_latency = [v for values in latencies.values() for v in values]
    return CadenceFigure(
        since=since,
        planned=sum(h.planned for h in health.values()),
        held=sum(h.held for h in health.values()),
        cancelled=sum(h.cancelled for h in health.values()),
        latency_days=round(median(every_latency), 1) if every_latency else None,
        decided_conflicts=len(every_latency),
        boards=[
            BoardCadence(board=b, health=health[b.pk], link=Link("boards:board_detail", pk=b.pk))
            for b in board_list
        ],
    )


def ceo_escalation_figure(user, filters: DashboardFilters) -> EscalationFigure:
    """Open (waiting or acknowledged) escalations to the top of a ladder: a body that escalates
    to nobody, whose chair is the CEO in ``boards.selectors.ladder_people``."""
    waiting = Escalation.objects.visible_to(user).open().filter(to_board__escalates_to__isnull=True)
    if filters.board is not None:
        waiting = waiting.filter(Q(from_board=filters.board) | Q(to_board=filters.board))
    if filters.function is not None:
        f = filters.function
        waiting = waiting.filter(
            Q(decision__owner_function=f) | Q(conflict__holder_function=f)
            | Q(conflict__claimant_function=f)
        )  # fmt: skip
    if filters.stage is not None:
        about_stage = Escalation.objects.filter(
            Q(conflict__touchpoint__stage=filters.stage)
            | Q(decision__touchpoints__stage=filters.stage)
        ).values("pk")
        waiting = waiting.filter(pk__in=about_stage)
    by_body = list(
        waiting.order_by()
        .values_list("to_board_id", "to_board__name")
        .annotate(n=Count("pk"), oldest=Min("raised_at"))
        .order_by("oldest")
    )
    # The page and the API show each escalation with its boards; what it is about (a decision
    # or a conflict) is on the escalation's own page.
    oldest = list(
        waiting.select_related("from_board", "to_board").order_by("raised_at", "pk")[
            :ESCALATIONS_SHOWN
        ]
    )
    # The board filter counts escalations from or to the board: the link asks for those from
    # it, or to it in the row of the body it escalated to.
    narrowed, unapplied = list_params(filters, function="function", stage="stage")
    base = {"open": "true", **narrowed}
    if filters.board is not None:
        base["from_board"] = str(filters.board.pk)

    def link(to_board_id):
        params = {**base, "to_board": str(to_board_id)}
        if filters.board is not None and filters.board.pk == to_board_id:
            params.pop("from_board")
        return Link("boards:escalation_inbox", params, unapplied=unapplied)

    return EscalationFigure(
        total=sum(n for _, _, n, _ in by_body),
        oldest_raised_at=min((o for *_, o in by_body), default=None),
        by_body=[
            Breakdown(key=pk, label=name, count=n, link=link(pk), extra={"oldest": o})
            for pk, name, n, o in by_body
        ],
        oldest=oldest,
        link=(
            link(by_body[0][0])
            if len(by_body) == 1
            else Link("boards:escalation_inbox", {"open": "true", **narrowed}, unapplied=unapplied)
        ),
    )
