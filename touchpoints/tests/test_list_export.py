"""The touchpoint list's filters as the dashboard links them, and its CSV export: the rows the
list shows on every page, a bad filter refused with the reason (list and export alike), and a
fixed number of queries however many touchpoints there are."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse

from engagement.org.tests.factories import UserFactory
from touchpoints.tests.factories import (
    JourneyStageFactory,
    KpiFactory,
    MeasurementFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("touchpoints:touchpoint_list")
EXPORT = reverse("touchpoints:touchpoint_export")
HTMX = {"HX-Request": "true", "HX-Target": "touchpoint-results"}
# session, user, the stage filtered on, the touchpoints, then their health in one chunk
EXPORT_QUERIES = 7


def _csv(response):
    assert response.status_code == 200, response.content[:300]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def stages():
    consider = JourneyStageFactory(name="Consider", position=0)
    TouchpointFactory(name="Shelf talker", stage=consider)
    TouchpointFactory(name="Checkout")  # at "Buy"
    return consider


def test_the_dashboard_s_stage_link_lists_that_stage(client, member, stages):
    client.force_login(member)
    response = client.get(LIST + "?stage=consider")
    assert [tp.name for tp, _health in response.context["rows"]] == ["Shelf talker"]
    assert EXPORT + "?stage=consider" in response.content.decode()
    _, *rows = _csv(client.get(EXPORT + "?stage=consider"))
    assert [row[1] for row in rows] == ["Shelf talker"]


def test_a_bad_filter_is_a_400_on_the_list_and_the_export(client, member, stages):
    client.force_login(member)
    response = client.get(LIST + "?stage=nowhere&priority=urgent")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Journey stage:" in page
    assert response.context["rows"] == []  # nothing shown that the filters did not choose
    fragment = client.get(LIST + "?stage=nowhere", headers=HTMX)
    assert fragment.status_code == 400 and "<html" not in fragment.content.decode()
    assert fragment["HX-Form-Fragment"] == "1"
    export = client.get(EXPORT + "?stage=nowhere&priority=urgent")
    assert export.status_code == 400
    text = export.content.decode()
    assert "cannot be exported" in text and "stage:" in text and "priority:" in text


def test_the_export_needs_sign_in(client, stages):
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("size", [3, 30])
def test_export_query_count(client, member, size, django_assert_num_queries):
    stage = JourneyStageFactory(name="Experience")
    for _ in range(size):
        kpi = KpiFactory(touchpoint=TouchpointFactory(stage=stage, data_steward=UserFactory()))
        MeasurementFactory(kpi=kpi)
    client.force_login(member)
    with django_assert_num_queries(EXPORT_QUERIES):
        rows = _csv(client.get(EXPORT + "?stage=experience"))
    assert len(rows) == size + 1
