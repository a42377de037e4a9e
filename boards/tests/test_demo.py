"""The demo boards, built by the whole ``seed_demo`` command as a person would run it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from boards import demo, selectors
from boards.models import (
    AgendaItem,
    Attendance,
    Board,
    Decision,
    DecisionFact,
    Escalation,
    Meeting,
    Membership,
)
from charter.models import Conflict
from engagement.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

MODELS = (Board, Membership, Meeting, AgendaItem, Attendance, Decision, DecisionFact, Escalation)


def _counts() -> dict:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["decisions by status"] = sorted(
        Decision.objects.values_list("title", "status", "due_on")
    )
    counts["meetings by status"] = sorted(
        Meeting.objects.values_list("board__name", "starts_at", "status")
    )
    counts["escalations"] = sorted(Escalation.objects.values_list("title", "status"))
    counts["events"] = AuditEvent.objects.count()
    return counts


def test_seed_demo_builds_the_board_ladder_with_its_history_and_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Boards: 5 boards" in out.getvalue()

    # The ladder: the CEO's committee at the top, the engagement board just below it.
    top = Board.objects.get(name=demo.EXECUTIVE_COMMITTEE)
    engagement = Board.objects.get(name=demo.ENGAGEMENT_BOARD)
    assert top.escalates_to is None and top.chair.username == "ceo"
    assert engagement.escalates_to == top
    assert (engagement.chair.username, engagement.sponsor.username) == ("dokafor", "ceo")
    assert engagement.cadence == "FREQ=WEEKLY;BYDAY=TU"
    domain = Board.objects.filter(escalates_to=engagement)
    assert domain.count() == 3
    assert all(selectors.ladder_above(b) == [engagement, top] for b in domain)

    # Members from every function, a core group of nine, one delegate.
    seats = Membership.objects.current().filter(board=engagement)
    assert seats.values("function").distinct().count() == 8
    assert seats.filter(role=Membership.Role.CORE).count() == 9
    assert [m.person.username for m in seats.filter(is_delegate=True)] == ["lnguyen"]

    # Twelve weeks of weekly meetings: held with attendance, one cancelled, then upcoming.
    now = timezone.now()
    past = Meeting.objects.filter(board=engagement, starts_at__lt=now)
    assert past.count() == demo.HISTORY_WEEKS
    assert past.filter(status=Meeting.Status.CANCELLED).count() == 1
    held = past.filter(status=Meeting.Status.HELD)
    assert held.count() == demo.HISTORY_WEEKS - 1
    assert not held.filter(attendance__isnull=True).exists()
    assert not held.filter(agenda_items__isnull=True).exists()
    assert held.exclude(minutes_approved_at=None).count() == len(demo.MINUTES_APPROVED)
    assert Meeting.objects.upcoming().filter(board=engagement).count() >= 10
    for board in domain:
        assert board.meetings.filter(status=Meeting.Status.HELD).exists()
        assert Meeting.objects.upcoming().filter(board=board).exists()

    # Decisions logged over time: implemented, open, overdue, superseded, and one that
    # resolved a charter conflict.
    decisions = Decision.objects.filter(board=engagement)
    statuses = set(decisions.values_list("status", flat=True))
    assert {"implemented", "open", "overdue", "superseded", "escalated"} <= statuses
    assert decisions.filter(status="overdue").count() == 1
    superseded = decisions.get(status="superseded")
    assert superseded.superseded_by.status == "open"
    assert decisions.filter(logged_at__lt=now - timedelta(weeks=8)).exists()
    resolving = decisions.get(conflict__isnull=False)
    assert resolving.conflict.status == Conflict.Status.RESOLVED
    assert resolving.conflict.winner == resolving.conflict.claimant_function
    assert DecisionFact.objects.filter(decision__board=engagement, kpi__isnull=False).exists()

    # Escalations up the ladder: one acknowledged by the engagement board, one waiting for
    # the CEO's committee.
    waiting = Escalation.objects.get(to_board=top)
    assert (waiting.from_board, waiting.status) == (engagement, Escalation.Status.OPEN)
    assert waiting.decision.status == Decision.Status.ESCALATED
    from_below = Escalation.objects.get(to_board=engagement)
    assert from_below.from_board in domain
    assert from_below.status == Escalation.Status.ACKNOWLEDGED

    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first  # nothing changed, nothing recorded
