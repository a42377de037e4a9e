"""axe-core on the product's main kinds of page: none may have a serious or critical violation.

axe-core comes from npm (``package.json``; ``npm ci``, which ``make test`` runs) and is
injected into each page as it stands in the browser, after any htmx swap, so what is checked
is what a person with a screen reader or a keyboard meets.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from boards.models import Board, Decision
from e2e.axe import axe_violations, describe_violations
from touchpoints.models import Touchpoint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MOBILE = {"width": 390, "height": 844}


def test_main_pages_have_no_serious_or_critical_accessibility_violations(axe_script, browsing):
    found: dict[str, str] = {}

    def check(page, what: str, heading: str | re.Pattern) -> None:
        # Audit the page that was asked for, not an error page in its place.
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        violations = axe_violations(page, axe_script)
        if violations:
            found[f"{what} ({page.url})"] = describe_violations(violations)

    anonymous = browsing.new_page()
    anonymous.goto("/accounts/login/")
    check(anonymous, "the sign-in form", "Sign in")

    # Daniel Okafor is an executive and chairs a board: he sees every page below.
    page = browsing.sign_in("dokafor")
    page.goto("/dashboard/")
    check(page, "the dashboard", "Executive dashboard")
    page.get_by_label("Function").select_option(label="Operations")
    expect(page).to_have_url(re.compile(r"function=operations"))
    expect(page.get_by_text("The figures are updated.")).to_be_attached()
    check(page, "the dashboard filtered in place (htmx)", "Executive dashboard")

    page.goto("/touchpoints/")
    check(page, "a list: the touchpoints", "Touchpoints")

    decision = Decision.objects.filter(board__name="Customer-engagement board").first()
    page.goto(decision.get_absolute_url())
    check(page, "a detail: a decision", decision.title)

    touchpoint = Touchpoint.objects.get(name="Online checkout")
    page.goto(f"/touchpoints/{touchpoint.pk}/edit/")
    check(page, "a form: editing a touchpoint", "Edit Online checkout")

    board = Board.objects.get(name="Customer-engagement board")
    page.goto(f"/boards/{board.pk}/decisions/new/")
    browsing.allow(r"status of 400 \(Bad Request\)")
    page.get_by_role("button", name="Log the decision").click()
    expect(page.get_by_role("alert", name="There is a problem")).to_be_visible()
    check(page, "a form showing its errors: logging a decision", "Log a decision")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    check(page, "my work", "My work")

    search = page.get_by_role("search", name="Search the product")
    search.get_by_role("searchbox").fill("checkout")
    search.get_by_role("searchbox").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=checkout"))
    expect(page.get_by_role("link", name="Online checkout").first).to_be_visible()
    check(page, "search results", "Search")

    phone = browsing.sign_in("ceo", viewport=MOBILE)
    phone.goto("/dashboard/")
    check(phone, "the dashboard on a phone", "Executive dashboard")

    assert not found, "Serious or critical accessibility violations:\n" + "\n".join(
        f"- {what}:\n{details}" for what, details in found.items()
    )
