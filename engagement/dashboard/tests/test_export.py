"""The dashboard's figures as CSV (``/dashboard/export.csv``): every figure with the filters
applied and the address of its rows, names that cannot run as formulas, and refused filters."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from engagement.dashboard.tests.scenes import dashboard_scene

pytestmark = pytest.mark.django_db

EXPORT = reverse("dashboard:export")


@pytest.fixture
def scene(function, other_function, executive):
    return dashboard_scene(function, other_function, executive)


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_export_lists_every_figure_with_the_filters_and_its_link(client, executive, scene):
    client.force_login(executive)

    response = client.get(EXPORT, {"stage": "buy"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="dashboard-' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["Section", "Figure", "Breakdown", "Value", "Note", "Link"]
    assert ["Filters", "Journey stage", "", "Buy", "", ""] in rows
    assert ["Charter coverage", "Rights held (%)", "", "50", "2 of 4 rights",
            "http://testserver/charter/?stage=buy"] in rows  # fmt: skip
    assert [
        "Open conflicts", "By age", "over 30 days", "1",
        "",
        "http://testserver/charter/conflicts/?status=open&stage=buy",
    ] in rows  # fmt: skip
    overdue = [r for r in rows if r[0] == "Overdue decisions" and r[1] == "By function"]
    assert overdue == [[
        "Overdue decisions", "By function", "Marketing", "1",
        "",
        "http://testserver/boards/decisions/?status=overdue&stage=buy&owner_function=marketing",
    ]]  # fmt: skip
    kpi = ["KPI status", "off target", "Buy", "1", "", "http://testserver/touchpoints/?stage=buy"]
    assert kpi in rows


def test_export_keeps_names_from_running_as_formulas(client, executive, scene):
    scene["board"].name = "=HYPERLINK(1)"
    scene["board"].save()
    client.force_login(executive)

    rows = csv_rows(client.get(EXPORT))

    names = {r[2] for r in rows if r[0] == "Board cadence"}
    assert "'=HYPERLINK(1)" in names
    assert "=HYPERLINK(1)" not in names


def test_export_with_unknown_filters_is_a_400_naming_them(client, executive):
    client.force_login(executive)

    response = client.get(EXPORT, {"stage": "nowhere", "period": "1y"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Unknown journey stage: nowhere." in body
    assert "Unknown period: 1y" in body
