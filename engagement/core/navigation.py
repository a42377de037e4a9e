"""The product's areas, in the order the navigation shows them.

An area appears once its app has a page at that URL name; until then it is left out rather
than linking to a page that does not exist. Later issues add the URLs, not new menu code.
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


AREAS = (
    Area(_("Dashboard"), "dashboard:dashboard"),
    Area(_("Touchpoints"), "touchpoints:touchpoint_list"),
    Area(_("Charter"), "charter:matrix"),
    Area(_("Boards"), "boards:board_list"),
    Area(_("Summits"), "summits:summit_list"),
    Area(_("Organisation"), "org:function_list"),
    Area(_("Activity"), "audit:event_list"),
)


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
        match = getattr(request, "resolver_match", None)
        current = bool(match) and match.namespace == area.url_name.split(":")[0]
        items.append({"label": area.label, "url": url, "current": current})
    return items
