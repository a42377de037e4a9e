"""What the dashboard keeps of its own: weekly snapshots of the headline figures (the trend) and
summary tables (``TouchpointSummary``, ``DecisionStage``, ``ActionItemStage``) kept current by
a job.

Neither is a record of governance: both are derived from the other apps' records and can be
taken again from them. Their rows go with the function, stage, board or touchpoint they are
about (``CASCADE``); those are archived rather than deleted anyway.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from engagement.core.querysets import OpenToSignedInQuerySet


class SnapshotQuerySet(OpenToSignedInQuerySet):
    """Snapshots count what an executive sees; like the dashboard, they are open to everyone
    signed in."""

    def of_scope(self, *, function=None, stage=None, board=None):
        """The snapshots of one scope: the whole organisation (nothing given) or one single
        function, stage or board."""
        if function is not None:
            return self.filter(scope=DashboardSnapshot.Scope.FUNCTION, function=function)
        if stage is not None:
            return self.filter(scope=DashboardSnapshot.Scope.STAGE, stage=stage)
        if board is not None:
            return self.filter(scope=DashboardSnapshot.Scope.BOARD, board=board)
        return self.filter(scope=DashboardSnapshot.Scope.ALL)


class DashboardSnapshot(models.Model):
    """The headline figures of one ISO week (``week`` is its Monday) for one scope, as the
    weekly job took them (``engagement.dashboard.services.snapshot_take``).

    One row per (week, scope), guarded by partial unique constraints: two schedulers, or a job
    run twice, never write a week twice. A week the job did not run is absent, never filled in
    afterwards.
    """

    class Scope(models.TextChoices):
        ALL = "all", _("whole organisation")
        FUNCTION = "function", _("function")
        STAGE = "stage", _("journey stage")
        BOARD = "board", _("board")

    week = models.DateField(_("week"), help_text=_("The Monday of the ISO week."))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    function = models.ForeignKey(
        "org.Function", verbose_name=_("function"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )  # fmt: skip
    stage = models.ForeignKey(
        "touchpoints.JourneyStage", verbose_name=_("journey stage"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )  # fmt: skip
    board = models.ForeignKey(
        "boards.Board", verbose_name=_("board"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )  # fmt: skip
    coverage_percent = models.PositiveSmallIntegerField(
        _("charter coverage (%)"), null=True, blank=True,
        help_text=_("Empty when no touchpoint was in scope."),
    )  # fmt: skip
    vacant = models.PositiveIntegerField(_("vacant rights"))
    contested = models.PositiveIntegerField(_("contested rights"))
    open_conflicts = models.PositiveIntegerField(_("open conflicts"))
    overdue_decisions = models.PositiveIntegerField(_("overdue decisions"))
    overdue_actions = models.PositiveIntegerField(_("overdue action items"))
    ceo_escalations = models.PositiveIntegerField(_("escalations waiting for the CEO"))
    taken_at = models.DateTimeField(_("taken at"))

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        ordering = ("-week", "scope", "id")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="all", function__isnull=True, stage__isnull=True, board__isnull=True)
                    | Q(
                        scope="function",
                        function__isnull=False,
                        stage__isnull=True,
                        board__isnull=True,
                    )
                    | Q(
                        scope="stage",
                        function__isnull=True,
                        stage__isnull=False,
                        board__isnull=True,
                    )
                    | Q(
                        scope="board",
                        function__isnull=True,
                        stage__isnull=True,
                        board__isnull=False,
                    )
                ),
                name="dashboard_snapshot_names_its_scope",
                violation_error_message=_(
                    "A snapshot is of the whole organisation or of exactly one function, "
                    "journey stage or board, as its scope says."
                ),
            ),
            models.UniqueConstraint(
                fields=["week"],
                condition=Q(scope="all"),
                name="dashboard_snapshot_one_per_week",
            ),
            models.UniqueConstraint(
                fields=["week", "function"],
                condition=Q(scope="function"),
                name="dashboard_snapshot_one_per_week_function",
            ),
            models.UniqueConstraint(
                fields=["week", "stage"],
                condition=Q(scope="stage"),
                name="dashboard_snapshot_one_per_week_stage",
            ),
            models.UniqueConstraint(
                fields=["week", "board"],
                condition=Q(scope="board"),
                name="dashboard_snapshot_one_per_week_board",
            ),
        ]
        indexes = [
            # The trend of one function, stage or board: its latest weeks.
            models.Index(fields=["function", "-week"], name="dashboard_snap_function_idx"),
            models.Index(fields=["stage", "-week"], name="dashboard_snap_stage_idx"),
            models.Index(fields=["board", "-week"], name="dashboard_snap_board_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.scope_object or ''} — {self.week:%G-W%V}"

    @property
    def scope_object(self):
        return self.function or self.stage or self.board


class TouchpointSummary(models.Model):
    """Summary table: for each touchpoint open for claims, what the dashboard counts of it,
    as the refresh job (``services.touchpoint_summaries_refresh``) last found it: its stage,
    the rights held and contested and the claims waiting (charter coverage), its active KPIs
    by status, and its health score (``touchpoints.health``).

    Why a table: the dashboard reads these over every touchpoint in scope, and at enterprise
    scale (50,000 touchpoints, 100,000 KPIs) counting them live, or scoring every touchpoint,
    costs far more than the page may take. The job keeps the table current (every few
    minutes, see ``CELERY_BEAT_SCHEDULE``); ``SummaryRefresh`` says when it last did, and the
    dashboard prints it (``DashboardSummary.as_of``). A row is written only when its figures
    change.
    """

    touchpoint = models.OneToOneField(
        "touchpoints.Touchpoint", verbose_name=_("touchpoint"), primary_key=True,
        on_delete=models.CASCADE, related_name="dashboard_summary",
    )  # fmt: skip
    stage = models.ForeignKey(
        "touchpoints.JourneyStage", verbose_name=_("journey stage"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    held_design = models.BooleanField(_("design right held"))
    held_build = models.BooleanField(_("build right held"))
    held_operate = models.BooleanField(_("operate right held"))
    held_update = models.BooleanField(_("update right held"))
    contested = models.PositiveIntegerField(_("open conflicts"))
    pending_claims = models.PositiveIntegerField(_("claims waiting for approval"))
    kpis_on_target = models.PositiveIntegerField(_("KPIs on target"))
    kpis_at_risk = models.PositiveIntegerField(_("KPIs at risk"))
    kpis_off_target = models.PositiveIntegerField(_("KPIs off target"))
    kpis_stale = models.PositiveIntegerField(_("KPIs stale"))
    score = models.PositiveSmallIntegerField(_("health score"))
    findings = models.PositiveSmallIntegerField(
        _("findings"), help_text=_("How many findings lowered the score; 0 when nothing is wrong.")
    )
    priority_rank = models.PositiveSmallIntegerField(
        _("priority rank"), help_text=_("0 for critical, then high, medium and low.")
    )
    changed_at = models.DateTimeField(_("changed at"))

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("touchpoint summary")
        verbose_name_plural = _("touchpoint summaries")
        ordering = ("score", "priority_rank", "touchpoint_id")
        indexes = [
            # The lowest scores first, among the touchpoints with anything wrong.
            models.Index(
                fields=["score", "priority_rank"],
                condition=Q(findings__gt=0),
                name="dashboard_summary_risk_idx",
            ),
            models.Index(fields=["stage"], name="dashboard_summary_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.touchpoint_id}: {self.score}"


class ItemStage(models.Model):
    """Summary table: the journey stages of a decision still to be carried out, or of an open
    action item (the stages of the touchpoints it is linked to), kept by the refresh job with
    ``TouchpointSummary``. The dashboard's stage filter on overdue decisions and items reads
    it: matching each overdue item's touchpoints against the stage live means going through
    every link of every decision (800,000 at enterprise scale).

    Whether an item is overdue stays live (status and due date); only which stages it belongs
    to comes from here. A new item cannot be overdue yet (its due date may not be in the
    past), so only a link changed since the last refresh, or a touchpoint moved to another
    stage, waits for the next refresh.
    """

    stage = models.ForeignKey(
        "touchpoints.JourneyStage", verbose_name=_("journey stage"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip

    class Meta:
        abstract = True


class DecisionStage(ItemStage):
    decision = models.ForeignKey(
        "boards.Decision", verbose_name=_("decision"), on_delete=models.CASCADE, related_name="+"
    )

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage of a pending decision")
        verbose_name_plural = _("stages of pending decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "decision"], name="dashboard_decision_stage_once"
            ),
        ]

    def __str__(self) -> str:
        return f"decision {self.decision_id} at stage {self.stage_id}"


class ActionItemStage(ItemStage):
    item = models.ForeignKey(
        "summits.ActionItem", verbose_name=_("action item"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage of an open action item")
        verbose_name_plural = _("stages of open action items")
        constraints = [
            models.UniqueConstraint(fields=["stage", "item"], name="dashboard_item_stage_once"),
        ]

    def __str__(self) -> str:
        return f"action item {self.item_id} at stage {self.stage_id}"


class SummaryRefresh(models.Model):
    """When the summary table was last brought up to date, and what it took: one row per
    refresh (a month of them is kept); the latest is the table's freshness
    (``DashboardSummary.as_of``)."""

    finished_at = models.DateTimeField(_("finished at"), db_index=True)
    started_at = models.DateTimeField(_("started at"))
    touchpoints = models.PositiveIntegerField(_("touchpoints summarised"))
    changed = models.PositiveIntegerField(_("rows changed"))
    removed = models.PositiveIntegerField(_("rows removed"))

    objects = OpenToSignedInQuerySet.as_manager()

    class Meta:
        verbose_name = _("summary refresh")
        verbose_name_plural = _("summary refreshes")
        ordering = ("-finished_at", "-id")
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M}"
