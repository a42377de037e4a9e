"""Write use cases for touchpoints, KPIs and measurements.

Each service checks permission, validates (``full_clean`` plus domain rules), writes, and
records one audit event in the same transaction. Measurement imports are all-or-nothing:
every row is checked first and a file with any bad row is refused whole, with every bad line
and why.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Conflict, Invalid, NotAllowed
from engagement.core.validation import apply_changes, clean, save_or_conflict
from touchpoints import permissions
from touchpoints.health import period_start
from touchpoints.models import Channel, JourneyStage, Kpi, Measurement, Touchpoint

TOUCHPOINT_FIELDS = (
    "name", "description", "stage", "channel", "segment", "priority", "status",
    "data_steward", "is_archived",
)  # fmt: skip
KPI_FIELDS = (
    "touchpoint", "name", "unit", "direction", "target", "at_risk_threshold", "period",
    "stale_after_periods", "is_active",
)  # fmt: skip
MEASUREMENT_FIELDS = ("kpi", "period", "value", "source")
STAGE_FIELDS = ("name", "slug", "position", "description", "is_active")
CHANNEL_FIELDS = ("name", "slug", "description", "is_active")
_UNSET = object()


# --- Journey stages and channels --------------------------------------------------------------


def _require_vocabulary_manager(actor) -> None:
    if not permissions.can_manage_vocabulary(actor):
        raise NotAllowed("Only administrators can change journey stages and channels.")


@transaction.atomic
def stage_save(*, actor, stage: JourneyStage | None = None, **fields) -> JourneyStage:
    """Create a journey stage (``stage=None``) or change one."""
    _require_vocabulary_manager(actor)
    before = None
    if stage is None:
        stage = JourneyStage()
        fields.setdefault("slug", slugify(fields.get("name", "")))
        if "position" not in fields:
            last = JourneyStage.objects.order_by("-position").first()
            fields["position"] = (last.position + 1) if last else 1
    else:
        stage = JourneyStage.objects.select_for_update().get(pk=stage.pk)
        before = snapshot(stage, STAGE_FIELDS)
    apply_changes(stage, fields, STAGE_FIELDS)
    clean(stage)
    save_or_conflict(stage, f"A journey stage named {stage.name!r} already exists.")
    after = snapshot(stage, STAGE_FIELDS)
    if after != before:
        verb = "stage.created" if before is None else "stage.updated"
        record_event(actor=actor, verb=verb, obj=stage, before=before, after=after)
    return stage


@transaction.atomic
def channel_save(*, actor, channel: Channel | None = None, **fields) -> Channel:
    """Create a channel (``channel=None``) or change one."""
    _require_vocabulary_manager(actor)
    before = None
    if channel is None:
        channel = Channel()
        fields.setdefault("slug", slugify(fields.get("name", "")))
    else:
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        before = snapshot(channel, CHANNEL_FIELDS)
    apply_changes(channel, fields, CHANNEL_FIELDS)
    clean(channel)
    save_or_conflict(channel, f"A channel named {channel.name!r} already exists.")
    after = snapshot(channel, CHANNEL_FIELDS)
    if after != before:
        verb = "channel.created" if before is None else "channel.updated"
        record_event(actor=actor, verb=verb, obj=channel, before=before, after=after)
    return channel


# --- Touchpoints ------------------------------------------------------------------------------


def _check_references_active(changes: dict) -> None:
    if "stage" in changes and changes["stage"] is not None and not changes["stage"].is_active:
        raise Invalid(f"The journey stage {changes['stage']} is retired.", field="stage")
    if "channel" in changes and changes["channel"] is not None and not changes["channel"].is_active:
        raise Invalid(f"The channel {changes['channel']} is retired.", field="channel")
    steward = changes.get("data_steward")
    if steward is not None and not steward.is_active:
        raise Invalid(
            f"{steward} is deactivated and cannot be a data steward.", field="data_steward"
        )


@transaction.atomic
def touchpoint_create(*, actor, **fields) -> Touchpoint:
    """Add a touchpoint to the inventory. Administrators and executives."""
    if not permissions.can_manage_touchpoints(actor):
        raise NotAllowed("Only executives and administrators can add touchpoints.")
    touchpoint = Touchpoint()
    _check_references_active(fields)
    apply_changes(touchpoint, fields, set(TOUCHPOINT_FIELDS) - {"is_archived"})
    clean(touchpoint)
    save_or_conflict(
        touchpoint, "A touchpoint with this name already exists in this stage and channel."
    )
    record_event(
        actor=actor, verb="touchpoint.created", obj=touchpoint,
        after=snapshot(touchpoint, TOUCHPOINT_FIELDS),
    )  # fmt: skip
    return touchpoint


@transaction.atomic
def touchpoint_update(*, actor, touchpoint: Touchpoint, **changes) -> Touchpoint:
    """Change a touchpoint's facts. Its data steward, executives and administrators.

    Archiving (``is_archived=True``) is for executives and administrators only.
    """
    touchpoint = Touchpoint.objects.select_for_update().get(pk=touchpoint.pk)
    if not permissions.can_edit_touchpoint(actor, touchpoint):
        raise NotAllowed(
            "Only the touchpoint's data steward, executives and administrators can change it."
        )
    if "is_archived" in changes and not permissions.can_manage_touchpoints(actor):
        raise NotAllowed("Only executives and administrators can archive touchpoints.")
    before = snapshot(touchpoint, TOUCHPOINT_FIELDS)
    _check_references_active(changes)
    apply_changes(touchpoint, changes, TOUCHPOINT_FIELDS)
    clean(touchpoint)
    save_or_conflict(
        touchpoint, "A touchpoint with this name already exists in this stage and channel."
    )
    after = snapshot(touchpoint, TOUCHPOINT_FIELDS)
    if after != before:
        verb = "touchpoint.updated"
        if before["is_archived"] != after["is_archived"]:
            verb = "touchpoint.archived" if after["is_archived"] else "touchpoint.restored"
        record_event(actor=actor, verb=verb, obj=touchpoint, before=before, after=after)
    return touchpoint


# --- KPIs -------------------------------------------------------------------------------------


@transaction.atomic
def kpi_create(*, actor, touchpoint: Touchpoint, **fields) -> Kpi:
    if not permissions.can_edit_touchpoint(actor, touchpoint):
        raise NotAllowed(
            "Only the touchpoint's data steward, executives and administrators can add KPIs."
        )
    kpi = Kpi(touchpoint=touchpoint)
    apply_changes(kpi, fields, set(KPI_FIELDS) - {"touchpoint"})
    clean(kpi)
    save_or_conflict(kpi, f"{touchpoint} already has a KPI named {kpi.name!r}.")
    record_event(actor=actor, verb="kpi.created", obj=kpi, after=snapshot(kpi, KPI_FIELDS))
    return kpi


@transaction.atomic
def kpi_update(*, actor, kpi: Kpi, **changes) -> Kpi:
    kpi = Kpi.objects.select_for_update().select_related("touchpoint").get(pk=kpi.pk)
    if not permissions.can_edit_touchpoint(actor, kpi.touchpoint):
        raise NotAllowed(
            "Only the touchpoint's data steward, executives and administrators can change KPIs."
        )
    before = snapshot(kpi, KPI_FIELDS)
    apply_changes(kpi, changes, set(KPI_FIELDS) - {"touchpoint"})
    clean(kpi)
    save_or_conflict(kpi, f"{kpi.touchpoint} already has a KPI named {kpi.name!r}.")
    after = snapshot(kpi, KPI_FIELDS)
    if after != before:
        record_event(actor=actor, verb="kpi.updated", obj=kpi, before=before, after=after)
    return kpi


# --- Measurements -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementRow:
    """One value to record. ``line`` is where it came from (CSV line or list position)."""

    kpi_id: object
    period: object
    value: object
    source: str = ""
    line: int = 0


class RowError(ValueError):
    """Why one row cannot be recorded; ``code`` is not_allowed, conflict or invalid, and
    ``field`` the column at fault, when there is one."""

    def __init__(self, message: str, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.code = code
        self.field = field


class RowsRejected(Invalid):
    """A batch (API bulk or CSV import) with bad rows; nothing was recorded.

    ``errors`` lists (line, reason) for every bad row, in line order."""

    def __init__(
        self,
        errors: list[tuple[int, str]],
        codes: list[str] | None = None,
        fields: list[str | None] | None = None,
    ):
        self.errors = errors
        self.codes = codes or ["invalid"] * len(errors)
        self.fields = fields or [None] * len(errors)
        count = len(errors)
        super().__init__(
            f"{count} row{'s' if count != 1 else ''} cannot be recorded, so nothing was: "
            + "; ".join(f"line {line}: {reason}" for line, reason in errors[:5])
            + (" …" if count > 5 else "")
        )


def _parse_period(raw) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise RowError(f"period {raw!r} is not a date (YYYY-MM-DD)", field="period") from None


def _parse_value(raw) -> Decimal:
    if isinstance(raw, Decimal):
        value = raw
    else:
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise RowError(f"value {raw!r} is not a number", field="value") from None
    if not value.is_finite():
        raise RowError(f"value {raw!r} is not a finite number", field="value")
    if abs(value) >= Decimal("1e10"):
        raise RowError(f"value {raw!r} is too large", field="value")
    return value.quantize(Decimal("0.0001"))


def _parse_kpi_id(raw) -> int:
    try:
        return int(str(raw).strip())
    except ValueError:
        raise RowError(f"KPI id {raw!r} is not a number") from None


@transaction.atomic
def measurements_record(*, actor, rows: list[MeasurementRow]) -> list[Measurement]:
    """Record values, all or nothing.

    Every row is checked before anything is written: the KPI exists and is active, the
    actor may record for it, the period is a date (moved to the first day of the KPI's
    period), the value is a finite number, and the KPI has no value for that period yet,
    in the database or earlier in the batch. Any bad row refuses the whole batch with
    ``RowsRejected``, listing every bad row and why.

    One audit event per measurement for a single value; one per KPI for a batch.
    """
    if not rows:
        raise Invalid("There is nothing to record.")
    errors: list[tuple[int, str, str]] = []
    parsed = []
    kpi_ids = set()
    for row in rows:
        with contextlib.suppress(RowError):  # reported with the row below
            kpi_ids.add(_parse_kpi_id(row.kpi_id))
    kpis = {k.pk: k for k in Kpi.objects.select_related("touchpoint").filter(pk__in=kpi_ids)}
    for row in rows:
        try:
            kpi_id = _parse_kpi_id(row.kpi_id)
            kpi = kpis.get(kpi_id)
            if kpi is None:
                raise RowError(f"there is no KPI {kpi_id}")
            if not kpi.is_active:
                raise RowError(f"KPI {kpi_id} ({kpi.name}) is retired")
            if not permissions.can_record_measurement(actor, kpi):
                raise RowError(
                    f"you may not record values of KPI {kpi_id} ({kpi.name}); its touchpoint's "
                    "data steward or an administrator can",
                    code="not_allowed",
                )
            period = period_start(_parse_period(row.period), kpi.period)
            value = _parse_value(row.value)
            source = (row.source or "").strip()
            if len(source) > 200:
                raise RowError("source is longer than 200 characters")
            parsed.append((row.line, kpi, period, value, source))
        except RowError as exc:
            errors.append((row.line, str(exc), exc.code, exc.field))

    seen: dict[tuple[int, date], int] = {}
    for line, kpi, period, _value, _source in parsed:
        key = (kpi.pk, period)
        if key in seen:
            errors.append(
                (
                    line,
                    f"KPI {kpi.pk} has a second value for {period} (line {seen[key]})",
                    "invalid",
                    "period",
                )
            )
        else:
            seen[key] = line
    if seen:
        existing = Measurement.objects.filter(
            kpi_id__in={k for k, _ in seen}, period__in={p for _, p in seen}
        ).values_list("kpi_id", "period")
        for kpi_id, period in existing:
            if (kpi_id, period) in seen:
                errors.append(
                    (
                        seen[(kpi_id, period)],
                        f"KPI {kpi_id} already has a value for {period}",
                        "conflict",
                        "period",
                    )
                )
    if errors:
        errors.sort(key=lambda e: e[0])
        raise RowsRejected(
            [(line, msg) for line, msg, _, _ in errors],
            [code for _, _, code, _ in errors],
            [field for *_, field in errors],
        )

    measurements = [
        Measurement(kpi=kpi, period=period, value=value, source=source, entered_by=actor)
        for _line, kpi, period, value, source in parsed
    ]
    try:
        with transaction.atomic():
            Measurement.objects.bulk_create(measurements)
    except IntegrityError:
        raise Conflict(
            "Some of these values were recorded by someone else at the same moment; nothing "
            "was recorded. Reload and try again."
        ) from None
    if len(measurements) == 1:
        (m,) = measurements
        record_event(
            actor=actor, verb="measurement.recorded", obj=m,
            after=snapshot(m, MEASUREMENT_FIELDS),
        )  # fmt: skip
    else:
        by_kpi = defaultdict(list)
        for m in measurements:
            by_kpi[m.kpi].append(m)
        for kpi, ms in by_kpi.items():
            record_event(
                actor=actor, verb="measurements.imported", obj=kpi,
                after={
                    "count": len(ms),
                    "values": {m.period.isoformat(): str(m.value) for m in ms},
                },
            )  # fmt: skip
    return measurements


def measurement_record(*, actor, kpi: Kpi, period, value, source: str = "") -> Measurement:
    """Record one value (the UI's form and the API's single create)."""
    rows = [MeasurementRow(kpi_id=kpi.pk, period=period, value=value, source=source, line=1)]
    try:
        (measurement,) = measurements_record(actor=actor, rows=rows)
    except RowsRejected as exc:
        (_line, message), code, field = exc.errors[0], exc.codes[0], exc.fields[0]
        message = message.replace(f"KPI {kpi.pk}", kpi.name, 1)
        sentence = message[0].upper() + message[1:] + "."
        error_class = {"not_allowed": NotAllowed, "conflict": Conflict}.get(code, Invalid)
        raise error_class(sentence, field=field) from None
    return measurement
