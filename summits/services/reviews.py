"""The summit's record: the journey review with its evidence, and the capability plan.
Built by the chair and the participants until the summit is closed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from engagement.audit.services import record_event
from engagement.audit.snapshot import snapshot
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.validation import apply_changes, clean, save_or_conflict
from summits import permissions
from summits.models import Capability, JourneyReview, ReviewEvidence, Summit
from summits.services.common import (
    CAPABILITY_FIELDS,
    REVIEW_FIELDS,
    require_in_organisation,
    require_open_summit,
)
from touchpoints.models import Kpi, Measurement


def _require_reviewer(actor, summit: Summit) -> Summit:
    summit = Summit.objects.select_for_update().get(pk=summit.pk)
    if not permissions.can_review(actor, summit):
        raise NotAllowed(
            f"Only the chair and the participants of {summit} can work on its review and plan."
        )
    require_open_summit(summit)
    return summit


# --- Journey review ----------------------------------------------------------------------------


def _kpis_for(review: JourneyReview, kpis: Iterable) -> list[Kpi]:
    """The KPIs asked for as evidence. A retired KPI already captured may stay (it is what the
    summit saw), but is not newly added."""
    ids = {getattr(k, "pk", k) for k in kpis}
    found = list(Kpi.objects.filter(pk__in=ids).select_related("touchpoint"))
    if len(found) != len(ids):
        raise Invalid("One of the KPIs does not exist.", field="kpis")
    captured = set(review.evidence.values_list("kpi_id", flat=True)) if review.pk else set()
    for kpi in found:
        if not kpi.is_active and kpi.pk not in captured:
            raise Invalid(f"“{kpi.name}” is retired.", field="kpis")
        if review.touchpoint_id is not None and kpi.touchpoint_id != review.touchpoint_id:
            raise Invalid(
                f"“{kpi.name}” measures {kpi.touchpoint}, not {review.touchpoint}.", field="kpis"
            )
        if review.stage_id is not None and kpi.touchpoint.stage_id != review.stage_id:
            raise Invalid(
                f"“{kpi.name}” measures {kpi.touchpoint}, which is not at {review.stage}.",
                field="kpis",
            )
    return found


def _set_evidence(review: JourneyReview, kpis: list[Kpi]) -> None:
    """Keep the evidence already captured for KPIs still listed (its value is what the
    summit saw); capture the latest value of new ones; drop the ones no longer listed."""
    wanted = {kpi.pk: kpi for kpi in kpis}
    review.evidence.exclude(kpi__in=list(wanted)).delete()
    have = set(review.evidence.values_list("kpi_id", flat=True))
    new = [kpi for pk, kpi in wanted.items() if pk not in have]
    latest = {}
    for measurement in Measurement.objects.filter(kpi__in=[k.pk for k in new]).order_by(
        "kpi_id", "-period"
    ):
        latest.setdefault(measurement.kpi_id, measurement)
    now = timezone.now()
    rows = []
    for kpi in new:
        measurement = latest.get(kpi.pk)
        value = measurement.value if measurement else None
        rows.append(
            ReviewEvidence(
                review=review, kpi=kpi, value=value, target=kpi.target, captured_at=now,
                period=measurement.period if measurement else None,
                kpi_status=kpi.status_of(value),
            )
        )  # fmt: skip
    ReviewEvidence.objects.bulk_create(rows)


def _review_snapshot(review: JourneyReview) -> dict:
    data = snapshot(review, REVIEW_FIELDS)
    data["kpis"] = sorted(review.evidence.values_list("kpi_id", flat=True))
    return data


@transaction.atomic
def review_add(*, actor, summit: Summit, current_level: int, target_level: int, stage=None,
               touchpoint=None, notes: str = "", kpis: Iterable = ()) -> JourneyReview:  # fmt: skip
    """Review one journey stage or one touchpoint: current and target engagement (1 to 5), the
    KPIs as evidence (their latest values are copied now), notes."""
    summit = _require_reviewer(actor, summit)
    if (stage is None) == (touchpoint is None):
        raise Invalid("Review either a journey stage or a touchpoint.", field="stage")
    if touchpoint is not None and touchpoint.is_archived:
        raise Invalid(f"{touchpoint} is archived.", field="touchpoint")
    review = JourneyReview(
        summit=summit, stage=stage, touchpoint=touchpoint, current_level=current_level,
        target_level=target_level, notes=(notes or "").strip(), updated_by=actor,
    )  # fmt: skip
    clean(review)
    found = _kpis_for(review, kpis)
    save_or_conflict(review, f"This summit already reviews {stage or touchpoint}.")
    _set_evidence(review, found)
    record_event(actor=actor, verb="review.added", obj=review, after=_review_snapshot(review))
    return review


@transaction.atomic
def review_update(*, actor, review: JourneyReview, kpis: Iterable | None = None,
                  **changes) -> JourneyReview:  # fmt: skip
    """Change the levels or notes, or the evidence (``kpis``: the full list wanted)."""
    _require_reviewer(actor, review.summit)
    review = JourneyReview.objects.select_for_update().get(pk=review.pk)
    before = _review_snapshot(review)
    apply_changes(review, changes, ("current_level", "target_level", "notes"))
    review.updated_by = actor
    clean(review)
    review.save()
    if kpis is not None:
        _set_evidence(review, _kpis_for(review, kpis))
    after = _review_snapshot(review)
    if after != before:
        record_event(actor=actor, verb="review.updated", obj=review, before=before, after=after)
    return review


@transaction.atomic
def review_remove(*, actor, review: JourneyReview) -> None:
    _require_reviewer(actor, review.summit)
    review = JourneyReview.objects.select_for_update().get(pk=review.pk)
    record_event(actor=actor, verb="review.removed", obj=review, before=_review_snapshot(review))
    review.evidence.all().delete()
    review.delete()


# --- Capability plan ---------------------------------------------------------------------------


def _validate_capability(capability: Capability) -> None:
    names = [name.strip() for name in (capability.partners or "").split(",") if name.strip()]
    capability.partners = ", ".join(names)
    if capability.sourcing == Capability.Sourcing.INTERNAL and names:
        raise Invalid(
            "An internally sourced capability has no partners; choose “mixed” or clear them.",
            field="partners",
        )
    if capability.sourcing in (Capability.Sourcing.EXTERNAL, Capability.Sourcing.MIXED) and (
        not names
    ):
        raise Invalid("Name the external partner(s).", field="partners")
    clean(capability)
    require_in_organisation(capability.owner, "owner")


@transaction.atomic
def capability_add(*, actor, summit: Summit, area: str, sourcing: str, gap: int, owner,
                   partners: str = "", notes: str = "") -> Capability:  # fmt: skip
    """Plan one of the five capability areas: how it is sourced, the partners, the gap, the
    owner. One row per area."""
    summit = _require_reviewer(actor, summit)
    capability = Capability(
        summit=summit, area=area, sourcing=sourcing, gap=gap, owner=owner,
        partners=partners or "", notes=(notes or "").strip(),
    )  # fmt: skip
    _validate_capability(capability)
    save_or_conflict(
        capability, f"The plan already covers {capability.get_area_display()}; edit that row."
    )
    record_event(
        actor=actor, verb="capability.added", obj=capability,
        after=snapshot(capability, CAPABILITY_FIELDS),
    )  # fmt: skip
    return capability


@transaction.atomic
def capability_update(*, actor, capability: Capability, **changes) -> Capability:
    _require_reviewer(actor, capability.summit)
    capability = Capability.objects.select_for_update().get(pk=capability.pk)
    before = snapshot(capability, CAPABILITY_FIELDS)
    apply_changes(capability, changes, ("sourcing", "partners", "gap", "owner", "notes"))
    _validate_capability(capability)
    capability.save()
    after = snapshot(capability, CAPABILITY_FIELDS)
    if after != before:
        record_event(
            actor=actor, verb="capability.updated", obj=capability, before=before, after=after
        )
    return capability


@transaction.atomic
def capability_remove(*, actor, capability: Capability) -> None:
    _require_reviewer(actor, capability.summit)
    capability = Capability.objects.select_for_update().get(pk=capability.pk)
    record_event(
        actor=actor, verb="capability.removed", obj=capability,
        before=snapshot(capability, CAPABILITY_FIELDS),
    )  # fmt: skip
    capability.delete()
