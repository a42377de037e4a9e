"""The fast "log a decision" form through htmx, and a refusal that belongs to no field: the
fragment that comes back carries the summary (which takes the focus when htmx swaps it in)
and what was typed, and nothing is logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from boards.models import Decision

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_an_htmx_form_answers_its_errors_in_place(client, chair, board, touchpoint):
    client.force_login(chair)
    response = client.post(
        reverse("boards:decision_create", kwargs={"pk": board.pk}),
        {"title": "", "rationale": "Calls run long; customers hang up.", "due_on": "someday",
         "touchpoints": [touchpoint.pk]},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 400
    assert response["HX-Form-Fragment"] == "1"  # swapped in place (includes/htmx_config.html)
    page = response.content.decode()
    assert "<html" not in page and 'id="decision-form-region"' in page
    assert 'class="error-summary"' in page and 'tabindex="-1" autofocus' in page
    assert '<a href="#decision_title">Decision: This field is required.</a>' in page
    assert '<a href="#decision_due_on">Due on: Enter a valid date.</a>' in page
    assert "Calls run long; customers hang up.</textarea>" in page
    assert 'value="someday"' in page
    assert f'value="{touchpoint.pk}"' in page and "checked" in page
    assert not Decision.objects.exists()


def test_a_refusal_for_no_field_is_in_the_summary(client, board):
    """Signing in with a wrong password: the reason is the form's, not a field's."""
    response = client.post(reverse("login"), {"username": "dana", "password": "wrong"})
    assert response.status_code == 200
    page = response.content.decode()
    summary = page[page.index('class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "Please enter a correct" in summary and "<a href" not in summary
    assert 'value="dana"' in page  # the username is kept; the password, rightly, is not
    assert 'value="wrong"' not in page
