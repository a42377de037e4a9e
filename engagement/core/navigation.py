"""The product's areas, in the order the navigation shows them.

An area appears once its app has a page at that URL name; until then it is left out rather
than linking to a page that does not exist. Later issues add the URLs, not new menu code.

An area is the current one on its own page, on the pages it names in ``pages``, and on the
other pages of its app (URL namespace) when no other area shares that app. "My work" and
"Dashboard" share the dashboard app, so there only the pages named count (the search results
belong to no area).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    label: str
    url_name: str
    staff_only: bool = False
    pages: tuple[str, ...] = ()


AREAS = (
    Area(_("My work"), "dashboard:my_work"),
    Area(_("Dashboard"), "dashboard:dashboard", pages=("dashboard:board_pack",)),
    Area(_("Touchpoints"), "touchpoints:touchpoint_list"),
    Area(_("Charter"), "charter:matrix"),
    Area(_("Boards"), "boards:board_list"),
    Area(_("Summits"), "summits:summit_list"),
    Area(_("Organisation"), "org:function_list"),
    Area(_("Activity"), "audit:event_list"),
)


def _namespace(url_name: str) -> str:
    return url_name.split(":")[0]


def _is_current(area: Area, match) -> bool:
    if not match:
        return False
    if match.view_name == area.url_name or match.view_name in area.pages:
        return True
    sharing = [a for a in AREAS if _namespace(a.url_name) == match.namespace]
    if len(sharing) > 1:
        return False
    return match.namespace == _namespace(area.url_name)


def nav_items(request) -> list[dict]:
    user = request.user
    items = []
    for area in AREAS:
        if area.staff_only and not user.is_staff:
            continue
        try:
            url = reverse(area.url_name)
        except NoReverseMatch:
            continue
        current = _is_current(area, getattr(request, "resolver_match", None))
        items.append({"label": area.label, "url": url, "current": current})
    return items
