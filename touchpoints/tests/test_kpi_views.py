"""Adding and changing KPIs from the touchpoint page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from engagement.audit.models import AuditEvent
from touchpoints.models import Kpi
from touchpoints.tests.factories import KpiFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


def _kpi_form(**overrides):
    data = {
        "name": "First-contact resolution",
        "unit": "%",
        "direction": "higher",
        "target": "75",
        "at_risk_threshold": "68",
        "period": "monthly",
        "stale_after_periods": "2",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_steward_adds_a_kpi(client):
    touchpoint = TouchpointFactory()
    client.force_login(touchpoint.data_steward)
    url = reverse("touchpoints:kpi_create", args=[touchpoint.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _kpi_form())
    assert response.status_code == 302
    kpi = Kpi.objects.get()
    assert (kpi.touchpoint, kpi.target, kpi.at_risk_threshold) == (
        touchpoint, Decimal("75"), Decimal("68")
    )  # fmt: skip
    assert AuditEvent.objects.get().verb == "kpi.created"
    assert (
        reverse("touchpoints:kpi_create", args=[touchpoint.pk])
        in client.get(touchpoint.get_absolute_url()).content.decode()
    )


def test_others_may_not_add_kpis(client, member):
    touchpoint = TouchpointFactory()
    client.force_login(member)
    url = reverse("touchpoints:kpi_create", args=[touchpoint.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _kpi_form()).status_code == 403
    assert not Kpi.objects.exists()
    assert not AuditEvent.objects.exists()


def test_threshold_on_the_wrong_side_is_explained_and_kept(client):
    touchpoint = TouchpointFactory()
    client.force_login(touchpoint.data_steward)
    response = client.post(
        reverse("touchpoints:kpi_create", args=[touchpoint.pk]),
        _kpi_form(at_risk_threshold="90", name="Typed name"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "must lie below the target when higher is better" in page
    assert "Typed name" in page
    assert not Kpi.objects.exists()


def test_duplicate_name_is_a_409(client):
    kpi = KpiFactory(name="NPS")
    client.force_login(kpi.touchpoint.data_steward)
    response = client.post(
        reverse("touchpoints:kpi_create", args=[kpi.touchpoint.pk]), _kpi_form(name="NPS")
    )
    assert response.status_code == 409
    assert "already has a KPI named &#x27;NPS&#x27;" in response.content.decode()


def test_edit_records_only_what_changed(client):
    kpi = KpiFactory(name="NPS", target=Decimal("40"), at_risk_threshold=Decimal("30"))
    client.force_login(kpi.touchpoint.data_steward)
    url = reverse("touchpoints:kpi_edit", args=[kpi.pk])
    form = _kpi_form(name="NPS", unit=kpi.unit, target="45", at_risk_threshold="30")
    assert client.post(url, form).status_code == 302
    kpi.refresh_from_db()
    assert kpi.target == Decimal("45")
    event = AuditEvent.objects.get(verb="kpi.updated")
    assert [change[0] for change in event.changes()] == ["target"]


def test_retiring_a_kpi_and_unknown_kpi(client, admin_user):
    kpi = KpiFactory()
    client.force_login(admin_user)
    form = _kpi_form(name=kpi.name, unit=kpi.unit, target="80", at_risk_threshold="70")
    del form["is_active"]
    assert client.post(reverse("touchpoints:kpi_edit", args=[kpi.pk]), form).status_code == 302
    assert not Kpi.objects.get().is_active
    assert client.get(reverse("touchpoints:kpi_edit", args=[999999])).status_code == 404
