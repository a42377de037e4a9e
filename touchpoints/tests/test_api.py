"""The touchpoint API: lists with filters, search and ordering; writes through the services;
bulk measurements all or nothing; the one error format; constant query counts."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.audit.models import AuditEvent
from engagement.org.tests.factories import UserFactory
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
def steward(db):
    return UserFactory(title="Data steward")


@pytest.fixture
def touchpoint(steward):
    return TouchpointFactory(name="Online checkout", data_steward=steward)


@pytest.fixture
def kpi(touchpoint):
    return KpiFactory(touchpoint=touchpoint, name="Conversion rate", target=Decimal("80"))


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response.json()


def _names(body):
    return [row["name"] for row in body["results"]]


# --- Touchpoints: reading -------------------------------------------------------------------------


@time_machine.travel(date(2026, 11, 15))
def test_touchpoint_list_shows_health_and_kpi_count(api_client_for, member, kpi):
    MeasurementFactory(kpi=kpi, period=date(2026, 10, 1), value=Decimal("50"))
    body = api_client_for(member).get("/api/v1/touchpoints/").json()
    (row,) = body["results"]
    assert row["name"] == "Online checkout"
    assert row["stage"]["slug"] == "buy"
    assert row["kpi_count"] == 1
    health = row["health"]
    assert health["band"] in ("healthy", "watch", "at_risk")
    assert health["score"] == 100 - sum(p["points"] for p in health["penalties"])
    kpi_findings = [p for p in health["penalties"] if p["source"] == "kpi"]
    assert kpi_findings == [
        {
            "points": 15,
            "reason": "Conversion rate is off target: 50 % against 80 %",
            "source": "kpi",
        }
    ]


def test_touchpoint_detail_and_unknown_id(api_client_for, member, touchpoint):
    client = api_client_for(member)
    body = client.get(f"/api/v1/touchpoints/{touchpoint.pk}/").json()
    assert body["name"] == "Online checkout"
    assert "score" in body["health"]
    missing = client.get("/api/v1/touchpoints/999999/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_touchpoint_filters(api_client_for, member, steward):
    web, store = ChannelFactory(name="Web"), ChannelFactory(name="Store")
    consider = JourneyStageFactory(name="Consider", position=1)
    TouchpointFactory(name="Banner", stage=consider, channel=web, priority="low", segment="SMB")
    TouchpointFactory(name="Shelf", channel=store, priority="critical", data_steward=steward)
    TouchpointFactory(name="Old leaflet", channel=store, is_archived=True, status="retired")
    client = api_client_for(member)

    def names(query):
        response = client.get(f"/api/v1/touchpoints/?{query}")
        assert response.status_code == 200, response.json()
        return sorted(_names(response.json()))

    assert names("") == ["Banner", "Old leaflet", "Shelf"]  # the API includes archived ones
    assert names("archived=false") == ["Banner", "Shelf"]
    assert names("archived=true") == ["Old leaflet"]
    assert names("stage=consider") == ["Banner"]
    assert names("channel=store&archived=false") == ["Shelf"]
    assert names("priority=critical") == ["Shelf"]
    assert names("status=retired") == ["Old leaflet"]
    assert names("segment=smb") == ["Banner"]
    assert names(f"steward={steward.pk}") == ["Shelf"]
    assert names("q=leaf") == ["Old leaflet"]
    assert names("search=shelf") == ["Shelf"]


def test_touchpoint_filter_with_an_unknown_stage_is_a_400(api_client_for, member):
    response = api_client_for(member).get("/api/v1/touchpoints/?stage=nowhere")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "stage" in response.json()["errors"]


def test_touchpoint_ordering_by_priority_is_by_urgency(api_client_for, member):
    for name, priority in [("A", "low"), ("B", "critical"), ("C", "medium"), ("D", "high")]:
        TouchpointFactory(name=name, priority=priority)
    client = api_client_for(member)
    assert _names(client.get("/api/v1/touchpoints/?ordering=priority").json()) == [
        "B",
        "D",
        "C",
        "A",
    ]
    assert _names(client.get("/api/v1/touchpoints/?ordering=-name").json()) == [
        "D",
        "C",
        "B",
        "A",
    ]
    bad = client.get("/api/v1/touchpoints/?ordering=data_steward__password")
    assert bad.status_code == 400


def _make_touchpoints(n):
    for _ in range(n):
        tp = TouchpointFactory()
        k = KpiFactory(touchpoint=tp)
        MeasurementFactory(kpi=k)


def test_touchpoint_list_query_count_is_constant(api_client_for, member):
    client = api_client_for(member)
    _make_touchpoints(3)
    small, body = _count(client, "/api/v1/touchpoints/")
    assert body["count"] == 3
    _make_touchpoints(27)
    large, body = _count(client, "/api/v1/touchpoints/")
    assert body["count"] == 30
    assert small == large


# --- Touchpoints: writing -------------------------------------------------------------------------


def _new_touchpoint(**overrides):
    JourneyStageFactory(name="Buy")
    ChannelFactory(name="Web")
    data = {
        "name": "Sign-up page",
        "stage": "buy",
        "channel": "web",
        "priority": "critical",
        "status": "active",
        "segment": "small business",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin_user", 201),
        ("executive", 201),
        ("function_owner", 403),
        ("delegate", 403),
        ("member", 403),
        ("outsider", 403),
    ],
)
def test_who_may_create_a_touchpoint(request, api_client_for, role, status):
    user = request.getfixturevalue(role)
    response = api_client_for(user).post("/api/v1/touchpoints/", _new_touchpoint(), format="json")
    assert response.status_code == status, response.json()
    if status == 201:
        body = response.json()
        assert body["name"] == "Sign-up page"
        assert body["priority"] == "critical"
        assert "health" in body
        event = AuditEvent.objects.get(verb="touchpoint.created")
        assert event.actor == user
    else:
        assert response.json()["code"] == "not_allowed"
        assert not Touchpoint.objects.exists()


def test_create_touchpoint_errors(api_client_for, executive):
    client = api_client_for(executive)
    missing = client.post("/api/v1/touchpoints/", {"name": "X"}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) >= {"stage", "channel"}
    assert client.post("/api/v1/touchpoints/", _new_touchpoint(), format="json").status_code == 201
    clash = client.post("/api/v1/touchpoints/", _new_touchpoint(), format="json")
    assert clash.status_code == 409
    assert "already exists" in clash.json()["detail"]
    assert Touchpoint.objects.count() == 1


def test_create_touchpoint_in_a_retired_stage_is_refused(api_client_for, executive):
    data = _new_touchpoint()
    JourneyStage.objects.filter(slug="buy").update(is_active=False)
    response = api_client_for(executive).post("/api/v1/touchpoints/", data, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"stage": ["The journey stage Buy is retired."]}


def test_steward_edits_but_may_not_archive(api_client_for, steward, touchpoint):
    client = api_client_for(steward)
    url = f"/api/v1/touchpoints/{touchpoint.pk}/"
    response = client.patch(url, {"segment": "families"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["segment"] == "families"
    refused = client.patch(url, {"is_archived": True}, format="json")
    assert refused.status_code == 403
    touchpoint.refresh_from_db()
    assert touchpoint.is_archived is False


def test_executive_archives_and_others_may_not_edit(api_client_for, executive, member, touchpoint):
    url = f"/api/v1/touchpoints/{touchpoint.pk}/"
    assert api_client_for(member).patch(url, {"name": "X"}, format="json").status_code == 403
    response = api_client_for(executive).patch(url, {"is_archived": True}, format="json")
    assert response.status_code == 200
    assert response.json()["is_archived"] is True
    touchpoint.refresh_from_db()
    assert (touchpoint.name, touchpoint.is_archived) == ("Online checkout", True)
    assert AuditEvent.objects.filter(verb="touchpoint.archived").count() == 1


def test_no_put_and_no_delete(api_client_for, admin_user, touchpoint, kpi):
    client = api_client_for(admin_user)
    for url in (f"/api/v1/touchpoints/{touchpoint.pk}/", f"/api/v1/kpis/{kpi.pk}/"):
        assert client.delete(url).status_code == 405
        assert client.put(url, {}, format="json").status_code == 405
    assert Touchpoint.objects.filter(pk=touchpoint.pk).exists()


def test_anonymous_gets_401(api_client):
    response = api_client.get("/api/v1/touchpoints/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- Journey stages and channels ------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["journey-stages", "channels"])
def test_vocabulary_is_read_by_all_and_changed_by_admins(
    api_client_for, member, admin_user, resource
):
    member_client = api_client_for(member)
    assert member_client.get(f"/api/v1/{resource}/").status_code == 200
    refused = member_client.post(f"/api/v1/{resource}/", {"name": "Renew"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_allowed"

    admin_client = api_client_for(admin_user)
    created = admin_client.post(f"/api/v1/{resource}/", {"name": "Renew"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["slug"] == "renew"
    pk = created.json()["id"]
    retired = admin_client.patch(f"/api/v1/{resource}/{pk}/", {"is_active": False}, format="json")
    assert retired.status_code == 200
    assert retired.json()["is_active"] is False
    listed = member_client.get(f"/api/v1/{resource}/?is_active=false").json()
    assert [r["slug"] for r in listed["results"]] == ["renew"]
    clash = admin_client.post(f"/api/v1/{resource}/", {"name": "Renew"}, format="json")
    assert clash.status_code == 409
    assert "already exists" in clash.json()["detail"]


def test_stages_are_listed_in_journey_order(api_client_for, member):
    JourneyStageFactory(name="Buy", position=3)
    JourneyStageFactory(name="Consider", position=1)
    body = api_client_for(member).get("/api/v1/journey-stages/").json()
    assert _names(body) == ["Consider", "Buy"]
    assert Channel.objects.count() == 0


# --- KPIs -----------------------------------------------------------------------------------------


def _new_kpi(tp, **overrides):
    data = {
        "touchpoint": tp.pk,
        "name": "Completion rate",
        "unit": "%",
        "direction": "higher",
        "target": "80",
        "at_risk_threshold": "70",
        "period": "monthly",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin_user", 201), ("executive", 201), ("steward", 201), ("member", 403), ("outsider", 403)],
)
def test_who_may_add_a_kpi(request, api_client_for, touchpoint, role, status):
    user = request.getfixturevalue(role)
    response = api_client_for(user).post("/api/v1/kpis/", _new_kpi(touchpoint), format="json")
    assert response.status_code == status, response.json()
    assert Kpi.objects.filter(name="Completion rate").exists() is (status == 201)


def test_kpi_errors(api_client_for, steward, touchpoint):
    client = api_client_for(steward)
    wrong_side = client.post(
        "/api/v1/kpis/", _new_kpi(touchpoint, at_risk_threshold="90"), format="json"
    )
    assert wrong_side.status_code == 400
    assert "threshold" in wrong_side.json()["detail"]
    unknown = client.post("/api/v1/kpis/", _new_kpi(touchpoint, touchpoint=999999), format="json")
    assert unknown.status_code == 400
    assert "touchpoint" in unknown.json()["errors"]
    assert client.post("/api/v1/kpis/", _new_kpi(touchpoint), format="json").status_code == 201
    clash = client.post("/api/v1/kpis/", _new_kpi(touchpoint), format="json")
    assert clash.status_code == 409
    assert "already has a KPI named 'Completion rate'" in clash.json()["detail"]
    assert Kpi.objects.filter(name="Completion rate").count() == 1


def test_kpi_list_filters_and_latest_value(api_client_for, member, kpi, touchpoint):
    MeasurementFactory(kpi=kpi, period=date(2026, 9, 1), value=Decimal("60"))
    MeasurementFactory(kpi=kpi, period=date(2026, 10, 1), value=Decimal("75.5"))
    KpiFactory(touchpoint=touchpoint, name="Retired KPI", is_active=False, period="weekly")
    client = api_client_for(member)
    body = client.get(f"/api/v1/kpis/?touchpoint={touchpoint.pk}&is_active=true").json()
    (row,) = body["results"]
    assert row["name"] == "Conversion rate"
    assert row["latest_value"] == "75.5000"
    assert row["latest_period"] == "2026-10-01"
    assert row["latest_status"] == "at_risk"
    assert _names(client.get("/api/v1/kpis/?period=weekly").json()) == ["Retired KPI"]
    assert _names(client.get("/api/v1/kpis/?search=retired").json()) == ["Retired KPI"]
    assert client.get("/api/v1/kpis/?ordering=-name").json()["results"][0]["name"] == (
        "Retired KPI"
    )


def test_kpi_patch_by_steward(api_client_for, steward, member, kpi):
    url = f"/api/v1/kpis/{kpi.pk}/"
    assert api_client_for(member).patch(url, {"target": "90"}, format="json").status_code == 403
    response = api_client_for(steward).patch(url, {"target": "85"}, format="json")
    assert response.status_code == 200
    assert response.json()["target"] == "85.0000"
    assert api_client_for(steward).get("/api/v1/kpis/999999/").status_code == 404


def test_kpi_list_query_count_is_constant(api_client_for, member):
    client = api_client_for(member)
    _make_touchpoints(3)
    small, body = _count(client, "/api/v1/kpis/")
    assert body["count"] == 3
    _make_touchpoints(27)
    large, body = _count(client, "/api/v1/kpis/")
    assert body["count"] == 30
    assert small == large == 2  # the count and the page, latest values included


# --- Measurements ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin_user", 201), ("steward", 201), ("executive", 403), ("member", 403), ("outsider", 403)],
)
def test_who_may_record_a_value(request, api_client_for, kpi, role, status):
    user = request.getfixturevalue(role)
    data = {"kpi": kpi.pk, "period": "2026-10-17", "value": "81.25", "source": "CRM"}
    response = api_client_for(user).post("/api/v1/measurements/", data, format="json")
    assert response.status_code == status, response.json()
    if status == 201:
        body = response.json()
        assert body["period"] == "2026-10-01"  # moved to the first day of the month
        assert body["value"] == "81.2500"
        assert body["entered_by"]["id"] == user.pk
    else:
        assert response.json()["code"] == "not_allowed"
        assert not Measurement.objects.exists()


def test_recording_a_second_value_for_a_period_is_a_409(api_client_for, steward, kpi):
    MeasurementFactory(kpi=kpi, period=date(2026, 10, 1))
    data = {"kpi": kpi.pk, "period": "2026-10-20", "value": "1"}
    response = api_client_for(steward).post("/api/v1/measurements/", data, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Measurement.objects.count() == 1


def test_measurement_list_is_cursor_paginated_and_filtered(api_client_for, member, kpi):
    other = KpiFactory()
    for month in range(1, 11):
        MeasurementFactory(kpi=kpi, period=date(2026, month, 1))
    MeasurementFactory(kpi=other, period=date(2026, 1, 1))
    client = api_client_for(member)
    first = client.get("/api/v1/measurements/?page_size=4").json()
    assert len(first["results"]) == 4 and first["next"]
    assert first["results"][0]["kpi"] == other.pk  # newest entry first
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 4
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}

    def periods(query):
        body = client.get(f"/api/v1/measurements/?{query}").json()
        return sorted(r["period"] for r in body["results"])

    assert len(periods(f"kpi={kpi.pk}")) == 10
    assert periods(f"touchpoint={other.touchpoint_id}") == ["2026-01-01"]
    assert periods(f"kpi={kpi.pk}&period_after=2026-09-01&period_before=2026-10-01") == [
        "2026-09-01",
        "2026-10-01",
    ]
    oldest = client.get("/api/v1/measurements/?ordering=id").json()["results"][0]
    assert oldest["period"] == "2026-01-01" and oldest["kpi"] == kpi.pk


def test_measurement_list_query_count_is_constant(api_client_for, member):
    client = api_client_for(member)
    _make_touchpoints(3)
    small, body = _count(client, "/api/v1/measurements/")
    assert len(body["results"]) == 3
    _make_touchpoints(27)
    large, body = _count(client, "/api/v1/measurements/")
    assert len(body["results"]) == 30
    assert small == large == 1  # a cursor page needs no count


# --- Bulk: all or nothing -------------------------------------------------------------------------


def test_bulk_records_every_row(api_client_for, steward, kpi, touchpoint):
    second = KpiFactory(touchpoint=touchpoint, name="Bounce rate")
    rows = [
        {"kpi": kpi.pk, "period": "2026-09-01", "value": "81.5", "source": "CRM"},
        {"kpi": kpi.pk, "period": "2026-10-01", "value": "83"},
        {"kpi": second.pk, "period": "2026-10-01", "value": "4.2"},
    ]
    response = api_client_for(steward).post(
        "/api/v1/measurements/bulk/", {"measurements": rows}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()) == 3
    assert Measurement.objects.count() == 3
    assert AuditEvent.objects.filter(verb="measurements.imported").count() == 2


def test_bulk_with_bad_rows_records_nothing_and_says_which(api_client_for, steward, kpi):
    MeasurementFactory(kpi=kpi, period=date(2026, 8, 1))
    rows = [
        {"kpi": kpi.pk, "period": "2026-09-01", "value": "81.5"},
        {"kpi": 999999, "period": "2026-10-01", "value": "83"},
        {"kpi": kpi.pk, "period": "2026-08-15", "value": "70"},
        {"kpi": kpi.pk, "period": "2026-09-20", "value": "71"},
    ]
    before = AuditEvent.objects.count()
    response = api_client_for(steward).post(
        "/api/v1/measurements/bulk/", {"measurements": rows}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "nothing was" in body["detail"]
    reasons = {row["index"]: row["reason"] for row in body["errors"]["rows"]}
    assert set(reasons) == {1, 2, 3}
    assert reasons[1] == "there is no KPI 999999"
    assert "already has a value for 2026-08-01" in reasons[2]
    assert "second value for 2026-09-01" in reasons[3]
    assert Measurement.objects.count() == 1
    assert AuditEvent.objects.count() == before


def test_bulk_shape_errors_are_reported_by_row(api_client_for, steward, kpi):
    rows = [
        {"kpi": kpi.pk, "period": "2026-09-01", "value": "81.5"},
        {"kpi": kpi.pk, "period": "someday", "value": "eighty"},
    ]
    response = api_client_for(steward).post(
        "/api/v1/measurements/bulk/", {"measurements": rows}, format="json"
    )
    assert response.status_code == 400
    (row,) = response.json()["errors"]["rows"]
    assert row["index"] == 1
    assert "period:" in row["reason"] and "value:" in row["reason"]
    assert not Measurement.objects.exists()


def test_bulk_needs_a_list_of_rows(api_client_for, steward):
    client = api_client_for(steward)
    not_rows = client.post("/api/v1/measurements/bulk/", {"measurements": [1]}, format="json")
    assert not_rows.json()["errors"]["rows"][0] == {
        "index": 0,
        "reason": "Invalid data. Expected a dictionary, but got int.",
    }
    for payload in ({}, {"measurements": []}, {"measurements": "x"}):
        response = client.post("/api/v1/measurements/bulk/", payload, format="json")
        assert response.status_code == 400
        assert "measurements" in response.json()["errors"]


def test_bulk_by_someone_who_may_record_none_is_a_403(api_client_for, member, kpi):
    rows = [{"kpi": kpi.pk, "period": "2026-09-01", "value": "81.5"}]
    response = api_client_for(member).post(
        "/api/v1/measurements/bulk/", {"measurements": rows}, format="json"
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "not_allowed"
    assert body["errors"]["rows"][0]["index"] == 0
    assert not Measurement.objects.exists()
