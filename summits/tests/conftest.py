"""The scene most summits tests share: a summit, its chair and a participant; an action item
owned by ``member`` (who sits in ``function``) and followed up by ``board`` (the boards'
scene: its chair ``chair``, its delegate ``board_delegate``)."""

from __future__ import annotations

import pytest

from boards.tests import conftest as boards_scene
from engagement.org.tests.factories import UserFactory
from summits import services
from summits.tests.factories import ParticipantFactory, SummitFactory

# The boards' scene, shared: the board that follows items up, its chair, delegate and member.
board = boards_scene.board
board_delegate = boards_scene.board_delegate
board_member = boards_scene.board_member
chair = boards_scene.chair
top = boards_scene.top
top_chair = boards_scene.top_chair
touchpoint = boards_scene.touchpoint


@pytest.fixture
def summit_chair(db):
    return UserFactory(first_name="Sam", last_name="Summit", title="Chief Marketing Officer")


@pytest.fixture
def summit(summit_chair):
    """A summit in planning that started yesterday."""
    return SummitFactory(title="Engagement summit 2026", chair=summit_chair)


@pytest.fixture
def participant(summit, other_function):
    """Takes part for ``other_function``."""
    person = UserFactory(first_name="Pat", last_name="Participant", function=other_function)
    ParticipantFactory(summit=summit, person=person, function=other_function)
    return person


@pytest.fixture
def item(summit, summit_chair, member, function, board, touchpoint):
    """An open item of ``summit`` owned by ``member`` for ``function``, due in 30 days,
    followed up by ``board``; recorded through the service (so it has its timeline)."""
    from datetime import timedelta

    from django.utils import timezone

    return services.action_item_create(
        actor=summit_chair, summit=summit, title="Rewrite the call-centre script",
        owner=member, owner_function=function, board=board, touchpoints=[touchpoint],
        due_on=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip
