"""Overdue decisions and action items (one query each), by board and by owner function.

Overdue is live (status and due date). With the stage filter, which stages an item belongs to
is read from the summary tables of the stages of pending items (``DecisionStage``,
``ActionItemStage``), kept by the refresh job."""

from __future__ import annotations

from datetime import date

from boards.models import Decision
from engagement.dashboard.figures import Breakdown, Link, OverdueFigure, list_params
from engagement.dashboard.filters import DashboardFilters
from engagement.dashboard.models import ActionItemStage, DecisionStage
from engagement.dashboard.scope import counts_by_board_and_function
from summits.models import ActionItem


def _breakdowns(rows, make_link) -> tuple[int, list[Breakdown], list[Breakdown]]:
    """Fold (board id, board name, function id, function name, function slug, n) rows into a
    total and counts by board and by function, largest first."""
    boards: dict = {}
    functions: dict = {}
    total = 0
    for board_id, board_name, function_id, function_name, function_slug, n in rows:
        total += n
        boards.setdefault(board_id, [board_name, None, 0])[2] += n
        functions.setdefault(function_id, [function_name or "", function_slug, 0])[2] += n

    def ordered(groups, kind):
        return [
            Breakdown(key=key, label=label, count=n, link=make_link(kind, key, slug))
            for key, (label, slug, n) in sorted(
                groups.items(), key=lambda kv: (-kv[1][2], kv[1][0])
            )
        ]

    return total, ordered(boards, "board"), ordered(functions, "function")


def overdue_decisions_figure(user, filters: DashboardFilters, today: date) -> OverdueFigure:
    decisions = Decision.objects.visible_to(user).overdue(today)
    if filters.board is not None:
        decisions = decisions.filter(board=filters.board)
    if filters.function is not None:
        decisions = decisions.filter(owner_function=filters.function)
    if filters.stage is not None:
        # The stages of pending decisions, from the summary table (see ``DecisionStage``).
        at_stage = DecisionStage.objects.filter(stage=filters.stage).values("decision_id")
        decisions = decisions.filter(pk__in=at_stage)
    rows = counts_by_board_and_function(decisions)
    narrowed, unapplied = list_params(
        filters, function="owner_function", stage="stage", board="board"
    )
    base = {"status": "overdue", **narrowed}

    def link(kind, key, slug):
        if kind == "board":
            return Link("boards:decision_list", {**base, "board": str(key)}, unapplied=unapplied)
        if key is None:  # the list cannot select "no owner function"
            return Link("boards:decision_list", base, unapplied=unapplied)
        return Link("boards:decision_list", {**base, "owner_function": slug}, unapplied=unapplied)

    total, by_board, by_function = _breakdowns(rows, link)
    return OverdueFigure(
        total=total,
        by_board=by_board,
        by_function=by_function,
        link=Link("boards:decision_list", base, unapplied=unapplied),
    )


def overdue_actions_figure(user, filters: DashboardFilters, today: date) -> OverdueFigure:
    items = ActionItem.objects.visible_to(user).overdue(today)
    if filters.board is not None:
        items = items.filter(board=filters.board)
    if filters.function is not None:
        items = items.filter(owner_function=filters.function)
    if filters.stage is not None:
        at_stage = ActionItemStage.objects.filter(stage=filters.stage).values("item_id")
        items = items.filter(pk__in=at_stage)
    rows = counts_by_board_and_function(items)
    narrowed, unapplied = list_params(filters, function="function", stage="stage", board="board")
    base = {"overdue": "true", **narrowed}

    def link(kind, key, slug):
        name = "board" if kind == "board" else "function"
        value = str(key) if kind == "board" else slug
        return Link("summits:action_item_list", {**base, name: value}, unapplied=unapplied)

    total, by_board, by_function = _breakdowns(rows, link)
    return OverdueFigure(
        total=total,
        by_board=by_board,
        by_function=by_function,
        link=Link("summits:action_item_list", base, unapplied=unapplied),
    )
