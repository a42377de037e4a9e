"""Recording measurements: all or nothing, every bad row reported with its reason."""

from datetime import date
from decimal import Decimal

import pytest

from engagement.audit.models import AuditEvent
from engagement.core.errors import Conflict, Invalid, NotAllowed
from touchpoints.imports import import_measurements
from touchpoints.models import Measurement
from touchpoints.services import (
    MeasurementRow,
    RowsRejected,
    measurement_record,
    measurements_record,
)
from touchpoints.tests.factories import KpiFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi(admin_user):
    return KpiFactory()


def test_steward_records_a_value_moved_to_the_start_of_its_period(kpi):
    steward = kpi.touchpoint.data_steward
    m = measurement_record(actor=steward, kpi=kpi, period="2026-10-17", value="81.5", source="CRM")
    assert (m.period, m.value, m.entered_by) == (date(2026, 10, 1), Decimal("81.5"), steward)
    assert AuditEvent.objects.get().verb == "measurement.recorded"


def test_second_value_for_a_period_is_a_conflict(kpi, admin_user):
    MeasurementFactory(kpi=kpi, period=date(2026, 10, 1))
    with pytest.raises(Conflict):
        measurement_record(actor=admin_user, kpi=kpi, period="2026-10-05", value="1")


def test_someone_else_may_not_record(kpi, member):
    with pytest.raises(NotAllowed):
        measurement_record(actor=member, kpi=kpi, period="2026-10-01", value="1")
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "1e12", ""])
def test_value_must_be_a_finite_number(kpi, admin_user, value):
    with pytest.raises(Invalid):
        measurement_record(actor=admin_user, kpi=kpi, period="2026-10-01", value=value)


def test_a_batch_with_bad_rows_records_nothing_and_names_every_bad_row(kpi, admin_user):
    MeasurementFactory(kpi=kpi, period=date(2026, 1, 1))
    rows = [
        MeasurementRow(kpi.pk, "2026-02-01", "80", line=2),
        MeasurementRow(kpi.pk, "2026-13-01", "80", line=3),
        MeasurementRow(999999, "2026-03-01", "80", line=4),
        MeasurementRow(kpi.pk, "2026-01-20", "80", line=5),
        MeasurementRow(kpi.pk, "2026-02-14", "81", line=6),
        MeasurementRow(kpi.pk, "2026-04-01", "eighty", line=7),
    ]
    with pytest.raises(RowsRejected) as exc:
        measurements_record(actor=admin_user, rows=rows)
    lines = dict(exc.value.errors)
    assert set(lines) == {3, 4, 5, 6, 7}
    assert "is not a date" in lines[3]
    assert "there is no KPI 999999" in lines[4]
    assert "already has a value for 2026-01-01" in lines[5]
    assert "second value for 2026-02-01 (line 2)" in lines[6]
    assert "is not a number" in lines[7]
    assert Measurement.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_csv_import_all_or_nothing(kpi, admin_user):
    good = f"kpi_id,period,value,source\n{kpi.pk},2026-01-01,80,pack\n{kpi.pk},2026-02-01,82,pack\n"
    recorded = import_measurements(actor=admin_user, data=good.encode())
    assert len(recorded) == 2
    assert AuditEvent.objects.get().verb == "measurements.imported"

    bad = (
        f"kpi_id,period,value\n{kpi.pk},2026-03-01,80\n{kpi.pk},2026-01-01,80\n,,\nx,2026-04-01,1\n"
    )
    with pytest.raises(RowsRejected) as exc:
        import_measurements(actor=admin_user, data=bad.encode())
    assert [line for line, _ in exc.value.errors] == [3, 5]
    assert Measurement.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"kpi,when,amount\n1,2026-01-01,3\n", "missing: kpi_id, period, value"),
        (b"kpi_id,period,value\n", "no rows"),
        (b"\xff\xfe\x00\x00binary\x00", "not"),
    ],
)
def test_csv_file_problems_are_explained(admin_user, data, says):
    with pytest.raises(Invalid) as exc:
        import_measurements(actor=admin_user, data=data)
    assert says in str(exc.value)


def test_semicolon_separated_file_from_a_spreadsheet(kpi, admin_user):
    data = f"\ufeffKPI_ID;Period;Value;Source\n{kpi.pk};2026-05-01;79.5;Excel\n".encode()
    (m,) = import_measurements(actor=admin_user, data=data)
    assert m.value == Decimal("79.5")
