"""Who may see the executive dashboard, its API and a board's pack. One rule, for the page,
the CSV export, the pack and the API.

* Everyone signed in (and active) sees them. The dashboard is built for executives, but every
  figure is counted from ``visible_to(user)`` querysets, and boards, decisions, conflicts,
  escalations, KPIs and action items are open to everyone signed in: governance is meant to
  be seen, so the dashboard shows a person nothing their lists do not. A chair reads it for
  their board, a function head for their function (with the filters).
* Nobody signed out sees them: the pages send them to the login page, the API answers 401.
"""

from __future__ import annotations

from rest_framework.permissions import IsAuthenticated

from engagement.core.querysets import is_signed_in


def can_view_dashboard(user) -> bool:
    return is_signed_in(user)


class CanViewDashboard(IsAuthenticated):
    """The API's side of ``can_view_dashboard`` (401 for nobody signed in, through DRF)."""

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and can_view_dashboard(request.user)
