"""A function owner claims rights in the charter, as they would in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from charter.models import Conflict, RightAssignment
from touchpoints.models import Touchpoint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_function_owner_claims_a_vacant_right_and_meets_a_conflict_on_a_held_one(browsing):
    # given Sofia Rossi, head of Sales, on the rights matrix
    page = browsing.sign_in("srossi")
    page.goto("/charter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Charter: the rights matrix")

    # when she narrows it to the touchpoints with a vacant right and opens the first
    page.get_by_label("Gaps").select_option(label="A right vacant")
    expect(page).to_have_url(re.compile(r"state=vacant"))
    matrix = page.get_by_role("table", name=re.compile("^Touchpoints by journey stage"))
    expect(matrix.get_by_role("cell", name="Vacant").first).to_be_visible()
    first = matrix.get_by_role("rowheader").first.get_by_role("link")
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    # and claims the first vacant right for Sales
    claim = page.get_by_role("link", name=re.compile(r"^Claim the right to ")).first
    right = claim.inner_text().removeprefix("Claim the right to ")
    claim.click()
    expect(page.get_by_label("Right", exact=True)).to_have_value(right)
    expect(page.get_by_label("For function").locator("option:checked")).to_have_text("Sales")
    page.get_by_label("Rationale").fill("Sales answers for this with its partners.")
    page.get_by_role("button", name="Claim", exact=True).click()

    # then the right is Sales's at once, and hers to release
    expect(page.get_by_text(f"Sales now holds the right to {right} {name}.")).to_be_visible()
    holders = page.get_by_role("table", name="The four rights and their holders")
    row = holders.get_by_role("row", name=re.compile(rf"^{right.capitalize()} "))
    expect(row.get_by_role("cell").first).to_have_text("Sales")
    expect(row.get_by_role("button", name=f"Release the right to {right}")).to_be_visible()

    # when she claims a right another function holds on the same touchpoint
    touchpoint = Touchpoint.objects.get(name=name)
    held = (
        RightAssignment.objects.active()
        .filter(touchpoint=touchpoint)
        .exclude(function__slug="sales")
        .select_related("function")
        .order_by("pk")
        .first()
    )
    page.get_by_label("Right", exact=True).select_option(held.right)
    page.get_by_label("Rationale").fill("Customers ask sales about it first.")
    page.get_by_role("button", name="Claim", exact=True).click()

    # then she sees a conflict opened for a decision, and the holder keeps the right
    expect(
        page.get_by_text(
            f"Another function holds the right to {held.get_right_display()} {name}: "
            "a conflict is open for a decision."
        )
    ).to_be_visible()
    contested = holders.get_by_role("row", name=re.compile(rf"^{held.get_right_display()} ", re.I))
    expect(contested.get_by_role("cell").first).to_contain_text(held.function.name)
    expect(contested.get_by_role("cell").first).to_contain_text("claimed by Sales")
    conflicts = page.get_by_role("region", name=re.compile("^Open conflicts"))
    expect(
        conflicts.get_by_role(
            "article",
            name=f"Sales claims the right to {held.get_right_display()}, "
            f"held by {held.function.name}",
        )
    ).to_be_visible()

    # and the record agrees
    granted = RightAssignment.objects.active().get(touchpoint=touchpoint, right=right)
    assert granted.function.slug == "sales"
    conflict = Conflict.objects.get(touchpoint=touchpoint, right=held.right, status="open")
    assert conflict.claimant_function.slug == "sales"
    assert conflict.holder_function == held.function
    assert RightAssignment.objects.active().get(pk=held.pk).function == held.function
