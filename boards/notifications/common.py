"""Shared pieces of the boards' scanners: who governs what, who decides, and plain words."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from boards.models import Board, Membership
from boards.querysets import current_on
from engagement.notify.scanning import content_type_id
from engagement.org.models import Function

CHUNK = 1000
# The longest list a weekly or digest message shows before "and N more".
MAX_LINES = 20


def follows(board_ids: Iterable[int | None] = (), function_ids: Iterable[int | None] = ()):
    """(content type, id) pairs of the boards and functions an alert is about, for the chat
    channels that follow them."""
    board_type, function_type = content_type_id(Board), content_type_id(Function)
    pairs = [(board_type, pk) for pk in dict.fromkeys(board_ids) if pk]
    pairs += [(function_type, pk) for pk in dict.fromkeys(function_ids) if pk]
    return tuple(pairs)


def start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def capped(lines: list, limit: int = MAX_LINES) -> tuple[list, int]:
    """The first ``limit`` lines and how many more there are."""
    return lines[:limit], max(0, len(lines) - limit)


def governing_boards(touchpoint_stages: dict[int, int]) -> dict[int, set[int]]:
    """Active boards governing each touchpoint, directly or by its journey stage, given
    {touchpoint id: stage id}. Two queries, whatever the number of touchpoints."""
    governing: dict[int, set[int]] = defaultdict(set)
    if not touchpoint_stages:
        return governing
    for touchpoint_id, board_id in Board.scope_touchpoints.through.objects.filter(
        touchpoint__in=list(touchpoint_stages), board__is_active=True
    ).values_list("touchpoint_id", "board_id"):
        governing[touchpoint_id].add(board_id)
    by_stage: dict[int, set[int]] = defaultdict(set)
    for stage_id, board_id in Board.scope_stages.through.objects.filter(
        journeystage__in=set(touchpoint_stages.values()), board__is_active=True
    ).values_list("journeystage_id", "board_id"):
        by_stage[stage_id].add(board_id)
    for touchpoint_id, stage_id in touchpoint_stages.items():
        governing[touchpoint_id] |= by_stage.get(stage_id, set())
    return governing


def delegates_of(board_ids: Iterable[int], day: date) -> dict[int, set[int]]:
    """Current delegates (active people) of each board, in one query."""
    delegates: dict[int, set[int]] = defaultdict(set)
    board_ids = set(board_ids)
    if not board_ids:
        return delegates
    for board_id, person_id in (
        Membership.objects.filter(
            current_on(day), board__in=board_ids, is_delegate=True, person__is_active=True
        )
        .values_list("board_id", "person_id")
        .order_by()
    ):
        delegates[board_id].add(person_id)
    return delegates


def executive_ids() -> list[int]:
    """The active members of the executives' group, in one query."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=settings.EXECUTIVE_GROUP_NAME)
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )


def top_board_chairs() -> list[int]:
    """Chairs of the active boards at the top of a ladder (escalating to nobody)."""
    return list(
        Board.objects.filter(Q(escalates_to__isnull=True), is_active=True)
        .order_by("chair_id")
        .values_list("chair_id", flat=True)
        .distinct()
    )
