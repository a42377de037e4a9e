from datetime import timedelta

import pytest
from django.utils import timezone

from boards.tests.factories import MeetingFactory
from engagement.core.errors import Conflict, Invalid, NotAllowed
from summits import selectors, services
from summits.models import ActionItem

pytestmark = pytest.mark.django_db


def test_lifecycle(item, member, chair, summit_chair, summit, board, outsider):
    with pytest.raises(Conflict):
        services.action_item_complete(actor=member, item=item)
    with pytest.raises(NotAllowed):
        services.action_item_start(actor=outsider, item=item)
    services.action_item_start(actor=member, item=item)
    services.action_item_progress(actor=member, item=item, note="Half way")
    with pytest.raises(Invalid):
        services.action_item_replan(actor=chair, item=item, reason="x",
                                    due_on=summit.starts_on - timedelta(days=1))
    services.action_item_replan(actor=chair, item=item, reason="Later",
                                due_on=timezone.localdate() + timedelta(days=60))
    meeting = MeetingFactory(board=board)
    services.action_item_put_on_agenda(actor=chair, item=item, meeting=meeting)
    item = services.action_item_decide(actor=chair, item=item, outcome="complete",
                                       rationale="Done, checked", meeting=meeting)
    assert item.status == ActionItem.Status.DONE
    page = selectors.summit_page(user=summit_chair, summit=summit)
    assert page.completion.on_time == 1
    got = selectors.action_item_get(user=member, pk=item.pk)
    assert [u.kind for u in got.updates.all()] == [
        "created", "started", "progress", "replanned", "agenda", "completed"]
    assert list(selectors.my_actions(user=member)) == [item]
