"""The charter's contribution to touchpoint health: vacant and contested rights."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from charter.models import Conflict, Right, RightAssignment
from touchpoints.health import Penalty

VACANT_POINTS = 10
CONTESTED_POINTS = 8


def rights_penalties(touchpoints: list) -> dict[int, list[Penalty]]:
    """Two queries for any number of touchpoints."""
    ids = [tp.pk for tp in touchpoints]
    held = defaultdict(set)
    for touchpoint_id, right in (
        RightAssignment.objects.active()
        .filter(touchpoint_id__in=ids)
        .values_list("touchpoint_id", "right")
    ):
        held[touchpoint_id].add(right)
    contested = defaultdict(set)
    for touchpoint_id, right in (
        Conflict.objects.open().filter(touchpoint_id__in=ids).values_list("touchpoint_id", "right")
    ):
        contested[touchpoint_id].add(right)

    found: dict[int, list[Penalty]] = {}
    for tp in touchpoints:
        penalties = []
        for right in Right:
            if right.value not in held[tp.pk]:
                penalties.append(
                    Penalty(
                        VACANT_POINTS,
                        _("Nobody holds the right to %(right)s it") % {"right": right.label},
                        "charter",
                    )
                )
            if right.value in contested[tp.pk]:
                penalties.append(
                    Penalty(
                        CONTESTED_POINTS,
                        _("The right to %(right)s it is contested") % {"right": right.label},
                        "charter",
                    )
                )
        found[tp.pk] = penalties
    return found
