"""Sections that higher apps add to a lower app's page.

A page belongs to one app, but parts of what it shows belong to apps above it, which that app
must not import: the touchpoint page shows the charter's rights and the boards' decisions; a
board's page shows the action items summits send it. The lower app owns a ``PanelRegistry``
for its page; each higher app registers a panel in its ``AppConfig.ready``; the page renders
the panels in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    render: Callable  # (request, obj) -> str of HTML (use render_to_string)


class PanelRegistry:
    def __init__(self, page: str):
        self.page = page
        self.panels: dict[str, Panel] = {}

    def register(self, name: str, render: Callable, order: int = 50) -> None:
        self.panels[name] = Panel(name=name, order=order, render=render)

    def render(self, request, obj) -> list[str]:
        """HTML of every registered panel for ``obj``, in order."""
        return [
            panel.render(request, obj)
            for panel in sorted(self.panels.values(), key=lambda p: p.order)
        ]
