"""What a person sees when a form does not go through, on the shared includes every form
uses: the error next to its field (tied to it for screen readers), a summary at the top that
links to each field and takes the focus, and what they typed kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from touchpoints.models import Touchpoint
from touchpoints.tests.factories import ChannelFactory, JourneyStageFactory

pytestmark = pytest.mark.django_db


def test_a_refused_create_form_explains_itself_and_keeps_what_was_typed(client, executive):
    stage = JourneyStageFactory(name="Buy")
    ChannelFactory(name="Web")
    client.force_login(executive)
    response = client.post(
        reverse("touchpoints:touchpoint_create"),
        {"name": "", "stage": stage.pk, "channel": "999999", "segment": "Young families",
         "description": "Where the basket is paid", "priority": "high", "status": "active"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    # The summary: first, focused on load without a script, linking to each field in error.
    summary = page[page.index('class="error-summary"') - 5 :]
    summary = summary[: summary.index("</div>")]
    assert 'tabindex="-1" autofocus' in summary and 'role="alert"' in summary
    assert '<a href="#id_name">Name: This field is required.</a>' in summary
    assert '<a href="#id_channel">Channel: ' in summary
    # Each field: its error next to it, and the control pointing at it.
    assert '<ul class="field__errors" id="id_name_error">' in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="id_name_error"' in page
    # What was typed is still there.
    assert 'value="Young families"' in page and "Where the basket is paid</textarea>" in page
    assert f'<option value="{stage.pk}" selected>' in page
    assert not Touchpoint.objects.exists()


def test_a_form_that_went_through_shows_no_summary(client, executive):
    client.force_login(executive)
    page = client.get(reverse("touchpoints:touchpoint_create")).content.decode()
    assert "error-summary" not in page and 'aria-invalid="true"' not in page
