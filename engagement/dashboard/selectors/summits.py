"""Summit action completion (three queries)."""

from __future__ import annotations

from datetime import date

from engagement.dashboard.figures import Link, SummitCompletion, SummitFigure, list_params
from engagement.dashboard.filters import DashboardFilters
from engagement.dashboard.scope import at_stage
from summits.models import ActionItem, Summit
from summits.selectors import Completion, completion_by_summit, completion_for

SUMMITS_SHOWN = 5


def summit_figure(user, filters: DashboardFilters, since: date, today: date) -> SummitFigure:
    """The latest summits that started in the period, each with its completion
    (``completion_by_summit``), and the completion of their items narrowed by the filters
    (``completion_for``)."""
    summits = list(
        Summit.objects.visible_to(user)
        .filter(starts_on__gte=since, starts_on__lte=today)
        .order_by("-starts_on", "-pk")[:SUMMITS_SHOWN]
    )
    ids = [s.pk for s in summits]
    per_summit = completion_by_summit(ids, today=today)
    items = ActionItem.objects.visible_to(user).filter(summit__in=ids)
    if filters.board is not None:
        items = items.filter(board=filters.board)
    if filters.function is not None:
        items = items.filter(owner_function=filters.function)
    if filters.stage is not None:
        items = items.filter(at_stage(ActionItem, filters, "touchpoints"))
    total = completion_for(items, today=today) if ids else Completion()
    base, unapplied = list_params(filters, function="function", stage="stage", board="board")
    return SummitFigure(
        since=since,
        total=total,
        summits=[
            SummitCompletion(
                summit=s,
                completion=per_summit[s.pk],
                link=Link(
                    "summits:action_item_list", {**base, "summit": str(s.pk)}, unapplied=unapplied
                ),
            )
            for s in summits
        ],
        link=Link("summits:summit_list"),
    )
