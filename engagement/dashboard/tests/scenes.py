"""The scene the dashboard's page, API and pack tests share, and helpers to read a page."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from boards.models import Decision, Escalation, Meeting
from boards.tests.factories import BoardFactory, MeetingFactory
from charter.models import Claim, Conflict, Right
from charter.tests.factories import ClaimFactory, RightAssignmentFactory
from engagement.dashboard.services import touchpoint_summaries_refresh
from summits.tests.factories import ActionItemFactory, SummitFactory
from touchpoints.health import period_start
from touchpoints.tests.factories import (
    JourneyStageFactory,
    KpiFactory,
    MeasurementFactory,
    TouchpointFactory,
)


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def dashboard_scene(marketing, operations, executive) -> dict:
    """Two stages; a board governing "Buy" under an executive committee; on the sign-up page
    a conflict open 40 days and one KPI off target; an overdue decision owned by Marketing,
    an overdue summit action owned by Operations, an escalation waiting at the top, and one
    of the two meetings in the period held. The touchpoint summaries are refreshed."""
    buy = JourneyStageFactory(name="Buy", position=3)
    consider = JourneyStageFactory(name="Consider", position=1)
    signup = TouchpointFactory(name="Sign-up page", stage=buy)
    letter = TouchpointFactory(name="Billing letter", stage=consider)
    RightAssignmentFactory(touchpoint=signup, right=Right.DESIGN, function=marketing)
    RightAssignmentFactory(touchpoint=signup, right=Right.BUILD, function=operations)
    claim = ClaimFactory(
        touchpoint=signup, right=Right.BUILD, function=marketing, status=Claim.Status.CONTESTED
    )
    conflict = Conflict.objects.create(
        claim=claim, touchpoint=signup, right=Right.BUILD, holder_function=operations,
        claimant_function=marketing,
    )  # fmt: skip
    Conflict.objects.filter(pk=conflict.pk).update(opened_at=days_ago(40))

    top = BoardFactory(name="Executive committee", chair=executive)
    board = BoardFactory(name="Customer board", escalates_to=top)
    board.scope_stages.add(buy)
    today = timezone.localdate()
    late = Decision.objects.create(
        board=board, title="Fix the sign-up copy", rationale="Facts.", logged_by=board.chair,
        owner_function=marketing, due_on=today - timedelta(days=3),
    )  # fmt: skip
    late.touchpoints.add(signup)
    Escalation.objects.create(
        from_board=board, to_board=top, title="Budget for the sign-up page", reason="Beyond us.",
        raised_by=board.chair, decision=late,
    )  # fmt: skip
    MeetingFactory(board=board, starts_at=days_ago(10), status=Meeting.Status.HELD)
    MeetingFactory(board=board, starts_at=days_ago(3), status=Meeting.Status.SCHEDULED)

    kpi = KpiFactory(touchpoint=signup, name="Completion", target=Decimal("80"))
    MeasurementFactory(
        kpi=kpi, period=period_start(today, "monthly"), value=Decimal("50")
    )  # off target
    summit = SummitFactory(title="Summit 2026", starts_on=today - timedelta(days=5))
    ActionItemFactory(
        summit=summit, board=board, owner_function=operations, due_on=today - timedelta(days=1)
    )
    touchpoint_summaries_refresh()  # as its job does every few minutes
    return {"buy": buy, "consider": consider, "signup": signup, "letter": letter,
            "board": board, "top": top, "summit": summit, "decision": late}  # fmt: skip


# --- Reading a page ---------------------------------------------------------------------------


def text(html: str) -> str:
    """The words of some HTML, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " ").split())


def tiles(page: str) -> dict[str, tuple[str, str]]:
    """Each headline tile by its label: (its tone, its words)."""
    found = {}
    for tone, body in re.findall(r'<li class="dash-tile dash-tile--(\w+)">(.*?)</li>', page, re.S):
        label = re.search(r'class="dash-tile__label">([^<]+)<', body).group(1)
        found[label] = (tone, text(body))
    return found


def section(page: str, title_id: str) -> str:
    start = page.index(f'aria-labelledby="{title_id}"')
    return page[start : page.index("</section>", start)]
