"""The demo summits, built by the whole ``seed_demo`` command as a person would run it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from boards import demo as boards_demo
from boards.models import Board, Decision, Meeting
from engagement.audit.models import AuditEvent
from engagement.org.models import Function
from summits import demo, selectors
from summits.models import (
    ActionItem,
    ActionItemUpdate,
    Capability,
    JourneyReview,
    Participant,
    ReviewEvidence,
    Summit,
)
from touchpoints.models import JourneyStage

pytestmark = pytest.mark.django_db

MODELS = (
    Summit,
    Participant,
    JourneyReview,
    ReviewEvidence,
    Capability,
    ActionItem,
    ActionItemUpdate,
)


def _state() -> dict:
    state = {model.__name__: model.objects.count() for model in MODELS}
    state["items"] = sorted(
        ActionItem.objects.values_list("title", "status", "due_on", "completed_on")
    )
    state["summits"] = sorted(Summit.objects.values_list("title", "status", "starts_on"))
    state["events"] = AuditEvent.objects.count()
    return state


def test_seed_demo_builds_last_years_and_this_years_summits_and_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Summits: Customer-engagement summit" in out.getvalue()

    today = timezone.localdate()
    last, this = Summit.objects.order_by("starts_on")
    engagement = Board.objects.get(name=boards_demo.ENGAGEMENT_BOARD)
    assert {last.chair.username, this.chair.username} == {"dokafor"}
    assert engagement.chair == this.chair  # the CMO chairs both summits and the board

    # Last year's: two days about a year ago, held and closed.
    assert today - timedelta(days=364) <= last.starts_on <= today - timedelta(days=357)
    assert last.ends_on == last.starts_on + timedelta(days=1)
    assert last.title == f"Customer-engagement summit {last.starts_on.year}"
    assert last.status == Summit.Status.CLOSED
    assert timezone.localtime(last.held_at).date() == last.ends_on
    assert last.closed_at > last.held_at

    # This year's: a few weeks ago, held, not closed.
    assert today - timedelta(days=27) <= this.starts_on <= today - timedelta(days=21)
    assert (this.status, this.closed_at) == (Summit.Status.HELD, None)

    # Every journey stage reviewed, with KPI evidence as it stood at the summit.
    stages = set(JourneyStage.objects.values_list("pk", flat=True))
    for summit in (last, this):
        assert set(summit.reviews.exclude(stage=None).values_list("stage", flat=True)) == stages
        evidence = ReviewEvidence.objects.filter(review__summit=summit)
        assert evidence.exists() and not evidence.filter(value=None).exists()
        assert not evidence.filter(period__gt=summit.starts_on).exists()
        assert set(summit.capabilities.values_list("area", flat=True)) == set(
            Capability.Area.values
        )
    assert last.capabilities.exclude(partners="").exists()
    assert last.capabilities.filter(sourcing=Capability.Sourcing.INTERNAL).exists()

    # A year on: some stages better, the bond stage worse.
    levels = {
        summit.pk: dict(
            summit.reviews.exclude(stage=None).values_list("stage__slug", "current_level")
        )
        for summit in (last, this)
    }
    before, after = levels[last.pk], levels[this.pk]
    assert after["bond"] < before["bond"]
    assert sum(after[slug] > before[slug] for slug in before) >= 2

    # Completion: last year mostly done, some late, one cancelled; this year mostly open.
    completion = selectors.completion_by_summit([last.pk, this.pk])
    done_then, now = completion[last.pk], completion[this.pk]
    assert (done_then.on_time, done_then.late, done_then.cancelled) == (6, 3, 1)
    assert (done_then.open, done_then.overdue) == (0, 0)
    assert (now.on_time + now.late, now.overdue, now.open, now.cancelled) == (1, 2, 9, 0)
    this_items = ActionItem.objects.filter(summit=this)
    assert this_items.due_soon().count() == 2
    assert this_items.filter(board=engagement).count() >= 8
    assert this_items.exclude(board=engagement).exists()  # a few by the domain boards
    assert ActionItem.objects.filter(summit=last).exclude(board=engagement).count() >= 3

    # Every item has a timeline that starts when it was recorded at the summit, in order.
    for item in ActionItem.objects.prefetch_related("updates"):
        updates = list(item.updates.all())
        assert updates[0].kind == "created"
        assert timezone.localtime(updates[0].created_at).date() == item.summit.ends_on
        assert updates[0].created_at <= item.created_at + timedelta(seconds=1)
        assert [u.created_at for u in updates] == sorted(u.created_at for u in updates)
        if item.status == ActionItem.Status.DONE:
            assert updates[-1].kind == "completed"
            assert timezone.localtime(updates[-1].created_at).date() == item.completed_on
    assert ActionItemUpdate.objects.filter(item__summit=last, kind="progress").count() >= 5

    # The board at work: one item on its next meeting's agenda, one re-planned by its decision.
    on_agenda = this_items.get(agenda_items__isnull=False)
    meeting = on_agenda.agenda_items.get().meeting
    assert meeting.board == engagement and meeting in Meeting.objects.upcoming()
    replan = ActionItemUpdate.objects.get(item__summit=this, kind="replanned")
    assert replan.decision.board == engagement
    assert replan.decision.status == Decision.Status.IMPLEMENTED
    assert replan.decision.meeting.status == Meeting.Status.HELD
    assert replan.due_after == replan.item.due_on > replan.due_before

    # Every function with rights on the journey took part last year; one stayed away this year.
    assert selectors.uncovered_functions(last, list(last.participants.all())) == []
    uncovered = selectors.uncovered_functions(this, list(this.participants.all()))
    assert [f.slug for f in uncovered] == [demo.UNCOVERED]
    assert (
        Function.objects.get(slug=demo.UNCOVERED).summit_participations.filter(summit=last).exists()
    )

    first = _state()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Summits: already seeded; nothing to do." in out.getvalue()
    assert _state() == first  # nothing changed, nothing recorded
