"""Which touchpoints and boards the dashboard's filters leave in scope, and the counting
helpers its selectors share.

The conditions are written to stay cheap at enterprise scale: a figure over rows that point
at a touchpoint (conflicts, items) tests each row's own touchpoint (its columns, a small list
of the board's touchpoints and stages, an ``Exists`` probe on an indexed column) rather than
matching the rows against the set of every touchpoint in scope (a join of 50,000 touchpoints
per figure).
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q

from boards.models import Board
from charter.models import RightAssignment
from engagement.dashboard.filters import DashboardFilters
from engagement.org.models import Function

BoardTouchpoint = Board.scope_touchpoints.through
BoardStage = Board.scope_stages.through

# --- Scope -------------------------------------------------------------------------------------


def touchpoint_in_scope(filters: DashboardFilters, *, via: str, with_function: bool) -> Q:
    """The touchpoint a row points at through ``via`` (``"touchpoint"`` for a conflict) is in
    scope: open for claims (not archived, not retired), at the stage, in the board's scope
    (named, or by stage); with the function, one where it holds a right."""
    condition = Q(**{f"{via}__is_archived": False}) & ~Q(**{f"{via}__status": "retired"})
    if filters.stage is not None:
        condition &= Q(**{f"{via}__stage": filters.stage})
    if filters.board is not None:
        condition &= governed_by(filters.board, touchpoint=via, stage=f"{via}__stage")
    if with_function and filters.function is not None:
        held = RightAssignment.objects.active().filter(
            function=filters.function, touchpoint=OuterRef(via)
        )
        condition &= Exists(held)
    return condition


def governed_by(board: Board, *, touchpoint: str, stage: str) -> Q:
    """The touchpoint (a field holding its id) is in the board's scope: named by the board, or
    at a stage (a field holding its id) the board governs. Two small uncorrelated lists the
    database reads once and looks each row up in."""
    named = BoardTouchpoint.objects.filter(board=board).values("touchpoint_id")
    stages = BoardStage.objects.filter(board=board).values("journeystage_id")
    return Q(**{f"{touchpoint}__in": named}) | Q(**{f"{stage}__in": stages})


def boards_in_scope(user, filters: DashboardFilters):
    """Active boards the figures break down by: the one filtered on, or those governing the
    stage (directly, or a touchpoint at it). The function does not narrow boards: a board
    matters to a function whether or not the function sits on it."""
    qs = Board.objects.visible_to(user).active()
    if filters.board is not None:
        qs = qs.filter(pk=filters.board.pk)
    if filters.stage is not None:
        by_stage = BoardStage.objects.filter(board=OuterRef("pk"), journeystage=filters.stage)
        named = BoardTouchpoint.objects.filter(
            board=OuterRef("pk"), touchpoint__stage=filters.stage
        )
        qs = qs.filter(Exists(by_stage) | Exists(named))
    return qs


def at_stage(model, filters: DashboardFilters, path: str) -> Exists:
    """``model`` rows linked (through the many-to-many ``path``) to a touchpoint at the
    filtered stage: one probe of the link table per row tested, not the set of every row at
    the stage."""
    field = model._meta.get_field(path)
    links = field.remote_field.through.objects.filter(
        **{
            field.m2m_field_name(): OuterRef("pk"),
            f"{field.m2m_reverse_field_name()}__stage": filters.stage,
        }
    )
    return Exists(links)


# --- Counts by board and owner function ----------------------------------------------------------


def counts_by_board_and_function(items) -> list[tuple]:
    """(board id, board name, function id, function name, function slug, count) of a
    queryset of decisions or action items, grouped by board and owner function.

    One query. The rows are grouped by the two ids alone, which the database reads from an
    index (``boards_decision_pending_idx``, ``summits_action_open_due_idx``), and only the
    groups are joined to their names: grouping by the names as well would join and sort every
    row first.
    """
    # COUNT(*), not COUNT(id): the id is not in the index.
    grouped = items.order_by().values_list("board_id", "owner_function_id").annotate(n=Count("*"))
    try:
        sql, params = grouped.query.sql_with_params()
    except EmptyResultSet:  # nothing to count (say, for someone signed out)
        return []
    connection = connections[items.db]
    quote = connection.ops.quote_name
    # Only the compiled query and quoted table names go into the text; values stay bound.
    statement = (
        f"SELECT g.board_id, b.name, g.owner_function_id, f.name, f.slug, g.n FROM ({sql}) g "  # noqa: S608
        f"INNER JOIN {quote(Board._meta.db_table)} b ON b.id = g.board_id "
        f"LEFT OUTER JOIN {quote(Function._meta.db_table)} f ON f.id = g.owner_function_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()
