"""The touchpoint admin goes through the services: same rules, same audit trail, no deletes."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin as django_admin
from django.urls import reverse

from engagement.audit.models import AuditEvent
from touchpoints.models import Channel, JourneyStage, Kpi, Measurement, Touchpoint
from touchpoints.tests.factories import (
    ChannelFactory,
    JourneyStageFactory,
    KpiFactory,
    MeasurementFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def measurement(db):
    return MeasurementFactory()


@pytest.mark.parametrize("model", ["journeystage", "channel", "touchpoint", "kpi", "measurement"])
def test_admin_pages_render(admin_client, measurement, model):
    changelist = admin_client.get(reverse(f"admin:touchpoints_{model}_changelist") + "?q=a")
    assert changelist.status_code == 200
    assert admin_client.get(reverse(f"admin:touchpoints_{model}_add")).status_code == 200


@pytest.mark.parametrize("model", [JourneyStage, Channel, Touchpoint, Kpi, Measurement])
def test_nothing_is_deleted_in_the_admin(rf, admin_user, model):
    request = rf.get("/")
    request.user = admin_user
    assert django_admin.site._registry[model].has_delete_permission(request) is False


def test_admin_pages_of_one_object_render(admin_client, measurement):
    kpi = measurement.kpi
    for url in (
        reverse("admin:touchpoints_touchpoint_change", args=[kpi.touchpoint_id]),
        reverse("admin:touchpoints_kpi_change", args=[kpi.pk]),
        reverse("admin:touchpoints_measurement_change", args=[measurement.pk]),
    ):
        assert admin_client.get(url).status_code == 200


def test_autocomplete_for_stages(admin_client):
    JourneyStageFactory(name="Consider")
    url = reverse("admin:autocomplete") + (
        "?app_label=touchpoints&model_name=touchpoint&field_name=stage&term=cons"
    )
    response = admin_client.get(url)
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Consider"]


def _touchpoint_form(**overrides):
    data = {
        "name": "Sign-up page",
        "description": "",
        "stage": JourneyStageFactory(name="Buy").pk,
        "channel": ChannelFactory(name="Web").pk,
        "segment": "",
        "priority": "high",
        "status": "active",
        "data_steward": "",
        "kpis-TOTAL_FORMS": "0",
        "kpis-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_adds_a_touchpoint_through_the_service(admin_client, admin_user):
    response = admin_client.post(reverse("admin:touchpoints_touchpoint_add"), _touchpoint_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    touchpoint = Touchpoint.objects.get(name="Sign-up page")
    event = AuditEvent.objects.get(verb="touchpoint.created")
    assert (event.actor, event.object_id) == (admin_user, str(touchpoint.pk))


def test_admin_archives_a_touchpoint_through_the_service(admin_client):
    touchpoint = TouchpointFactory(name="Leaflet")
    data = _touchpoint_form(name="Leaflet", is_archived="on")
    data["stage"], data["channel"] = touchpoint.stage_id, touchpoint.channel_id
    data["data_steward"] = touchpoint.data_steward_id
    url = reverse("admin:touchpoints_touchpoint_change", args=[touchpoint.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    touchpoint.refresh_from_db()
    assert touchpoint.is_archived is True
    assert AuditEvent.objects.filter(verb="touchpoint.archived").count() == 1


def test_admin_refusal_is_a_message_not_a_500(admin_client):
    retired = ChannelFactory(name="Fax", is_active=False)
    response = admin_client.post(
        reverse("admin:touchpoints_touchpoint_add"), _touchpoint_form(channel=retired.pk)
    )
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["The channel Fax is retired."]
    assert not Touchpoint.objects.exists()


def test_admin_adds_a_kpi_and_a_stage_through_the_services(admin_client):
    touchpoint = TouchpointFactory()
    response = admin_client.post(
        reverse("admin:touchpoints_kpi_add"),
        {
            "touchpoint": touchpoint.pk,
            "name": "Completion rate",
            "unit": "%",
            "direction": "higher",
            "target": "80",
            "at_risk_threshold": "",
            "period": "monthly",
            "stale_after_periods": "2",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert AuditEvent.objects.filter(verb="kpi.created").count() == 1
    response = admin_client.post(
        reverse("admin:touchpoints_journeystage_add"),
        {"name": "Renew", "slug": "renew", "position": "9", "description": "", "is_active": "on"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(verb="stage.created").count() == 1


def test_admin_records_a_measurement_through_the_service(admin_client, admin_user):
    kpi = KpiFactory()
    response = admin_client.post(
        reverse("admin:touchpoints_measurement_add"),
        {"kpi": kpi.pk, "period": "2026-10-17", "value": "81.5", "source": "CRM"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    measurement = Measurement.objects.get()
    assert measurement.period == date(2026, 10, 1)  # the service moves it to the month's start
    assert measurement.value == Decimal("81.5")
    assert measurement.entered_by == admin_user
    assert AuditEvent.objects.filter(verb="measurement.recorded").count() == 1
