"""Panels, both ways.

* The boards' section on the touchpoint page: the boards that govern the touchpoint and its
  recent decisions. Registered with ``touchpoints.panels`` in ``BoardsConfig.ready``.
* The board, meeting and decision pages take panels from the apps above (summits shows a
  board's backlog of action items, the items on a meeting's agenda, and the action item a
  decision closed or re-planned).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from boards.models import Board, Decision
from engagement.core.panels import PanelRegistry

board_page = PanelRegistry("board")
meeting_page = PanelRegistry("meeting")
decision_page = PanelRegistry("decision")

RECENT_DECISIONS = 5


def render_boards_panel(request, touchpoint) -> str:
    """Two queries whatever the number of boards and decisions."""
    boards = list(
        Board.objects.visible_to(request.user)
        .active()
        .governing(touchpoint)
        .select_related("chair")
        .order_by("name")
    )
    decisions = list(
        Decision.objects.visible_to(request.user)
        .filter(touchpoints=touchpoint.pk)
        .select_related("board", "owner_function", "superseded_by")
        .order_by("-logged_at", "-id")[:RECENT_DECISIONS]
    )
    return render_to_string(
        "boards/panel.html",
        {"touchpoint": touchpoint, "boards": boards, "decisions": decisions},
        request=request,
    )
