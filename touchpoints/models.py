"""The touchpoint inventory and its fact base.

A *touchpoint* is a place where a customer meets the company (a sign-up page, a call-centre
script, an onboarding e-mail). It sits at one *journey stage* and in one *channel*. Each has
*KPIs* with a target, and a series of *measurements*, one value per KPI per period.
Touchpoints are archived, never deleted: rights, decisions and actions point at them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from touchpoints.querysets import (
    KpiQuerySet,
    MeasurementQuerySet,
    TouchpointQuerySet,
    VocabularyQuerySet,
)


class JourneyStage(models.Model):
    """A stage of the customer decision journey, in order (consider, evaluate, buy...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(
        _("position"), help_text=_("Order along the journey; lower comes first.")
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = VocabularyQuerySet.as_manager()

    class Meta:
        verbose_name = _("journey stage")
        verbose_name_plural = _("journey stages")
        ordering = ("position", "name")

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """A channel a touchpoint lives in (web, call centre, store...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = VocabularyQuerySet.as_manager()

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Touchpoint(models.Model):
    class Priority(models.TextChoices):
        CRITICAL = "critical", _("critical")
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ACTIVE = "active", _("active")
        RETIRED = "retired", _("retired")

    # Sort order of priorities, most urgent first (text choices would sort alphabetically).
    PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    stage = models.ForeignKey(
        JourneyStage, verbose_name=_("journey stage"), on_delete=models.PROTECT,
        related_name="touchpoints",
    )  # fmt: skip
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="touchpoints"
    )
    segment = models.CharField(
        _("customer segment"), max_length=100, blank=True,
        help_text=_("The customers this touchpoint serves, e.g. 'small business'."),
    )  # fmt: skip
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    data_steward = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("data steward"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="stewarded_touchpoints",
        help_text=_("Keeps the touchpoint's KPIs and measurements true."),
    )  # fmt: skip
    is_archived = models.BooleanField(
        _("archived"), default=False, help_text=_("Archive a touchpoint instead of deleting it.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TouchpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ("stage__position", "name")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "channel", "name"],
                name="touchpoints_unique_name_per_stage_channel",
                violation_error_message=_(
                    "A touchpoint with this name already exists in this stage and channel."
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "is_archived"], name="touchpoint_status_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("touchpoints:touchpoint_detail", kwargs={"pk": self.pk})

    @property
    def is_open_for_claims(self) -> bool:
        return not self.is_archived and self.status != self.Status.RETIRED


class Kpi(models.Model):
    """A key performance indicator of one touchpoint, with a target.

    Status of a value: *on target* when it meets the target; *at risk* when it misses the
    target but is within the at-risk threshold; *off target* beyond it. With no threshold,
    anything short of the target is off target. "Meets" follows the direction.
    """

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    class Period(models.TextChoices):
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")

    PERIOD_DAYS = {"weekly": 7, "monthly": 31, "quarterly": 92}

    touchpoint = models.ForeignKey(
        Touchpoint, verbose_name=_("touchpoint"), on_delete=models.PROTECT, related_name="kpis"
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, help_text=_("e.g. %, seconds, score"))
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    at_risk_threshold = models.DecimalField(
        _("at-risk threshold"), max_digits=14, decimal_places=4, null=True, blank=True,
        help_text=_(
            "The worst value still counted as at risk rather than off target. Below the "
            "target when higher is better, above it when lower is better."
        ),
    )  # fmt: skip
    period = models.CharField(
        _("measured"), max_length=10, choices=Period.choices, default=Period.MONTHLY
    )
    stale_after_periods = models.PositiveSmallIntegerField(
        _("stale after (periods)"), default=2, validators=[MinValueValidator(1)],
        help_text=_("With no measurement in this many periods the KPI is stale."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)

    objects = KpiQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ("touchpoint", "name")
        constraints = [
            models.UniqueConstraint(
                fields=["touchpoint", "name"],
                name="kpi_unique_name_per_touchpoint",
                violation_error_message=_("This touchpoint already has a KPI with this name."),
            ),
            models.CheckConstraint(
                condition=Q(at_risk_threshold__isnull=True)
                | Q(direction="higher", at_risk_threshold__lte=models.F("target"))
                | Q(direction="lower", at_risk_threshold__gte=models.F("target")),
                name="kpi_threshold_on_the_missing_side",
                violation_error_message=_(
                    "The at-risk threshold must lie below the target when higher is better, "
                    "and above it when lower is better."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def status_of(self, value: Decimal | None) -> str:
        """'on_target', 'at_risk' or 'off_target' for a value; 'no_data' for None."""
        if value is None:
            return "no_data"
        higher = self.direction == self.Direction.HIGHER
        if (value >= self.target) if higher else (value <= self.target):
            return "on_target"
        if self.at_risk_threshold is not None and (
            (value >= self.at_risk_threshold) if higher else (value <= self.at_risk_threshold)
        ):
            return "at_risk"
        return "off_target"


class Measurement(models.Model):
    """One value of a KPI for one period (the date the period starts)."""

    kpi = models.ForeignKey(
        Kpi, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="measurements"
    )
    period = models.DateField(_("period"), help_text=_("The first day of the period measured."))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the figure comes from.")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ("kpi", "-period")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period"],
                name="measurement_one_per_kpi_period",
                violation_error_message=_("This KPI already has a value for this period."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.name} {self.period:%Y-%m-%d}: {self.value}"
