"""Helpers of the board pages: the shared page helpers (``engagement.core.pages``), and a
refused button action shown with the service's message."""

from __future__ import annotations

from engagement.core.errors import DomainError
from engagement.core.pages import form_error, is_htmx, render_page

__all__ = ["form_error", "is_htmx", "refusal", "render_page"]


def refusal(exc: DomainError) -> dict:
    """Context for a refused button action shown inside a fragment."""
    return {"error": exc.message, "error_status": exc.status_code}
