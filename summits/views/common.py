"""The page helpers the summit views use (written once, in ``engagement.core.pages``)."""

from __future__ import annotations

from engagement.core.pages import back, form_error, is_htmx, render_page

__all__ = ["back", "form_error", "is_htmx", "render_page"]
