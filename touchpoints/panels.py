"""Sections that higher apps add to the touchpoint page.

The touchpoint page belongs to this app, but its rights (the charter), its decisions (boards)
and its actions (summits) belong to apps above it, which this app must not import. Each such
app registers a panel in its ``AppConfig.ready``; the page renders the panels in order.
"""

from __future__ import annotations

from engagement.core.panels import PanelRegistry

touchpoint_page = PanelRegistry("touchpoint")

register_panel = touchpoint_page.register
render_panels = touchpoint_page.render
