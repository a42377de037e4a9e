"""Importing measurements from CSV, by the command and by the upload page: all or nothing,
and every bad line reported with the reason."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from engagement.audit.models import AuditEvent
from engagement.org.tests.factories import UserFactory
from touchpoints.models import Measurement
from touchpoints.tests.factories import KpiFactory, MeasurementFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("touchpoints:measurement_import")


@pytest.fixture
def steward(db):
    return UserFactory(username="steward")


@pytest.fixture
def kpis(steward):
    touchpoint = TouchpointFactory(data_steward=steward)
    return KpiFactory(touchpoint=touchpoint), KpiFactory(touchpoint=touchpoint)


def _good_file(kpis):
    a, b = kpis
    return (
        "kpi_id,period,value,source,note\n"
        f"{a.pk},2026-09-01,81.5,CRM,for people\n"
        f"{a.pk},2026-10-12,83,CRM,\n"
        f"{b.pk},2026-10-01,4.2,,\n"
    )


def _bad_file(kpis):
    a, _b = kpis
    return (
        "kpi_id,period,value,source\n"
        f"{a.pk},2026-09-01,81.5,CRM\n"  # line 2: fine on its own
        "999999,2026-10-01,3,CRM\n"  # line 3: no such KPI
        f"{a.pk},someday,4,CRM\n"  # line 4: not a date
        f"{a.pk},2026-10-01,lots,CRM\n"  # line 5: not a number
        f"{a.pk},2026-09-20,80,CRM\n"  # line 6: second value for September
        f"{a.pk},2026-07-01,80,CRM\n"  # line 7: July already recorded
    )


def _write(tmp_path, text):
    path = tmp_path / "values.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- The command ----------------------------------------------------------------------------------


def test_command_imports_a_good_file(tmp_path, capsys, steward, kpis):
    call_command("import_measurements", _write(tmp_path, _good_file(kpis)), "--as", "steward")
    assert "Recorded 3 values for 2 KPIs as steward." in capsys.readouterr().out
    assert Measurement.objects.count() == 3
    assert set(Measurement.objects.values_list("entered_by", flat=True)) == {steward.pk}
    assert Measurement.objects.filter(period=date(2026, 10, 1), value=Decimal("83")).exists()


def test_command_reports_every_bad_line_and_imports_nothing(tmp_path, capsys, steward, kpis):
    MeasurementFactory(kpi=kpis[0], period=date(2026, 7, 1))
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="5 lines cannot be recorded; nothing was imported"):
        call_command("import_measurements", _write(tmp_path, _bad_file(kpis)), "--as", "steward")
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "line 3: there is no KPI 999999",
        "line 4: period 'someday' is not a date (YYYY-MM-DD)",
        "line 5: value 'lots' is not a number",
        f"line 6: KPI {kpis[0].pk} has a second value for 2026-09-01 (line 2)",
        f"line 7: KPI {kpis[0].pk} already has a value for 2026-07-01",
    ]
    assert Measurement.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_command_defaults_to_the_only_superuser(tmp_path, capsys, admin_user, kpis):
    call_command("import_measurements", _write(tmp_path, _good_file(kpis)))
    assert "as admin" in capsys.readouterr().out
    assert Measurement.objects.filter(entered_by=admin_user).count() == 3


def test_command_needs_as_without_a_single_superuser(tmp_path, kpis, admin_user):
    path = _write(tmp_path, _good_file(kpis))
    UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(CommandError, match="--as"):
        call_command("import_measurements", path)
    with pytest.raises(CommandError, match="no active person with username 'nobody'"):
        call_command("import_measurements", path, "--as", "nobody")
    assert not Measurement.objects.exists()


def test_command_refuses_someone_who_may_not_record(tmp_path, capsys, member, kpis):
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_measurements", _write(tmp_path, _good_file(kpis)), "--as", member.username
        )
    assert "you may not record values" in capsys.readouterr().err
    assert not Measurement.objects.exists()


def test_command_refuses_a_file_that_is_not_such_a_csv(tmp_path, steward):
    with pytest.raises(CommandError, match="missing: kpi_id"):
        call_command("import_measurements", _write(tmp_path, "a,b\n1,2\n"), "--as", "steward")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_measurements", str(tmp_path / "absent.csv"), "--as", "steward")


# --- The upload page ------------------------------------------------------------------------------


def _upload(client, text, name="values.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, text.encode(), "text/csv")})


def test_page_lists_the_kpis_one_may_record(client, steward, kpis):
    KpiFactory()  # someone else's
    client.force_login(steward)
    response = client.get(IMPORT)
    assert response.status_code == 200
    assert {k.pk for k in response.context["kpis"]} == {k.pk for k in kpis}


def test_page_imports_a_good_file(client, steward, kpis):
    client.force_login(steward)
    response = _upload(client, _good_file(kpis))
    assert response.status_code == 302
    assert Measurement.objects.count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Recorded 3 values for 2 KPIs." in page


def test_page_shows_every_bad_line_and_imports_nothing(client, steward, kpis):
    MeasurementFactory(kpi=kpis[0], period=date(2026, 7, 1))
    client.force_login(steward)
    response = _upload(client, _bad_file(kpis))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported: 5 lines cannot be recorded" in page
    assert [line for line, _reason in response.context["rejected"]] == [3, 4, 5, 6, 7]
    assert "there is no KPI 999999" in page
    assert "value &#x27;lots&#x27; is not a number" in page
    assert Measurement.objects.count() == 1


@pytest.mark.parametrize("role", ["member", "executive", "function_owner", "outsider"])
def test_page_refuses_those_who_may_not_record(client, request, kpis, role):
    client.force_login(request.getfixturevalue(role))
    response = _upload(client, _good_file(kpis))
    assert response.status_code == 403
    assert "you may not record values" in response.content.decode()
    assert not Measurement.objects.exists()


def test_page_refuses_a_file_that_is_not_csv(client, steward):
    client.force_login(steward)
    response = _upload(client, "")
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    response = _upload(client, "name,score\nx,1\n")
    assert response.status_code == 400
    assert "missing: kpi_id, period, value" in response.context["form"].errors["file"][0]
    assert not Measurement.objects.exists()
