"""The charter of decision rights: who may design, build, operate and update each touchpoint.

A *right assignment* says that one function holds one right on one touchpoint from a time
until a time. At most one assignment per (touchpoint, right) is active (no end) at once: a
partial unique constraint in the database guarantees it, whatever the concurrency.

A *claim* is a function's request for a right. On a vacant right it is granted at once (or
waits for approval when ``CHARTER_CLAIMS_NEED_APPROVAL`` is on); on a right another function
holds it opens a *conflict*, which is resolved by a decision that names the winner.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.querysets import AssignmentQuerySet, ClaimQuerySet, ConflictQuerySet


class Right(models.TextChoices):
    DESIGN = "design", _("design")
    BUILD = "build", _("build")
    OPERATE = "operate", _("operate")
    UPDATE = "update", _("update")


class RightAssignment(models.Model):
    class Source(models.TextChoices):
        CLAIM = "claim", _("claim granted on a vacant right")
        APPROVAL = "approval", _("claim approved")
        RESOLUTION = "resolution", _("conflict resolved")
        ADMIN = "admin", _("set by an administrator")

    class EndReason(models.TextChoices):
        RELEASED = "released", _("released by the holder")
        TRANSFERRED = "transferred", _("transferred by a conflict resolution")
        REVOKED = "revoked", _("revoked by an administrator")

    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", verbose_name=_("touchpoint"), on_delete=models.PROTECT,
        related_name="right_assignments",
    )  # fmt: skip
    right = models.CharField(_("right"), max_length=10, choices=Right.choices)
    function = models.ForeignKey(
        "org.Function", verbose_name=_("holding function"), on_delete=models.PROTECT,
        related_name="right_assignments",
    )  # fmt: skip
    accountable = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("accountable person"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="accountable_rights",
    )  # fmt: skip
    started_at = models.DateTimeField(_("held since"))
    ended_at = models.DateTimeField(_("held until"), null=True, blank=True)
    source = models.CharField(_("granted by"), max_length=12, choices=Source.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by person"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    claim = models.ForeignKey(
        "charter.Claim", verbose_name=_("claim"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="assignments",
    )  # fmt: skip
    end_reason = models.CharField(
        _("end reason"), max_length=12, choices=EndReason.choices, blank=True
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ended by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("right assignment")
        verbose_name_plural = _("right assignments")
        ordering = ("touchpoint", "right", "-started_at")
        constraints = [
            models.UniqueConstraint(
                fields=["touchpoint", "right"],
                condition=Q(ended_at__isnull=True),
                name="charter_one_active_holder_per_right",
                violation_error_message=_("This right already has an active holder."),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="charter_assignment_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["function", "ended_at"], name="charter_function_active_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.function} — {self.get_right_display()} — {self.touchpoint}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Claim(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        CONTESTED = "contested", _("contested: a conflict is open")
        GRANTED = "granted", _("granted")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN_STATUSES = (Status.PENDING, Status.CONTESTED)

    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", verbose_name=_("touchpoint"), on_delete=models.PROTECT,
        related_name="claims",
    )  # fmt: skip
    right = models.CharField(_("right"), max_length=10, choices=Right.choices)
    function = models.ForeignKey(
        "org.Function", verbose_name=_("for function"), on_delete=models.PROTECT,
        related_name="claims",
    )  # fmt: skip
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("claimed by"), on_delete=models.PROTECT,
        related_name="claims",
    )  # fmt: skip
    rationale = models.TextField(_("rationale"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["touchpoint", "right", "function"],
                condition=Q(status__in=["pending", "contested"]),
                name="charter_one_open_claim_per_function",
                violation_error_message=_("This function already has an open claim on the right."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.function} claims {self.get_right_display()} of {self.touchpoint}"

    def get_absolute_url(self) -> str:
        return reverse("charter:claim_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Conflict(models.Model):
    """Two functions want the same right. Opened by a claim on a held right.

    ``escalation_level`` and ``escalated_at`` belong to the escalation job: while a conflict
    stays open it climbs its ladder (board chair, then CEO) one rung at a time, and only the
    job writes them."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")
        WITHDRAWN = "withdrawn", _("withdrawn")

    claim = models.OneToOneField(
        Claim, verbose_name=_("claim"), on_delete=models.PROTECT, related_name="conflict"
    )
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", verbose_name=_("touchpoint"), on_delete=models.PROTECT,
        related_name="conflicts",
    )  # fmt: skip
    right = models.CharField(_("right"), max_length=10, choices=Right.choices)
    holder_function = models.ForeignKey(
        "org.Function", verbose_name=_("holding function"), on_delete=models.PROTECT,
        related_name="conflicts_as_holder",
    )  # fmt: skip
    claimant_function = models.ForeignKey(
        "org.Function", verbose_name=_("claiming function"), on_delete=models.PROTECT,
        related_name="conflicts_as_claimant",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    winner = models.ForeignKey(
        "org.Function", verbose_name=_("winner"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="conflicts_won",
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    # Written by the escalation job only (see the class docstring).
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation rung"), default=0, editable=False,
        help_text=_("The highest rung of the open-conflict ladder reached; 0 while not escalated."),
    )  # fmt: skip
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True, editable=False)

    objects = ConflictQuerySet.as_manager()

    class Meta:
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        ordering = ("-opened_at", "-id")
        indexes = [models.Index(fields=["status", "opened_at"], name="charter_conflict_open_idx")]

    def __str__(self) -> str:
        return (
            f"{self.claimant_function} vs {self.holder_function}: "
            f"{self.get_right_display()} of {self.touchpoint}"
        )

    def get_absolute_url(self) -> str:
        return reverse("charter:conflict_detail", kwargs={"pk": self.pk})
