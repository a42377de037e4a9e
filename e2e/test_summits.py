"""An action owner carries a summit's action item through to done, as in the browser."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from summits.models import ActionItem

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_action_owner_completes_an_item(browsing):
    # given Nina Kowalski, who owns one open action item from the summit
    page = browsing.sign_in("nkowalski")
    page.goto("/summits/")
    page.get_by_role("navigation", name="Summits").get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    mine = page.get_by_role("table", name="Your action items")
    link = mine.get_by_role("link").first
    title = link.inner_text()
    item = ActionItem.objects.get(title=title)
    assert item.owner.username == "nkowalski" and item.status == "open"

    # when she opens it and starts work
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_label("Note (optional)").fill("Drafting the answers with the call centre.")
    page.get_by_role("button", name="Start").click()

    # then it is in progress, with her note on the timeline
    expect(page.get_by_text("The item is in progress.")).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline 2")
    expect(timeline.get_by_role("heading", name="Started")).to_be_visible()
    expect(timeline).to_contain_text("Drafting the answers with the call centre.")

    # when she dates the completion in the future by mistake
    browsing.allow(r"status of 400 \(Bad Request\)")
    page.get_by_label("What was done").fill("The five answers are in the series.")
    page.get_by_label("Completed on").fill("2099-01-01")
    page.get_by_role("button", name="Mark as done").click()

    # then she is told why, and the item is still in progress
    problem = page.get_by_role("alert", name="There is a problem")
    expect(problem).to_contain_text("The completion date cannot be in the future.")
    expect(page.get_by_label("Completed on")).to_have_attribute("aria-invalid", "true")
    item.refresh_from_db()
    assert item.status == "in_progress" and item.completed_on is None

    # when she leaves the date empty (today) and marks it done
    page.get_by_label("Completed on").fill("")
    page.get_by_label("What was done").fill("The five answers are in the series.")
    page.get_by_role("button", name="Mark as done").click()

    # then the item is done on time, nothing more is asked of her, and the timeline says so
    expect(page.get_by_text("The item is done.")).to_be_visible()
    expect(page.get_by_role("region", name="The commitment")).to_contain_text("on time")
    expect(page.get_by_role("button", name="Mark as done")).to_have_count(0)
    timeline = page.get_by_role("region", name="Timeline 3")
    expect(timeline.get_by_role("heading", name="Completed")).to_be_visible()
    expect(timeline).to_contain_text("The five answers are in the series.")

    # and it has left her open items
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Summits").click()
    page.get_by_role("navigation", name="Summits").get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    expect(page.get_by_role("link", name=title)).to_have_count(0)
    item.refresh_from_db()
    assert item.status == "done"
    assert item.completed_on == timezone.localdate()
