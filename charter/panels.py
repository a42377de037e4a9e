"""The charter's section on the touchpoint page: the four rights, with claim and release
buttons for those who may act. Registered with ``touchpoints.panels`` in ``CharterConfig``."""

from __future__ import annotations

from django.template.loader import render_to_string

from charter import permissions, selectors
from engagement.org.roles import roles_for


def render_rights_panel(request, touchpoint) -> str:
    """Two queries (holders, open conflicts) plus the viewer's roles, read once per request."""
    (row,) = selectors.rights_matrix(touchpoints=[touchpoint])
    can_claim = bool(roles_for(request.user).acting_function_ids) and (
        touchpoint.is_open_for_claims
    )
    for cell in row.cells:
        cell.can_release = cell.holder is not None and permissions.can_release(
            request.user, cell.holder
        )
    return render_to_string(
        "charter/panel.html",
        {
            "touchpoint": touchpoint,
            "row": row,
            "can_claim": can_claim,
            "show_actions": can_claim or any(cell.can_release for cell in row.cells),
        },
        request=request,
    )
