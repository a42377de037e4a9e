"""The scene most boards tests share: a ladder of three boards and the people on them."""

from __future__ import annotations

from datetime import date

import pytest

from boards.models import Membership
from boards.tests.factories import BoardFactory, MembershipFactory
from engagement.org.tests.factories import UserFactory
from touchpoints.tests.factories import TouchpointFactory

LONG_AGO = date(2026, 1, 1)


@pytest.fixture
def touchpoint():
    return TouchpointFactory(name="Call-centre script")


@pytest.fixture
def top_chair():
    return UserFactory(first_name="Catherine", last_name="Moreau", title="CEO")


@pytest.fixture
def top(top_chair):
    """The executive committee: the top of the ladder."""
    return BoardFactory(name="Executive committee", chair=top_chair)


@pytest.fixture
def chair():
    return UserFactory(first_name="Dana", last_name="Chair")


@pytest.fixture
def board(chair, top, touchpoint):
    """The board the roles are about; it governs ``touchpoint`` and escalates to ``top``."""
    board = BoardFactory(name="Customer board", chair=chair, escalates_to=top)
    board.scope_touchpoints.add(touchpoint)
    return board


@pytest.fixture
def board_delegate(board, function):
    person = UserFactory(first_name="Dele", last_name="Gate")
    MembershipFactory(
        board=board, person=person, function=function, is_delegate=True, started_on=LONG_AGO
    )
    return person


@pytest.fixture
def board_member(board, function):
    person = UserFactory(first_name="Mem", last_name="Ber")
    MembershipFactory(
        board=board, person=person, function=function, role=Membership.Role.CORE,
        started_on=LONG_AGO,
    )  # fmt: skip
    return person


@pytest.fixture
def sub_chair():
    return UserFactory(first_name="Sub", last_name="Chair")


@pytest.fixture
def sub_board(board, sub_chair, touchpoint):
    """A board below ``board``: it escalates to it."""
    sub = BoardFactory(name="Web working group", chair=sub_chair, escalates_to=board)
    sub.scope_touchpoints.add(touchpoint)
    return sub
