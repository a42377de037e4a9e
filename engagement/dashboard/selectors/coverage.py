"""Charter coverage (from the summary table's figures per stage) and open conflicts (two
queries)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Exists, Min, OuterRef, Q

from boards.models import Board
from charter.models import Conflict
from charter.selectors import RIGHTS, Coverage, RightCoverage
from engagement.dashboard.figures import (
    Breakdown,
    ConflictFigure,
    CoverageFigure,
    Link,
    list_params,
)
from engagement.dashboard.filters import DashboardFilters
from engagement.dashboard.scope import touchpoint_in_scope

# --- Charter coverage ------------------------------------------------------------------------


def coverage_figure(filters: DashboardFilters, by_stage: dict) -> CoverageFigure:
    """The charter's coverage (``charter.selectors.Coverage``) over the touchpoints in scope,
    summed from the summary table (``summary_by_stage``, as of its last refresh);
    ``coverage_summary`` itself covers every touchpoint. Per-function loads are left to the
    charter's page."""

    def total(name: str) -> int:
        return sum(row[name] for row in by_stage.values())

    touchpoints = total("touchpoints")
    summary = Coverage(
        touchpoints=touchpoints,
        held=sum(total(f"held_{right.value}") for right in RIGHTS),
        contested=total("contested"),
        pending_claims=total("pending_claims"),
        by_right=[
            RightCoverage(
                right=right,
                held=total(f"held_{right.value}"),
                vacant=touchpoints - total(f"held_{right.value}"),
            )
            for right in RIGHTS
        ],
        functions=[],
    )
    params, unapplied = list_params(filters, function="function", stage="stage", board="board")
    return CoverageFigure(
        summary=summary,
        link=Link("charter:matrix", params, unapplied=unapplied),
        vacant_link=Link("charter:matrix", {**params, "state": "vacant"}, unapplied=unapplied),
        contested_link=Link(
            "charter:matrix", {**params, "state": "contested"}, unapplied=unapplied
        ),
    )


# --- Open conflicts ----------------------------------------------------------------------------


def conflict_figure(user, filters: DashboardFilters, board_ids, now: datetime) -> ConflictFigure:
    """Open conflicts on the touchpoints in scope (for a function, those it is a party to), by
    age, those no active board governs, and per governing board (of ``board_ids``: the boards
    in scope, ids or a subquery)."""
    conflicts = (
        Conflict.objects.visible_to(user)
        .open()
        .filter(touchpoint_in_scope(filters, via="touchpoint", with_function=False))
    )
    if filters.function is not None:
        conflicts = conflicts.filter(
            Q(holder_function=filters.function) | Q(claimant_function=filters.function)
        )
    week_ago, month_ago = now - timedelta(days=7), now - timedelta(days=30)
    # Governed: an active board names the touchpoint, or governs its stage. Two index probes
    # per conflict (a join of every touchpoint with every board's scope would cost seconds).
    governed = Exists(
        Board.scope_touchpoints.through.objects.filter(
            touchpoint_id=OuterRef("touchpoint_id"), board__is_active=True
        )
    ) | Exists(
        Board.scope_stages.through.objects.filter(
            journeystage_id=OuterRef("touchpoint__stage_id"), board__is_active=True
        )
    )
    counts = conflicts.aggregate(
        total=Count("pk"),
        under_7=Count("pk", filter=Q(opened_at__gt=week_ago)),
        from_7_to_30=Count("pk", filter=Q(opened_at__lte=week_ago, opened_at__gte=month_ago)),
        over_30=Count("pk", filter=Q(opened_at__lt=month_ago)),
        ungoverned=Count("pk", filter=~governed),
        oldest=Min("opened_at"),
    )
    narrowed, unapplied = list_params(filters, function="function", stage="stage", board="board")
    params = {"status": "open", **narrowed}
    return ConflictFigure(
        total=counts["total"],
        by_age={
            "under_7": counts["under_7"],
            "7_to_30": counts["from_7_to_30"],
            "over_30": counts["over_30"],
        },
        ungoverned=counts["ungoverned"],
        oldest_opened_at=counts["oldest"],
        # The conflict list has no board filter; the board's page lists its conflicts.
        by_board=[
            Breakdown(pk, name, n, Link("boards:board_detail", pk=pk), {"over_30": old})
            for pk, name, n, old in _by_governing_board(conflicts, board_ids, month_ago)
        ],
        link=Link("charter:conflict_list", params, unapplied=unapplied),
    )


def _by_governing_board(conflicts, board_ids, month_ago: datetime) -> list[tuple]:
    """(board id, name, open conflicts, of which over 30 days) for each of the boards that
    governs a conflict's touchpoint, most conflicts first. A conflict counts under every board
    that governs it: by naming its touchpoint or by its stage, once if both.

    One query: the union of the two ways as (board, conflict) pairs (the union drops a pair
    found both ways), counted per board around it."""
    named, by_stage = "touchpoint__governing_boards", "touchpoint__stage__governing_boards"
    union = (
        conflicts.filter(**{f"{named}__in": board_ids})
        .order_by()
        .values_list(named, f"{named}__name", "pk", "opened_at")
        .union(
            conflicts.filter(**{f"{by_stage}__in": board_ids})
            .order_by()
            .values_list(by_stage, f"{by_stage}__name", "pk", "opened_at")
        )
    )
    try:
        sql, params = union.query.sql_with_params()
    except EmptyResultSet:  # nothing to count (say, for someone signed out)
        return []
    connection = connections[conflicts.db]
    board, name = (connection.ops.quote_name(alias) for alias in (named, f"{named}__name"))
    statement = (
        f"SELECT u.{board}, u.{name}, COUNT(*), "  # noqa: S608
        "SUM(CASE WHEN u.opened_at < %s THEN 1 ELSE 0 END) "
        f"FROM ({sql}) u GROUP BY u.{board}, u.{name}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, (month_ago, *params))
        rows = cursor.fetchall()
    rows.sort(key=lambda row: (-row[2], row[1]))
    return rows
