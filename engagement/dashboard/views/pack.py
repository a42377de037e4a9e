"""What a board's pack lists after the dashboard's figures: the board's open items, read with
the boards' and summits' own selectors (the same rows the board's page shows).

A fixed number of queries whatever the number of items: the decisions, conflicts, action
items (and their latest updates) and escalations one query each, the next meeting one, and
its agenda and attendance (prefetched by ``meeting_list``) two more.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from boards import selectors as board_selectors
from boards.models import Board
from summits import selectors as summit_selectors


def board_or_404(request, pk: int) -> Board:
    return board_selectors.board_get(user=request.user, pk=pk)


def open_items(user, board: Board, *, today: date) -> dict:
    """The board's open decisions (overdue first, then by due date, undated last), the open
    conflicts in its scope (oldest first), the open action items it follows up (by due date,
    so the overdue come first; each with its latest update), the open escalations it raised
    or received (oldest first), and its next meeting with the agenda."""
    decisions = list(board_selectors.decision_list(user=user).filter(board=board).pending())
    decisions.sort(key=lambda d: (not d.is_overdue, d.due_on is None, d.due_on or today, d.pk))
    actions = list(summit_selectors.board_backlog(user=user, board=board))
    latest = summit_selectors.updates_by_item(actions)
    for item in actions:
        item.latest_update = latest.get(item.pk)
    escalations = list(
        board_selectors.escalation_list(user=user)
        .filter(Q(from_board=board) | Q(to_board=board))
        .open()
        .order_by("raised_at", "pk")
    )
    next_meeting = board_selectors.meeting_list(user=user).filter(board=board).upcoming().first()
    return {
        "decisions": decisions,
        "late_decisions": sum(1 for d in decisions if d.is_overdue),
        "conflicts": list(board_selectors.conflicts_in_scope(board)),
        "actions": actions,
        "late_actions": sum(1 for item in actions if item.is_overdue),
        "escalations": escalations,
        "next_meeting": next_meeting,
        "agenda": list(next_meeting.agenda_items.all()) if next_meeting else [],
    }
