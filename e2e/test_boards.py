"""A board's chair logs a decision that resolves a charter conflict, as in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from boards.models import Decision
from charter.models import Conflict, RightAssignment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_chair_logs_a_decision_that_resolves_a_conflict(browsing):
    # given Daniel Okafor, who chairs the Customer-engagement board, on his board's page
    page = browsing.sign_in("dokafor")
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Boards").click()
    page.get_by_role("link", name="Customer-engagement board", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer-engagement board")

    # when he takes the first open conflict in the board's scope to a decision
    conflicts = page.get_by_role("region", name=re.compile("^Open conflicts in scope"))
    resolve = conflicts.get_by_role("link", name=re.compile(r"^Resolve by decision")).first
    # The link's name ends with the conflict's number for screen readers ("…: conflict #4").
    number = int(re.search(r"conflict #(\d+)$", resolve.text_content()).group(1))
    conflict = Conflict.objects.select_related(
        "touchpoint", "holder_function", "claimant_function"
    ).get(pk=number)
    claimant, holder = conflict.claimant_function.name, conflict.holder_function.name
    resolve.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a decision")
    expect(page.get_by_text(f"This decision resolves conflict #{number}")).to_be_visible()
    expect(page.get_by_label("Decision", exact=True)).to_have_value(
        f"Right to {conflict.get_right_display()} {conflict.touchpoint.name}: "
        f"{claimant} or {holder}"
    )

    # and logs it without saying who wins or why
    browsing.allow(r"status of 400 \(Bad Request\)")
    submit = page.get_by_role("button", name="Log the decision and resolve the conflict")
    submit.click()

    # then the form says what is missing, and nothing is decided
    problem = page.get_by_role("alert", name="There is a problem")
    expect(problem).to_be_visible()
    expect(problem.get_by_role("link", name=re.compile("^Rationale"))).to_be_visible()
    expect(problem.get_by_role("link", name=re.compile("^The right goes to"))).to_be_visible()
    assert Conflict.objects.get(pk=number).status == "open"
    assert not Decision.objects.filter(conflict_id=number).exists()

    # when he gives the right to the claimant, with the reason
    page.get_by_label("Rationale").fill(
        f"{claimant} answers for this touchpoint's customers every day; the board gives it "
        f"the right and asks {holder} to hand over within a month."
    )
    page.get_by_role("radio", name=f"{claimant}, which claims it").check()
    submit.click()

    # then he sees the decision logged and the conflict resolved in the claimant's favour
    expect(
        page.get_by_text(f"The conflict is resolved: the right goes to {claimant}.")
    ).to_be_visible()
    logged = page.get_by_role("region", name="Logged just now")
    expect(logged).to_contain_text(f"Resolved conflict #{number}")

    # and the decision's page and the touchpoint's charter show it
    logged.get_by_role("link", name=re.compile("^Right to ")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Right to {conflict.get_right_display()} {conflict.touchpoint.name}"
    )
    expect(page.get_by_role("main")).to_contain_text(f"Conflict #{number}")
    page.goto(f"/charter/touchpoints/{conflict.touchpoint_id}/")
    holders = page.get_by_role("table", name="The four rights and their holders")
    row = holders.get_by_role("row", name=re.compile(rf"^{conflict.get_right_display()} ", re.I))
    expect(row.get_by_role("cell").first).to_have_text(claimant)

    conflict.refresh_from_db()
    assert conflict.status == "resolved"
    assert conflict.winner == conflict.claimant_function
    decision = Decision.objects.get(conflict=conflict)
    assert decision.board.name == "Customer-engagement board"
    assert decision.logged_by.username == "dokafor"
    holding = RightAssignment.objects.active().get(
        touchpoint=conflict.touchpoint, right=conflict.right
    )
    assert holding.function == conflict.claimant_function
