"""Summits: where the senior team walks the customer decision journey and leaves with
commitments.

A *summit* has a chair, dates, a status (planning → held → closed) and *participants*, each
representing a function. Its record is a *journey review* (current and target engagement per
journey stage or touchpoint, with the KPI evidence as it stood), a *capability plan* for the
five capability areas, and *action items*. Closing a summit freezes its review, plan and
participants; its action items live on, followed up by a board.

An *action item* has an owner (a person and the function they act for), a due date, a
priority, a lifecycle (open → in progress → done; open or in progress → cancelled) and the
board that follows it up, in whose backlog it appears. Its *updates* are an append-only
timeline: progress notes, status changes, re-plans and the board decisions that closed or
re-planned it. Being overdue is not a status but a fact of the due date, so it is never stale.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagement.core.querysets import OpenToSignedInQuerySet
from summits.querysets import ActionItemQuerySet, SummitQuerySet

LEVEL_MESSAGE = _("Engagement levels run from 1 to 5.")
GAP_MESSAGE = _("The gap runs from 1 to 5.")


def _one_to_five_validators(message: str) -> list:
    # The field validators run before the check constraints in ``full_clean``: they carry the
    # same message, or the person would read Django's generic "Ensure this value is...".
    return [MinValueValidator(1, message=message), MaxValueValidator(5, message=message)]


LEVELS = _one_to_five_validators(LEVEL_MESSAGE)


def _one_to_five(field: str, name: str, message: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
        name=name,
        violation_error_message=message,
    )


class Summit(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", _("planning")
        HELD = "held", _("held")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("chair"), on_delete=models.PROTECT,
        related_name="chaired_summits",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = SummitQuerySet.as_manager()

    class Meta:
        verbose_name = _("summit")
        verbose_name_plural = _("summits")
        ordering = ("-starts_on", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="summits_summit_ends_after_it_starts",
                violation_error_message=_("A summit cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("summits:summit_detail", kwargs={"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Participant(models.Model):
    summit = models.ForeignKey(
        Summit, verbose_name=_("summit"), on_delete=models.PROTECT, related_name="participants"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
        related_name="summit_participations",
    )  # fmt: skip
    function = models.ForeignKey(
        "org.Function", verbose_name=_("represents"), on_delete=models.PROTECT,
        related_name="summit_participations",
    )  # fmt: skip
    note = models.CharField(
        _("role at the summit"), max_length=200, blank=True,
        help_text=_("e.g. facilitator, presents the service stage."),
    )  # fmt: skip

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ("summit", "function__name", "person__last_name", "person__first_name")
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "person"],
                name="summits_one_participation_per_person",
                violation_error_message=_("This person already takes part in this summit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.function})"


class JourneyReview(models.Model):
    """Current versus target engagement for one journey stage or one touchpoint."""

    summit = models.ForeignKey(
        Summit, verbose_name=_("summit"), on_delete=models.PROTECT, related_name="reviews"
    )
    stage = models.ForeignKey(
        "touchpoints.JourneyStage", verbose_name=_("journey stage"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="summit_reviews",
    )  # fmt: skip
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="summit_reviews",
    )  # fmt: skip
    current_level = models.PositiveSmallIntegerField(
        _("current engagement (1 to 5)"), validators=LEVELS
    )
    target_level = models.PositiveSmallIntegerField(
        _("target engagement (1 to 5)"), validators=LEVELS
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("journey review")
        verbose_name_plural = _("journey reviews")
        ordering = ("summit", "stage__position", "touchpoint__stage__position", "id")
        constraints = [
            models.CheckConstraint(
                condition=(Q(stage__isnull=False) & Q(touchpoint__isnull=True))
                | (Q(stage__isnull=True) & Q(touchpoint__isnull=False)),
                name="summits_review_of_a_stage_or_a_touchpoint",
                violation_error_message=_("Review either a journey stage or a touchpoint."),
            ),
            _one_to_five("current_level", "summits_review_current_1_to_5", LEVEL_MESSAGE),
            _one_to_five("target_level", "summits_review_target_1_to_5", LEVEL_MESSAGE),
            models.UniqueConstraint(
                fields=["summit", "stage"],
                condition=Q(stage__isnull=False),
                name="summits_one_review_per_stage",
                violation_error_message=_("This summit already reviews this journey stage."),
            ),
            models.UniqueConstraint(
                fields=["summit", "touchpoint"],
                condition=Q(touchpoint__isnull=False),
                name="summits_one_review_per_touchpoint",
                violation_error_message=_("This summit already reviews this touchpoint."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.stage or self.touchpoint)

    @property
    def gap(self) -> int:
        return self.target_level - self.current_level


class ReviewEvidence(models.Model):
    """A KPI the review rests on, with its value when it was added: later measurements do not
    rewrite what the summit saw."""

    review = models.ForeignKey(
        JourneyReview, verbose_name=_("review"), on_delete=models.CASCADE,
        related_name="evidence",
    )  # fmt: skip
    kpi = models.ForeignKey(
        "touchpoints.Kpi", verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(
        _("value then"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    period = models.DateField(_("period of the value"), null=True, blank=True)
    target = models.DecimalField(
        _("target then"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    kpi_status = models.CharField(_("KPI status then"), max_length=12, blank=True)
    captured_at = models.DateTimeField(_("captured at"), default=timezone.now)

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ("review", "kpi__name", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "kpi"],
                name="summits_one_evidence_per_kpi",
                violation_error_message=_("This KPI is already evidence for this review."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.name}: {self.value}"


class Capability(models.Model):
    """One row of the capability plan: how the company will get a capability it needs."""

    class Area(models.TextChoices):
        CONTENT = "content", _("content and communications")
        DATA = "data", _("data analysis and insights")
        INNOVATION = "innovation", _("product and service innovation")
        EXPERIENCE = "experience", _("customer-experience design and delivery")
        BRAND = "brand", _("brand, reputation and citizenship")

    class Sourcing(models.TextChoices):
        INTERNAL = "internal", _("internal")
        EXTERNAL = "external", _("external partner")
        MIXED = "mixed", _("mixed")

    summit = models.ForeignKey(
        Summit, verbose_name=_("summit"), on_delete=models.PROTECT, related_name="capabilities"
    )
    area = models.CharField(_("capability area"), max_length=12, choices=Area.choices)
    sourcing = models.CharField(_("sourced"), max_length=10, choices=Sourcing.choices)
    partners = models.CharField(
        _("partners"), max_length=300, blank=True,
        help_text=_("The external partners' names, separated by commas."),
    )  # fmt: skip
    gap = models.PositiveSmallIntegerField(
        _("gap (1 to 5)"), validators=_one_to_five_validators(GAP_MESSAGE),
        help_text=_("1: we have what we need; 5: we have almost nothing."),
    )  # fmt: skip
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="owned_capabilities",
    )  # fmt: skip
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("capability")
        verbose_name_plural = _("capability plan")
        ordering = ("summit", "area")
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "area"],
                name="summits_one_plan_row_per_area",
                violation_error_message=_("The plan already covers this capability area."),
            ),
            _one_to_five("gap", "summits_capability_gap_1_to_5", GAP_MESSAGE),
        ]

    def __str__(self) -> str:
        return self.get_area_display()

    @property
    def partner_names(self) -> list[str]:
        return [name.strip() for name in self.partners.split(",") if name.strip()]


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    class Priority(models.TextChoices):
        CRITICAL = "critical", _("critical")
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)
    # The lifecycle: which status may follow which. Nothing follows done or cancelled.
    NEXT_STATUSES = {
        Status.OPEN: (Status.IN_PROGRESS, Status.CANCELLED),
        Status.IN_PROGRESS: (Status.DONE, Status.CANCELLED),
        Status.DONE: (),
        Status.CANCELLED: (),
    }
    PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}

    summit = models.ForeignKey(
        Summit, verbose_name=_("summit"), on_delete=models.PROTECT, related_name="action_items"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="owned_action_items",
    )  # fmt: skip
    owner_function = models.ForeignKey(
        "org.Function", verbose_name=_("owner function"), on_delete=models.PROTECT,
        related_name="owned_action_items",
    )  # fmt: skip
    due_on = models.DateField(_("due on"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    touchpoints = models.ManyToManyField(
        "touchpoints.Touchpoint", verbose_name=_("touchpoints"), blank=True,
        related_name="action_items",
    )  # fmt: skip
    board = models.ForeignKey(
        "boards.Board", verbose_name=_("followed up by"), on_delete=models.PROTECT,
        related_name="action_items",
        help_text=_("The board in whose backlog the item sits until it is done."),
    )  # fmt: skip
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # Moved by the escalation scanner only: the highest rung of the ladder the item has
    # climbed since its due date (0: not escalated). A new due date starts the ladder over.
    escalation_level = models.PositiveSmallIntegerField(_("escalation rung"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    agenda_items = models.ManyToManyField(
        "boards.AgendaItem", verbose_name=_("on the agenda of"), blank=True,
        related_name="action_items",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="created_action_items",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ("due_on", "id")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(completed_on__isnull=False))
                | (~Q(status="done") & Q(completed_on__isnull=True)),
                name="summits_action_completed_on_iff_done",
                violation_error_message=_("Only a done item has a completion date."),
            ),
        ]
        indexes = [
            models.Index(fields=["board", "status", "due_on"], name="summits_action_board_idx"),
            models.Index(fields=["owner", "status"], name="summits_action_owner_idx"),
            models.Index(fields=["owner_function", "status"], name="summits_action_func_idx"),
            models.Index(fields=["status", "due_on"], name="summits_action_due_idx"),
            # The executive dashboard, read from the indexes alone: overdue items by board and
            # owner function, and the completion of a summit's items.
            models.Index(
                fields=["due_on", "board", "owner_function", "id"],
                condition=Q(status__in=["open", "in_progress"]),
                name="summits_action_open_due_idx",
            ),
            models.Index(
                fields=["summit", "status", "due_on", "completed_on", "id"],
                name="summits_action_summit_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("summits:action_item_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def was_late(self) -> bool:
        return self.status == self.Status.DONE and self.completed_on > self.due_on

    def may_become(self, status: str) -> bool:
        return status in self.NEXT_STATUSES[self.status]


class ActionItemUpdate(models.Model):
    """One entry of an action item's timeline. Append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        PROGRESS = "progress", _("progress update")
        STARTED = "started", _("started")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")
        REPLANNED = "replanned", _("re-planned")
        AGENDA = "agenda", _("put on an agenda")
        ESCALATED = "escalated", _("escalated")

    item = models.ForeignKey(
        ActionItem, verbose_name=_("action item"), on_delete=models.PROTECT,
        related_name="updates",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("Empty for a line the scheduler wrote (an escalation)."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    status_before = models.CharField(_("status before"), max_length=12, blank=True)
    status_after = models.CharField(_("status after"), max_length=12, blank=True)
    due_before = models.DateField(_("due before"), null=True, blank=True)
    due_after = models.DateField(_("due after"), null=True, blank=True)
    owner_before = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner before"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    owner_after = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner after"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decision = models.ForeignKey(
        "boards.Decision", verbose_name=_("board decision"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="action_item_updates",
    )  # fmt: skip
    meeting = models.ForeignKey(
        "boards.Meeting", verbose_name=_("meeting"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="action_item_updates",
    )  # fmt: skip

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("action-item update")
        verbose_name_plural = _("action-item updates")
        ordering = ("item", "created_at", "id")
        indexes = [models.Index(fields=["item", "created_at"], name="summits_update_item_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.item}"
