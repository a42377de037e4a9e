"""Pages of the charter: the rights matrix, coverage, a touchpoint's charter with its claims,
conflicts and history, the claim and conflict lists (each with a CSV export), a printable
charter and its CSV export.

Every action (claim, release, approve, reject, withdraw, resolve) calls one service. Success
redirects back with a message; with htmx, the page's fragment is re-rendered in place. A form
that the service refuses is shown again with the reason next to it and what was typed, with
the error's status (400/403/409). Refusals of plain buttons (release, withdraw) come back as
a message.
"""

from charter.views.charter import coverage, export, matrix, print_charter
from charter.views.lists import claim_export, claim_list, conflict_export, conflict_list
from charter.views.records import (
    claim_approve,
    claim_detail,
    claim_reject,
    claim_withdraw,
    conflict_detail,
    conflict_resolve,
    right_release,
    touchpoint_charter,
    touchpoint_claim,
)

__all__ = [
    "claim_approve",
    "claim_detail",
    "claim_export",
    "claim_list",
    "claim_reject",
    "claim_withdraw",
    "conflict_detail",
    "conflict_export",
    "conflict_list",
    "conflict_resolve",
    "coverage",
    "export",
    "matrix",
    "print_charter",
    "right_release",
    "touchpoint_charter",
    "touchpoint_claim",
]
