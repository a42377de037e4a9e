"""Boards: the bodies where functions meet to decide.

A *board* has a chair, an executive sponsor, a *scope* (touchpoints and journey stages it
governs) and a *cadence* (an RFC 5545 recurrence rule in a time zone). Boards form a ladder
through ``escalates_to``; the top of the ladder (the CEO's executive committee) escalates to
nobody. *Memberships* say who sits on a board for which function, and in which role.

*Meetings* are materialised from the cadence by a scanner job (``occurrence`` is the cadence
instant a meeting stands for, unique per board, so the scan is idempotent); ad-hoc meetings
have no occurrence. Each has an ordered agenda, attendance, and minutes that the chair
approves, which freezes them.

*Decisions* are append-only: only their status moves. A correction is a new decision that
supersedes the old one. *Escalations* carry a decision, a conflict or an item to the body
above, which acknowledges, resolves or returns it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boards.querysets import (
    BoardQuerySet,
    DecisionQuerySet,
    EscalationQuerySet,
    MeetingQuerySet,
    MembershipQuerySet,
)
from engagement.core.querysets import OpenToSignedInQuerySet
from engagement.notify.models import Audience


def default_time_zone() -> str:
    return settings.TIME_ZONE


class Board(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)
    purpose = models.TextField(_("purpose"), blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("chair"), on_delete=models.PROTECT,
        related_name="chaired_boards",
    )  # fmt: skip
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("executive sponsor"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="sponsored_boards",
    )  # fmt: skip
    escalates_to = models.ForeignKey(
        "self", verbose_name=_("escalates to"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="escalated_from",
        help_text=_("The body above this one. Empty for the top of the ladder."),
    )  # fmt: skip
    scope_touchpoints = models.ManyToManyField(
        "touchpoints.Touchpoint", verbose_name=_("touchpoints governed"), blank=True,
        related_name="governing_boards",
    )  # fmt: skip
    scope_stages = models.ManyToManyField(
        "touchpoints.JourneyStage", verbose_name=_("journey stages governed"), blank=True,
        related_name="governing_boards",
        help_text=_("Every touchpoint at these stages is in the board's scope."),
    )  # fmt: skip
    cadence = models.CharField(
        _("cadence"), max_length=255,
        help_text=_(
            "An RFC 5545 recurrence rule, e.g. FREQ=WEEKLY;BYDAY=MO or FREQ=MONTHLY;BYDAY=1TU."
        ),
    )  # fmt: skip
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone)
    starts_on = models.DateField(
        _("cadence starts on"), help_text=_("The first day the cadence may fall on.")
    )
    start_time = models.TimeField(_("start time"), help_text=_("Local time in the time zone."))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=60,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )  # fmt: skip
    location = models.CharField(_("location"), max_length=200, blank=True)
    core_size_limit = models.PositiveSmallIntegerField(
        _("core-group size limit"), default=12, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BoardQuerySet.as_manager()

    class Meta:
        verbose_name = _("board")
        verbose_name_plural = _("boards")
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(
                condition=~Q(escalates_to=models.F("id")),
                name="boards_board_not_above_itself",
                violation_error_message=_("A board cannot escalate to itself."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("boards:board_detail", kwargs={"pk": self.pk})

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


class Membership(models.Model):
    class Role(models.TextChoices):
        CORE = "core", _("core")
        MEMBER = "member", _("member")
        ADVISOR = "advisor", _("advisor")

    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.PROTECT, related_name="memberships"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
        related_name="board_memberships",
    )  # fmt: skip
    function = models.ForeignKey(
        "org.Function", verbose_name=_("represents"), on_delete=models.PROTECT,
        related_name="board_memberships",
    )  # fmt: skip
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_delegate = models.BooleanField(
        _("chair's delegate"), default=False,
        help_text=_("May log decisions, run meetings and escalate for the chair."),
    )  # fmt: skip
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ("board", "function__name", "person__last_name", "person__first_name")
        constraints = [
            models.UniqueConstraint(
                fields=["board", "person"],
                condition=Q(ended_on__isnull=True),
                name="boards_one_open_membership_per_person",
                violation_error_message=_("This person is already a member of this board."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="boards_membership_ends_after_it_starts",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.function}) on {self.board}"


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.PROTECT, related_name="meetings"
    )
    occurrence = models.DateTimeField(
        _("cadence occurrence"), null=True, blank=True, editable=False,
        help_text=_("The cadence instant this meeting stands for; empty for ad-hoc meetings."),
    )  # fmt: skip
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    status_note = models.CharField(_("note on the status"), max_length=300, blank=True)
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    is_customised = models.BooleanField(
        _("moved by hand"), default=False, editable=False,
        help_text=_("A leader changed its time or place; the cadence scan leaves them alone."),
    )  # fmt: skip
    sequence = models.PositiveIntegerField(
        _("calendar sequence"), default=0, editable=False,
        help_text=_("Raised every time the meeting changes, so calendars update it."),
    )  # fmt: skip
    minutes_notes = models.TextField(
        _("chair's notes for the minutes"), blank=True,
        help_text=_("Anything the record does not show: discussion, actions agreed."),
    )  # fmt: skip
    minutes = models.JSONField(
        _("approved minutes"), null=True, blank=True, editable=False,
        help_text=_("The minutes as approved, frozen."),
    )  # fmt: skip
    minutes_approved_at = models.DateTimeField(_("minutes approved at"), null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("minutes approved by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ("starts_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["board", "occurrence"],
                name="boards_one_meeting_per_occurrence",
                violation_error_message=_("This board already has a meeting for this date."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="boards_meeting_ends_after_it_starts",
                violation_error_message=_("A meeting must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["board", "starts_at"], name="boards_meeting_start_idx")]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.board} — {local:%d %b %Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("boards:meeting_detail", kwargs={"pk": self.pk})

    @property
    def is_ad_hoc(self) -> bool:
        return self.occurrence is None

    @property
    def minutes_approved(self) -> bool:
        return self.minutes_approved_at is not None


class AgendaItem(models.Model):
    """One item of a meeting's agenda, in order. It may point at what it is about."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=10, validators=[MinValueValidator(1)]
    )
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("presenter"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="agenda_items",
    )  # fmt: skip
    conflict = models.ForeignKey(
        "charter.Conflict", verbose_name=_("charter conflict"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="agenda_items",
    )  # fmt: skip
    claim = models.ForeignKey(
        "charter.Claim", verbose_name=_("claim waiting for approval"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="agenda_items",
    )  # fmt: skip
    decision = models.ForeignKey(
        "boards.Decision", verbose_name=_("decision"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="agenda_items",
    )  # fmt: skip

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ("meeting", "position", "id")

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        APOLOGIES = "apologies", _("sent apologies")
        ABSENT = "absent", _("absent")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
        related_name="meeting_attendance",
    )  # fmt: skip
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ("meeting", "person__last_name", "person__first_name")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="boards_one_attendance_per_person",
                violation_error_message=_("Attendance for this person is already recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()}"


class Decision(models.Model):
    """A decision of a board. Append-only: after it is logged only ``status`` and the
    implementation fields move; a correction is a new decision that supersedes this one.

    The escalation fields (``escalation_level``, ``escalated_at``, ``escalated_to``) belong to
    the escalation job, not to the record the board logged: the job raises them one rung at a
    time while the decision is overdue (``boards.notifications``), and nothing else writes
    them."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IMPLEMENTED = "implemented", _("implemented")
        OVERDUE = "overdue", _("overdue")
        ESCALATED = "escalated", _("escalated")
        SUPERSEDED = "superseded", _("superseded")

    # Statuses in which the decision still has to be carried out.
    PENDING_STATUSES = (Status.OPEN, Status.OVERDUE)

    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.PROTECT, related_name="decisions"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="decisions",
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    rationale = models.TextField(_("rationale"))
    outcome = models.TextField(_("outcome"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="owned_decisions",
        help_text=_("The person who carries the decision out."),
    )  # fmt: skip
    owner_function = models.ForeignKey(
        "org.Function", verbose_name=_("owner function"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="owned_decisions",
    )  # fmt: skip
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    touchpoints = models.ManyToManyField(
        "touchpoints.Touchpoint", verbose_name=_("touchpoints"), blank=True,
        related_name="decisions",
    )  # fmt: skip
    conflict = models.OneToOneField(
        "charter.Conflict", verbose_name=_("conflict resolved"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="board_decision",
    )  # fmt: skip
    supersedes = models.OneToOneField(
        "self", verbose_name=_("supersedes"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="superseded_by",
    )  # fmt: skip
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    logged_at = models.DateTimeField(_("logged at"), default=timezone.now)
    implemented_at = models.DateTimeField(_("implemented at"), null=True, blank=True)
    implemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked implemented by"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    # Written by the escalation job only (see the class docstring).
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation rung"), default=0, editable=False,
        help_text=_("The highest rung of the overdue ladder reached; 0 while not escalated."),
    )  # fmt: skip
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True, editable=False)
    escalated_to = models.CharField(
        _("escalated to"), max_length=10, choices=Audience.choices, blank=True, editable=False,
        help_text=_("Who stands on the rung reached, as the ladder said when it was climbed."),
    )  # fmt: skip

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ("-logged_at", "-id")
        indexes = [
            models.Index(fields=["board", "-logged_at"], name="boards_decision_log_idx"),
            models.Index(fields=["status", "due_on"], name="boards_decision_due_idx"),
            # Overdue decisions by board and owner function (the executive dashboard): read
            # from this small index alone, without visiting the table (the id too, to match
            # them with their touchpoints).
            models.Index(
                fields=["due_on", "board", "owner_function", "id"],
                condition=Q(status__in=["open", "overdue"]),
                name="boards_decision_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("boards:decision_detail", kwargs={"pk": self.pk})

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in self.PENDING_STATUSES
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class DecisionFact(models.Model):
    """A fact the board considered: a touchpoint, and a KPI with its value at decision time.
    Copied when the decision is logged, so later measurements do not rewrite history."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="facts"
    )
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", verbose_name=_("touchpoint"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    kpi = models.ForeignKey(
        "touchpoints.Kpi", verbose_name=_("KPI"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    value = models.DecimalField(
        _("value then"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    period = models.DateField(_("period of the value"), null=True, blank=True)
    target = models.DecimalField(
        _("target then"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    kpi_status = models.CharField(_("KPI status then"), max_length=12, blank=True)

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("fact considered")
        verbose_name_plural = _("facts considered")
        ordering = ("decision", "id")

    def __str__(self) -> str:
        if self.kpi_id:
            return f"{self.kpi.name}: {self.value}"
        return str(self.touchpoint)


class Escalation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("waiting")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        RESOLVED = "resolved", _("decided")
        RETURNED = "returned", _("sent back")

    OPEN_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED)

    from_board = models.ForeignKey(
        Board, verbose_name=_("from board"), on_delete=models.PROTECT,
        related_name="escalations_raised",
    )  # fmt: skip
    to_board = models.ForeignKey(
        Board, verbose_name=_("to body"), on_delete=models.PROTECT,
        related_name="escalations_received",
    )  # fmt: skip
    title = models.CharField(_("subject"), max_length=200)
    reason = models.TextField(_("reason"))
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision escalated"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="escalations",
    )  # fmt: skip
    conflict = models.ForeignKey(
        "charter.Conflict", verbose_name=_("conflict escalated"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="escalations",
    )  # fmt: skip
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("raised in meeting"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="escalations",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided or sent back by"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    closed_at = models.DateTimeField(_("decided or sent back at"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    resolution = models.OneToOneField(
        Decision, verbose_name=_("deciding decision"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="resolves_escalation",
    )  # fmt: skip

    objects = EscalationQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ("-raised_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_board=models.F("to_board")),
                name="boards_escalation_goes_up",
                violation_error_message=_("A board cannot escalate to itself."),
            ),
        ]
        indexes = [models.Index(fields=["to_board", "status"], name="boards_escalation_inbox_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("boards:escalation_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class CalendarFeed(models.Model):
    """A secret-token iCalendar feed of a board's or a person's meetings. Anyone with the
    address can read it, without signing in; revoking deletes the token."""

    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    board = models.OneToOneField(
        Board, verbose_name=_("board"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="calendar_feed",
    )  # fmt: skip
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="calendar_feed",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=(Q(board__isnull=False) & Q(person__isnull=True))
                | (Q(board__isnull=True) & Q(person__isnull=False)),
                name="boards_feed_of_a_board_or_a_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar of {self.board or self.person}"
