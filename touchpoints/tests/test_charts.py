"""KPI charts: values in time order, target and threshold drawn where they belong, and a
summary in words for those who cannot see the picture."""

from datetime import date
from decimal import Decimal

from touchpoints.charts import format_value, kpi_chart, period_label
from touchpoints.models import Kpi, Measurement


def _kpi(**overrides):
    fields = {
        "name": "Conversion rate",
        "unit": "%",
        "direction": "higher",
        "target": Decimal("80"),
        "at_risk_threshold": Decimal("70"),
        "period": "monthly",
    }
    fields.update(overrides)
    return Kpi(**fields)


def _values(*pairs):
    return [Measurement(period=date(2026, m, 1), value=Decimal(v)) for m, v in pairs]


def test_points_are_in_time_order_with_status():
    kpi = _kpi()
    chart = kpi_chart(kpi, list(reversed(_values((8, "85"), (9, "75"), (10, "60")))))
    assert [p.label for p in chart.points] == ["Aug 2026", "Sep 2026", "Oct 2026"]
    assert [p.status for p in chart.points] == ["on_target", "at_risk", "off_target"]
    xs = [p.x for p in chart.points]
    assert xs == sorted(xs) and xs[0] == chart.left and xs[-1] == chart.right
    # Higher values are drawn higher (a smaller y), and the lines sit between them.
    ys = [p.y for p in chart.points]
    assert ys[0] < chart.target_y < ys[1] < chart.threshold_y < ys[2]
    assert all(chart.top <= y <= chart.bottom for y in ys)
    assert chart.summary == (
        "Conversion rate: 3 values from Aug 2026 to Oct 2026, between 60 and 85 %; "
        "latest 60 % against a target of 80 %."
    )
    assert (chart.target_label, chart.threshold_label) == ("80", "70")


def test_chart_without_values_still_shows_the_target():
    chart = kpi_chart(_kpi(at_risk_threshold=None), [])
    assert chart.points == []
    assert chart.threshold_y is None
    assert chart.top <= chart.target_y <= chart.bottom
    assert "no values yet" in chart.summary


def test_one_value_and_a_flat_series_are_drawn():
    kpi = _kpi(target=Decimal("5"), at_risk_threshold=None)
    (point,) = kpi_chart(kpi, _values((10, "5"))).points
    assert point.x == (kpi_chart(kpi, []).left + kpi_chart(kpi, []).right) / 2
    chart = kpi_chart(kpi, _values((9, "5"), (10, "5")))
    assert len({p.y for p in chart.points}) == 1
    assert len(chart.y_ticks) >= 3


def test_labels_and_numbers():
    assert format_value(Decimal("85.5000")) == "85.5"
    assert format_value(Decimal("80.0000")) == "80"
    assert format_value(None) == "—"
    assert period_label(date(2026, 4, 1), "quarterly") == "Q2 2026"
    assert period_label(date(2026, 4, 1), "monthly") == "Apr 2026"
    assert period_label(date(2026, 4, 6), "weekly") == "6 Apr 2026"
