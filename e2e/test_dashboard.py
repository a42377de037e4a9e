"""The executive's first page: sign in, filter the dashboard, drill down to the rows behind."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from boards.models import Decision

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OVERDUE_FIGURE = re.compile(r"^(\d+) overdue decisions?$")


def test_an_executive_filters_the_dashboard_and_drills_down_to_an_overdue_decision(browsing):
    # given the CEO, signed out, opening the site
    page = browsing.new_page()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # when she signs in through the login form
    page.get_by_label("Username").fill("ceo")
    page.get_by_label("Password").fill("engage-demo-2026")
    page.get_by_role("button", name="Sign in").click()

    # then she lands on the executive dashboard, for the whole organisation
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Executive dashboard")
    expect(page.get_by_text("Showing the whole organisation.")).to_be_visible()
    figures = page.get_by_role("region", name="Headline figures")
    expect(figures.get_by_role("link", name=OVERDUE_FIGURE)).to_be_visible()

    # when she picks the function that owns overdue decisions in the filter
    by_function = page.get_by_role("region", name="Overdue decisions").get_by_role(
        "table", name="By owner function"
    )
    function = by_function.get_by_role("rowheader").first.inner_text()
    page.evaluate("window.__marker = 'the same page'")
    page.get_by_label("Function").select_option(label=function)

    # then the figures follow the filter in place: the address carries it (to share or
    # reload), and the page was not reloaded
    expect(page).to_have_url(re.compile(r"[?&]function=[a-z-]+"))
    expect(page.get_by_label("Function")).to_have_value(re.compile(r"^[a-z-]+$"))
    overdue = figures.get_by_role("link", name=OVERDUE_FIGURE)
    expect(overdue).to_have_attribute("href", re.compile(r"owner_function="))
    assert page.evaluate("window.__marker") == "the same page"
    count = int(OVERDUE_FIGURE.match(" ".join(overdue.inner_text().split())).group(1))
    assert count >= 1

    # when she follows the overdue-decisions figure
    overdue.click()

    # then she sees exactly those decisions in the decision log, filtered the same way
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision log")
    expect(page).to_have_url(re.compile(r"status=overdue"))
    expect(page.get_by_label("Status")).to_have_value("overdue")
    expect(page.get_by_label("Owner function")).to_have_value(re.compile(r".+"))
    decisions = page.get_by_role("table", name=re.compile(r"^\d+ decisions?$"))
    rows = decisions.get_by_role("rowgroup").nth(1).get_by_role("row")
    expect(rows).to_have_count(count)
    expect(rows.first.get_by_role("cell").last).to_have_text("Overdue")
    expect(rows.first).to_contain_text(function)

    # when she opens the first of them
    link = rows.first.get_by_role("rowheader").get_by_role("link")
    title = link.inner_text()
    link.click()

    # then the decision's page says it is overdue, and it is
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("main")).to_contain_text("Overdue")
    decision = Decision.objects.select_related("owner_function").get(title=title)
    assert decision.owner_function.name == function
    assert decision.due_on < timezone.localdate()
    assert decision.implemented_at is None
