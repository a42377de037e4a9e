"""Sections that higher apps add to the touchpoint page.

The touchpoint page belongs to this app, but its rights (the charter), its decisions (boards)
and its actions (summits) belong to apps above it, which this app must not import. Each such
app registers a panel in its ``AppConfig.ready``; the page renders the panels in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    render: Callable  # (request, touchpoint) -> str of HTML (use render_to_string)


_PANELS: dict[str, Panel] = {}


def register_panel(name: str, render: Callable, order: int = 50) -> None:
    _PANELS[name] = Panel(name=name, order=order, render=render)


def render_panels(request, touchpoint) -> list[str]:
    """HTML of every registered panel for this touchpoint, in order."""
    return [
        panel.render(request, touchpoint)
        for panel in sorted(_PANELS.values(), key=lambda p: p.order)
    ]
