"""An administrator edits a touchpoint in the Django admin, as in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from engagement.audit.models import AuditEvent
from touchpoints.models import Touchpoint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_administrator_edits_a_touchpoint_in_the_admin(browsing):
    # The admin's own templates link no favicon, so Chromium asks for /favicon.ico (a 404).
    browsing.allow(r"/favicon\.ico: Failed to load resource: .*404")
    before = Touchpoint.objects.get(name="Online checkout")
    assert before.priority == "critical"

    # given the administrator, from the product's navigation to the admin's touchpoints
    page = browsing.sign_in("admin")
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Administration", level=1)).to_be_visible()
    app = page.get_by_role("table", name="Touchpoints")
    app.get_by_role("rowheader").get_by_role("link", name="Touchpoints").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Select touchpoint to change")

    # when she searches for the checkout and opens it
    page.get_by_role("textbox", name="Search").fill("checkout")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text(re.compile(r"^\d+ results? \(\d+ total\)$"))).to_be_visible()
    page.get_by_role("link", name="Online checkout", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change touchpoint")

    # and saves it with the name left empty by mistake
    page.get_by_label("Name:").fill("")
    page.get_by_label("Priority:").select_option("high")
    page.get_by_role("button", name="Save", exact=True).click()

    # then the admin says what is wrong and nothing is saved
    expect(page.get_by_text("Please correct the error below.")).to_be_visible()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    assert Touchpoint.objects.get(pk=before.pk).priority == "critical"

    # when she names it again, lowers its priority, widens the segment and saves
    page.get_by_label("Name:").fill("Online checkout")
    page.get_by_label("Priority:").select_option("high")
    page.get_by_label("Customer segment:").fill("all customers")
    page.get_by_role("button", name="Save", exact=True).click()

    # then the change list confirms it and shows the new priority
    saved = page.get_by_text(re.compile(r"“Online checkout” was changed successfully"))
    expect(saved).to_be_visible()
    row = page.get_by_role("row", name=re.compile(r"^Online checkout "))
    expect(row).to_contain_text("high")

    # and the governance history records who changed what, as for a change in the product
    row.get_by_role("link", name="Online checkout").click()
    page.get_by_role("link", name="View every recorded change").click()
    expect(page.get_by_role("main")).to_contain_text("Alex Admin")
    expect(page.get_by_role("main")).to_contain_text("all customers")

    after = Touchpoint.objects.get(pk=before.pk)
    assert (after.name, after.priority, after.segment) == (
        "Online checkout",
        "high",
        "all customers",
    )
    event = AuditEvent.objects.for_object(after).latest("pk")
    assert event.actor.username == "admin"
    assert event.after["priority"] == "high"
    assert event.after["segment"] == "all customers"
