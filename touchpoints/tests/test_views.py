"""The touchpoint pages: the list (filters, htmx, export), a touchpoint's page with its health
and charts, and the forms, each refusing those the services refuse."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagement.core.panels import Panel
from engagement.org.tests.factories import UserFactory
from touchpoints import panels
from touchpoints.models import Measurement, Touchpoint
from touchpoints.tests.factories import (
    ChannelFactory,
    JourneyStageFactory,
    KpiFactory,
    MeasurementFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("touchpoints:touchpoint_list")
EXPORT = reverse("touchpoints:touchpoint_export")


@pytest.fixture
def steward(db):
    return UserFactory(first_name="Dana", last_name="Steward")


@pytest.fixture
def touchpoint(steward):
    return TouchpointFactory(name="Online checkout", data_steward=steward, segment="consumers")


@pytest.fixture
def kpi(touchpoint):
    return KpiFactory(touchpoint=touchpoint, name="Conversion rate", target=Decimal("80"))


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _rows(response):
    return [tp.name for tp, _health in response.context["rows"]]


# --- The list -------------------------------------------------------------------------------------


def test_list_shows_touchpoints_with_health_in_words(client, member, touchpoint):
    client.force_login(member)
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Online checkout" in page
    ((_tp, health),) = response.context["rows"]
    assert f"{health.score}</span>" in page
    assert str(health.band_label) in page
    assert "Dana Steward" in page


def test_archived_touchpoints_are_hidden_unless_asked_for(client, member, touchpoint):
    TouchpointFactory(name="Old leaflet", is_archived=True)
    client.force_login(member)
    assert _rows(client.get(LIST)) == ["Online checkout"]
    assert _rows(client.get(LIST + "?archived=true")) == ["Old leaflet"]
    assert sorted(_rows(client.get(LIST + "?archived=all"))) == ["Old leaflet", "Online checkout"]


def test_list_filters_search_and_sort(client, member, touchpoint, steward):
    store = ChannelFactory(name="Store")
    consider = JourneyStageFactory(name="Consider", position=0)
    TouchpointFactory(name="Shelf talker", channel=store, stage=consider, priority="critical")
    TouchpointFactory(name="Price tag", channel=store, priority="low", description="shelf edge")
    client.force_login(member)
    assert _rows(client.get(LIST + "?channel=store&ordering=name")) == ["Price tag", "Shelf talker"]
    assert _rows(client.get(LIST + "?stage=consider")) == ["Shelf talker"]
    assert sorted(_rows(client.get(LIST + "?q=shelf"))) == ["Price tag", "Shelf talker"]
    assert _rows(client.get(LIST + f"?steward={steward.pk}")) == ["Online checkout"]
    assert _rows(client.get(LIST + "?priority=low")) == ["Price tag"]
    assert _rows(client.get(LIST + "?ordering=priority")) == [
        "Shelf talker",
        "Online checkout",
        "Price tag",
    ]
    # Journey order by default: the stage at position 0 comes first.
    assert _rows(client.get(LIST))[0] == "Shelf talker"


def test_list_paginates_and_keeps_the_filters(client, member):
    store = ChannelFactory(name="Store")
    for n in range(55):
        TouchpointFactory(name=f"Shelf {n:02}", channel=store)
    client.force_login(member)
    response = client.get(LIST + "?channel=store")
    assert len(response.context["rows"]) == 50
    page = response.content.decode()
    assert "?channel=store&amp;page=2" in page
    assert len(client.get(LIST + "?channel=store&page=2").context["rows"]) == 5


def test_htmx_filter_returns_only_the_results(client, member, touchpoint):
    client.force_login(member)
    headers = {"HX-Request": "true", "HX-Target": "touchpoint-results"}
    response = client.get(LIST + "?q=checkout", headers=headers)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="touchpoint-results"' in body
    assert "Online checkout" in body
    assert 'hx-swap-oob="innerHTML:#touchpoint-status"' in body
    assert "HX-Request" in response["Vary"]
    # Without htmx (or restoring history) the whole page comes back.
    assert "<html" in client.get(LIST + "?q=checkout").content.decode()
    restore = {**headers, "HX-History-Restore-Request": "true"}
    assert "<html" in client.get(LIST, headers=restore).content.decode()


def test_list_page_query_count_is_constant(client, member):
    client.force_login(member)

    def populate(n):
        for _ in range(n):
            k = KpiFactory(touchpoint=TouchpointFactory(data_steward=UserFactory()))
            MeasurementFactory(kpi=k)

    populate(3)
    small = _queries(client, LIST)
    populate(27)
    large = _queries(client, LIST)
    assert small == large


# --- CSV export -----------------------------------------------------------------------------------


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_export_honours_the_filters_and_has_the_health(client, member, touchpoint):
    TouchpointFactory(name="Shelf", channel=ChannelFactory(name="Store"))
    TouchpointFactory(name="Old leaflet", is_archived=True)
    TouchpointFactory(name="=HYPERLINK()", channel=ChannelFactory(name="Store"))
    client.force_login(member)
    header, *rows = _csv(client.get(EXPORT + "?channel=web"))
    assert "health score" in header and "health" in header
    assert [row[1] for row in rows] == ["Online checkout"]  # archived left out by default
    score = int(rows[0][header.index("health score")])
    assert 0 <= score <= 100
    _, *store_rows = _csv(client.get(EXPORT + "?channel=store&ordering=name"))
    # A name that would run as a spreadsheet formula is exported as text.
    assert [row[1] for row in store_rows] == ["'=HYPERLINK()", "Shelf"]
    _, *all_rows = _csv(client.get(EXPORT + "?archived=all"))
    assert len(all_rows) == 4


# --- One touchpoint -------------------------------------------------------------------------------


@time_machine.travel(date(2026, 11, 15))
def test_detail_explains_the_health_and_draws_each_kpi(client, member, touchpoint, kpi):
    for month, value in [(8, "85"), (9, "75"), (10, "60")]:
        MeasurementFactory(kpi=kpi, period=date(2026, month, 1), value=Decimal(value))
    KpiFactory(touchpoint=touchpoint, name="Never measured")
    client.force_login(member)
    response = client.get(touchpoint.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    health = response.context["health"]
    reasons = [p.reason for p in health.penalties]
    assert "Conversion rate is off target: 60 % against 80 %" in reasons
    assert "Never measured has never been measured" in reasons
    for reason in reasons:
        assert reason in page
    assert "How the score is made" in page
    assert page.count('role="img"') == 2
    assert "<figcaption" in page and "<title" in page
    assert "Oct 2026" in page and "Off target" in page
    history = reverse(
        "audit:object_history",
        kwargs={"app_label": "touchpoints", "model_name": "touchpoint", "object_id": touchpoint.pk},
    )
    assert history in page
    # Only the steward and administrators are offered the measurement form.
    new_value = reverse("touchpoints:measurement_create", args=[kpi.pk])
    assert new_value not in page


def test_detail_offers_the_steward_to_record_and_edit(client, steward, touchpoint, kpi):
    client.force_login(steward)
    page = client.get(touchpoint.get_absolute_url()).content.decode()
    assert reverse("touchpoints:measurement_create", args=[kpi.pk]) in page
    assert reverse("touchpoints:touchpoint_edit", args=[touchpoint.pk]) in page


def test_detail_renders_the_panels_of_higher_apps(client, member, touchpoint, monkeypatch):
    monkeypatch.setitem(
        panels.touchpoint_page.panels,
        "test",
        Panel("test", 99, lambda request, tp: f"<section id='test-panel'>{tp.pk}</section>"),
    )
    client.force_login(member)
    page = client.get(touchpoint.get_absolute_url()).content.decode()
    assert f"<section id='test-panel'>{touchpoint.pk}</section>" in page


@pytest.mark.parametrize(
    "url_name",
    ["touchpoints:touchpoint_detail", "touchpoints:touchpoint_edit"],
)
def test_unknown_touchpoint_is_a_404(client, member, url_name):
    client.force_login(member)
    assert client.get(reverse(url_name, args=[999999])).status_code == 404


def test_unknown_kpi_is_a_404(client, admin_user):
    client.force_login(admin_user)
    url = reverse("touchpoints:measurement_create", args=[999999])
    assert client.get(url).status_code == 404
    assert client.post(url, {"period": "2026-10-01", "value": "1"}).status_code == 404


def test_detail_query_count_does_not_grow_with_kpis(client, member):
    client.force_login(member)

    def touchpoint_with(n):
        tp = TouchpointFactory(data_steward=UserFactory())
        for _ in range(n):
            k = KpiFactory(touchpoint=tp)
            for month in (8, 9, 10):
                MeasurementFactory(kpi=k, period=date(2026, month, 1))
        return tp

    small = _queries(client, touchpoint_with(3).get_absolute_url())
    large = _queries(client, touchpoint_with(30).get_absolute_url())
    assert small == large


# --- Adding and changing touchpoints --------------------------------------------------------------


def _touchpoint_form(**overrides):
    stage = JourneyStageFactory(name="Buy")
    channel = ChannelFactory(name="Web")
    data = {
        "name": "Sign-up page",
        "description": "",
        "stage": stage.pk,
        "channel": channel.pk,
        "segment": "",
        "priority": "high",
        "status": "planned",
        "data_steward": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin_user", True),
        ("executive", True),
        ("function_owner", False),
        ("member", False),
        ("outsider", False),
    ],
)
def test_who_may_add_a_touchpoint(client, request, role, allowed):
    user = request.getfixturevalue(role)
    client.force_login(user)
    url = reverse("touchpoints:touchpoint_create")
    page = client.get(url)
    assert page.status_code == (200 if allowed else 403)
    assert ('<form class="panel form-panel"' in page.content.decode()) is allowed
    response = client.post(url, _touchpoint_form())
    if allowed:
        created = Touchpoint.objects.get(name="Sign-up page")
        assert response.status_code == 302
        assert response["Location"] == created.get_absolute_url()
    else:
        assert response.status_code == 403
        assert not Touchpoint.objects.exists()


def test_a_refused_touchpoint_keeps_what_was_typed(client, executive, touchpoint):
    client.force_login(executive)
    data = _touchpoint_form(name="Online checkout", description="typed by hand")
    data["stage"], data["channel"] = touchpoint.stage_id, touchpoint.channel_id
    response = client.post(reverse("touchpoints:touchpoint_create"), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "already exists in this stage and channel" in page
    assert "typed by hand" in page
    assert Touchpoint.objects.count() == 1


def test_retired_stage_is_refused_next_to_the_field(client, executive):
    client.force_login(executive)
    data = _touchpoint_form()
    retired = JourneyStageFactory(name="Bond", is_active=False)
    data["stage"] = retired.pk
    response = client.post(reverse("touchpoints:touchpoint_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["stage"]
    assert not Touchpoint.objects.exists()


def test_steward_edits_without_the_archive_switch(client, steward, touchpoint):
    client.force_login(steward)
    url = reverse("touchpoints:touchpoint_edit", args=[touchpoint.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "is_archived" not in page.context["form"].fields
    data = _touchpoint_form(name="Checkout", data_steward=steward.pk)
    data["stage"], data["channel"] = touchpoint.stage_id, touchpoint.channel_id
    response = client.post(url, data)
    assert response.status_code == 302
    touchpoint.refresh_from_db()
    assert touchpoint.name == "Checkout"
    assert touchpoint.priority == "high"


def test_edit_keeps_a_retired_stage_that_is_not_changed(client, executive, touchpoint):
    touchpoint.stage.is_active = False
    touchpoint.stage.save()
    client.force_login(executive)
    url = reverse("touchpoints:touchpoint_edit", args=[touchpoint.pk])
    data = _touchpoint_form(name="Checkout", is_archived="on")
    data["stage"], data["channel"] = touchpoint.stage_id, touchpoint.channel_id
    assert client.post(url, data).status_code == 302
    touchpoint.refresh_from_db()
    assert (touchpoint.name, touchpoint.is_archived) == ("Checkout", True)


@pytest.mark.parametrize("role", ["member", "function_owner", "outsider"])
def test_others_may_not_edit(client, request, touchpoint, role):
    client.force_login(request.getfixturevalue(role))
    url = reverse("touchpoints:touchpoint_edit", args=[touchpoint.pk])
    assert client.get(url).status_code == 403
    data = _touchpoint_form(name="Hijacked")
    data["stage"], data["channel"] = touchpoint.stage_id, touchpoint.channel_id
    assert client.post(url, data).status_code == 403
    touchpoint.refresh_from_db()
    assert touchpoint.name == "Online checkout"


# --- Recording a measurement ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin_user", True), ("steward", True), ("executive", False), ("member", False)],
)
def test_who_may_record_a_value(client, request, kpi, role, allowed):
    client.force_login(request.getfixturevalue(role))
    url = reverse("touchpoints:measurement_create", args=[kpi.pk])
    page = client.get(url)
    assert page.status_code == (200 if allowed else 403)
    assert ('name="value"' in page.content.decode()) is allowed
    response = client.post(url, {"period": "2026-10-17", "value": "81.5", "source": "CRM"})
    if allowed:
        assert response.status_code == 302
        assert response["Location"].endswith(f"#kpi-{kpi.pk}")
        measurement = Measurement.objects.get()
        assert (measurement.period, measurement.value) == (date(2026, 10, 1), Decimal("81.5"))
    else:
        assert response.status_code == 403
        assert not Measurement.objects.exists()


def test_a_second_value_for_a_period_is_refused_and_kept(client, steward, kpi):
    MeasurementFactory(kpi=kpi, period=date(2026, 10, 1), value=Decimal("70"))
    client.force_login(steward)
    url = reverse("touchpoints:measurement_create", args=[kpi.pk])
    response = client.post(url, {"period": "2026-10-20", "value": "99.5", "source": "typed"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "already has a value for 2026-10-01" in page
    assert 'value="99.5"' in page
    assert Measurement.objects.count() == 1


def test_measurement_form_suggests_the_next_period(client, steward, kpi):
    MeasurementFactory(kpi=kpi, period=date(2026, 8, 1))
    client.force_login(steward)
    with time_machine.travel(date(2026, 11, 15)):
        form = client.get(reverse("touchpoints:measurement_create", args=[kpi.pk])).context["form"]
    assert form.initial["period"] == date(2026, 9, 1)


def test_a_retired_kpi_takes_no_values(client, steward, kpi):
    kpi.is_active = False
    kpi.save()
    client.force_login(steward)
    url = reverse("touchpoints:measurement_create", args=[kpi.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"period": "2026-10-01", "value": "1"}).status_code == 400
    assert not Measurement.objects.exists()
