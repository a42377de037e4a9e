"""The summits' sections on pages of the apps below, which must not import this app:

* a board's page: the summit action items the board follows up (its backlog), with a button
  to put one on the next meeting's agenda for who runs the board's meetings;
* a meeting's page: the items on its agenda, and the backlog items not yet on it (with a
  button while the meeting is to come), each with a link to decide on it for the board;
* a touchpoint's page: the open action items that change it;
* a decision's page: the action items the decision closed, cancelled or re-planned.

Registered in ``SummitsConfig.ready``. Each runs a fixed number of queries whatever the
number of items (pinned in ``summits/tests/test_page_queries.py``).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from boards import permissions as board_permissions
from boards import selectors as board_selectors
from boards.models import Meeting
from summits import selectors
from summits.models import ActionItemUpdate


def render_board_panel(request, board) -> str:
    """The board's backlog; three queries (the items, the next meeting, what is on it) plus
    the viewer's board roles, read once per request."""
    user = request.user
    items = list(selectors.board_backlog(user=user, board=board))
    can_run = board.is_active and board_permissions.can_run_meeting(user, board)
    next_meeting, on_next = None, set()
    if can_run and items:
        upcoming = board_selectors.upcoming_meetings(board, count=1)
        next_meeting = upcoming[0] if upcoming else None
        if next_meeting is not None:
            on_next = set(
                selectors.meeting_action_items(user=user, meeting=next_meeting).values_list(
                    "pk", flat=True
                )
            )
    for item in items:
        item.on_next_meeting = item.pk in on_next
    return render_to_string(
        "summits/panels/board_backlog.html",
        {
            "board": board,
            "items": items,
            "next_meeting": next_meeting,
            "can_run": can_run,
            "back_to": request.get_full_path(),
        },
        request=request,
    )


def render_meeting_panel(request, meeting) -> str:
    """The items on the meeting's agenda and, while the meeting is to come, the board's
    backlog not yet on it; two queries plus the viewer's board roles."""
    user = request.user
    board = meeting.board
    on_agenda = list(selectors.meeting_action_items(user=user, meeting=meeting))
    scheduled = meeting.status == Meeting.Status.SCHEDULED and not meeting.minutes_approved
    backlog = []
    if scheduled:
        listed = {item.pk for item in on_agenda}
        backlog = [
            item
            for item in selectors.board_backlog(user=user, board=board)
            if item.pk not in listed
        ]
    record_open = meeting.status != Meeting.Status.CANCELLED and not meeting.minutes_approved
    return render_to_string(
        "summits/panels/meeting_items.html",
        {
            "meeting": meeting,
            "board": board,
            "on_agenda": on_agenda,
            "backlog": backlog,
            "scheduled": scheduled,
            "can_add": scheduled
            and board.is_active
            and board_permissions.can_run_meeting(user, board),
            "can_decide": record_open and board_permissions.can_log_decision(user, board),
            "back_to": request.get_full_path(),
        },
        request=request,
    )


def render_touchpoint_panel(request, touchpoint) -> str:
    """The open action items linking the touchpoint; one query."""
    items = list(
        selectors.action_item_list(user=request.user).filter(touchpoints=touchpoint.pk).open()
    )
    return render_to_string(
        "summits/panels/touchpoint_actions.html",
        {"touchpoint": touchpoint, "items": items},
        request=request,
    )


def render_decision_panel(request, decision) -> str:
    """What the decision did to action items (a board decides on an item from the item's
    page); nothing for a decision about no item. One query."""
    updates = list(
        ActionItemUpdate.objects.visible_to(request.user)
        .filter(decision=decision.pk)
        .select_related("item__summit", "item__owner", "item__owner_function")
        .order_by("created_at", "pk")
    )
    if not updates:
        return ""
    return render_to_string(
        "summits/panels/decision_items.html",
        {"decision": decision, "updates": updates},
        request=request,
    )
