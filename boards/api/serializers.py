"""Serializers of the boards API.

Outputs are read-only and expect their rows from ``boards.selectors`` (related rows selected
or prefetched, so a page costs a fixed number of queries). Inputs are ``<Verb>InputSerializer``
classes that check the input's shape and resolve ids to objects (an unknown id is a 400 that
names the field); the services decide everything else: who may, and the domain's rules.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boards.models import (
    AgendaItem,
    Attendance,
    Board,
    Decision,
    DecisionFact,
    Escalation,
    Meeting,
    Membership,
)
from charter.models import Claim, Conflict
from engagement.org.api.serializers import FunctionRefSerializer, PersonRefSerializer
from engagement.org.models import Function, User
from touchpoints.models import JourneyStage, Kpi, Touchpoint

# --- References ----------------------------------------------------------------------------------


class BoardRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Board
        fields = ("id", "name")
        read_only_fields = fields


class GovernedTouchpointSerializer(serializers.ModelSerializer):
    """A touchpoint as the boards mention it (apps do not share serializers)."""

    class Meta:
        model = Touchpoint
        fields = ("id", "name")
        read_only_fields = fields


# --- Boards and members --------------------------------------------------------------------------


class BoardMemberSerializer(serializers.ModelSerializer):
    """A current member, as a board lists them."""

    person = PersonRefSerializer(read_only=True)
    function = FunctionRefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "person", "function", "role", "is_delegate", "started_on", "ended_on")
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    board = BoardRefSerializer(read_only=True)
    person = PersonRefSerializer(read_only=True)
    function = FunctionRefSerializer(read_only=True)
    is_current = serializers.SerializerMethodField(
        help_text="In force today: started, and not ended before today."
    )

    class Meta:
        model = Membership
        fields = (
            "id",
            "board",
            "person",
            "function",
            "role",
            "is_delegate",
            "started_on",
            "ended_on",
            "is_current",
        )
        read_only_fields = fields

    def get_is_current(self, obj) -> bool:
        today = self.context.get("today") or timezone.localdate()
        return obj.started_on <= today and (obj.ended_on is None or obj.ended_on >= today)


class BoardHealthSerializer(serializers.Serializer):
    planned = serializers.IntegerField(
        help_text="Meetings planned (not cancelled) that started in the last 90 days."
    )
    held = serializers.IntegerField(help_text="Of those, the meetings held.")
    cancelled = serializers.IntegerField(help_text="Meetings cancelled in the last 90 days.")
    held_share = serializers.IntegerField(
        allow_null=True, help_text="held / planned in percent; null when none was planned."
    )
    latency_days = serializers.FloatField(
        allow_null=True,
        help_text="Median days from a conflict opening to the board's decision on it, over "
        "the last 90 days; null when it decided none.",
    )
    decided_conflicts = serializers.IntegerField()
    open_decisions = serializers.IntegerField(help_text="Decisions still to be carried out.")
    overdue_decisions = serializers.IntegerField(help_text="Of those, past their due date.")
    open_conflicts = serializers.IntegerField(help_text="Open charter conflicts in scope.")
    claims_waiting = serializers.IntegerField(help_text="Claims waiting for approval in scope.")
    core_size = serializers.IntegerField()
    core_size_limit = serializers.IntegerField()
    core_too_large = serializers.BooleanField()
    member_count = serializers.IntegerField()
    gaps = FunctionRefSerializer(
        many=True,
        help_text="Functions holding a right on a touchpoint in scope with no member here.",
    )


class BoardSerializer(serializers.ModelSerializer):
    """A board with its current members and its health. Health comes from the view
    (``context["health"]``), computed for a whole page of boards at once."""

    chair = PersonRefSerializer(read_only=True)
    sponsor = PersonRefSerializer(read_only=True, allow_null=True)
    escalates_to = BoardRefSerializer(read_only=True, allow_null=True)
    scope_touchpoints = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the touchpoints it governs directly."
    )
    scope_stages = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="Ids of the journey stages it governs (every touchpoint at them).",
    )
    member_count = serializers.IntegerField(read_only=True, help_text="Current members.")
    open_decision_count = serializers.IntegerField(read_only=True)
    overdue_decision_count = serializers.IntegerField(read_only=True)
    next_meeting_at = serializers.DateTimeField(read_only=True, allow_null=True)
    members = BoardMemberSerializer(
        source="current_members", many=True, read_only=True, help_text="Current members."
    )
    health = serializers.SerializerMethodField()

    class Meta:
        model = Board
        fields = (
            "id",
            "name",
            "purpose",
            "chair",
            "sponsor",
            "escalates_to",
            "scope_touchpoints",
            "scope_stages",
            "cadence",
            "time_zone",
            "starts_on",
            "start_time",
            "duration_minutes",
            "location",
            "core_size_limit",
            "is_active",
            "member_count",
            "open_decision_count",
            "overdue_decision_count",
            "next_meeting_at",
            "members",
            "health",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(BoardHealthSerializer)
    def get_health(self, obj):
        return BoardHealthSerializer(self.context["health"][obj.pk]).data


# --- Meetings ------------------------------------------------------------------------------------


class AgendaItemSerializer(serializers.ModelSerializer):
    presenter = PersonRefSerializer(read_only=True, allow_null=True)
    touchpoint = GovernedTouchpointSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AgendaItem
        fields = (
            "id",
            "position",
            "title",
            "notes",
            "duration_minutes",
            "presenter",
            "touchpoint",
            "conflict",
            "claim",
            "decision",
        )
        read_only_fields = fields


class AttendanceRowSerializer(serializers.Serializer):
    """Someone expected at the meeting (a member on its date, or the chair)."""

    person = PersonRefSerializer()
    function = FunctionRefSerializer(allow_null=True)
    membership = serializers.SerializerMethodField(
        help_text="The membership's id; null for a chair who is not a member."
    )
    is_core = serializers.BooleanField(help_text="In the core group (counts for quorum).")
    status = serializers.ChoiceField(
        choices=[("", "not recorded"), *Attendance.Status.choices],
        help_text="present, apologies, absent, or empty when not recorded yet.",
    )
    status_label = serializers.CharField()

    def get_membership(self, row) -> int | None:
        return row.membership.pk if row.membership is not None else None


class QuorumSerializer(serializers.Serializer):
    core = serializers.IntegerField(help_text="Members of the core group.")
    present = serializers.IntegerField(help_text="Core members present.")
    needed = serializers.IntegerField(help_text="More than half of the core group.")
    reached = serializers.BooleanField()


class MinutesPersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    function = serializers.CharField()
    core = serializers.BooleanField()


class MinutesAgendaSerializer(serializers.Serializer):
    title = serializers.CharField()
    presenter = serializers.CharField()
    minutes = serializers.IntegerField()


class MinutesDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    outcome = serializers.CharField()
    rationale = serializers.CharField()
    owner = serializers.CharField()
    owner_function = serializers.CharField()
    due_on = serializers.CharField(help_text="YYYY-MM-DD, or empty.")
    conflict = serializers.CharField()


class MinutesEscalationSerializer(serializers.Serializer):
    title = serializers.CharField()
    to = serializers.CharField()
    reason = serializers.CharField()


class MinutesSerializer(serializers.Serializer):
    """The minutes as plain data: frozen when approved, generated from the record before."""

    board = serializers.CharField()
    chair = serializers.CharField()
    date = serializers.CharField()
    time = serializers.CharField()
    location = serializers.CharField()
    present = MinutesPersonSerializer(many=True)
    apologies = MinutesPersonSerializer(many=True)
    absent = MinutesPersonSerializer(many=True)
    not_recorded = MinutesPersonSerializer(many=True)
    quorum = QuorumSerializer()
    agenda = MinutesAgendaSerializer(many=True)
    decisions = MinutesDecisionSerializer(many=True)
    escalations = MinutesEscalationSerializer(many=True)
    notes = serializers.CharField()


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting with its agenda, who is expected and what was recorded, and the quorum.
    ``attendance`` comes from the view (``context["attendance"]``), for a page at once."""

    board = BoardRefSerializer(read_only=True)
    is_ad_hoc = serializers.BooleanField(read_only=True, help_text="Outside the cadence.")
    minutes_approved_by = PersonRefSerializer(read_only=True, allow_null=True)
    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)
    attendance = serializers.SerializerMethodField()
    quorum = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = (
            "id",
            "board",
            "occurrence",
            "is_ad_hoc",
            "starts_at",
            "ends_at",
            "location",
            "status",
            "status_note",
            "uid",
            "sequence",
            "minutes_notes",
            "minutes_approved_at",
            "minutes_approved_by",
            "agenda",
            "attendance",
            "quorum",
        )
        read_only_fields = fields

    @extend_schema_field(AttendanceRowSerializer(many=True))
    def get_attendance(self, obj):
        return AttendanceRowSerializer(self.context["attendance"][obj.pk], many=True).data

    @extend_schema_field(QuorumSerializer)
    def get_quorum(self, obj):
        return QuorumSerializer(self.context["quorum"][obj.pk]).data


class MeetingDetailSerializer(MeetingSerializer):
    minutes = serializers.SerializerMethodField(
        help_text="The approved minutes (frozen) once the chair approves them; until then "
        "generated from the record as it stands."
    )

    class Meta(MeetingSerializer.Meta):
        fields = (*MeetingSerializer.Meta.fields, "minutes")
        read_only_fields = fields

    @extend_schema_field(MinutesSerializer)
    def get_minutes(self, obj):
        return self.context["minutes"]


# --- Decisions -----------------------------------------------------------------------------------


class KpiRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kpi
        fields = ("id", "name", "unit")
        read_only_fields = fields


class DecisionFactSerializer(serializers.ModelSerializer):
    """A fact the board considered, as it stood when the decision was logged."""

    touchpoint = GovernedTouchpointSerializer(read_only=True)
    kpi = KpiRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = DecisionFact
        fields = ("id", "touchpoint", "kpi", "value", "period", "target", "kpi_status")
        read_only_fields = fields


class DecisionConflictSerializer(serializers.ModelSerializer):
    """The charter conflict a decision resolved."""

    class Meta:
        model = Conflict
        fields = ("id", "touchpoint", "right", "status", "winner")
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    board = BoardRefSerializer(read_only=True)
    owner = PersonRefSerializer(read_only=True, allow_null=True)
    owner_function = FunctionRefSerializer(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="To be carried out and past its due date."
    )
    touchpoints = GovernedTouchpointSerializer(many=True, read_only=True)
    facts = DecisionFactSerializer(many=True, read_only=True)
    conflict = DecisionConflictSerializer(read_only=True, allow_null=True)
    superseded_by = serializers.SerializerMethodField(
        help_text="The id of the decision that corrects this one, or null."
    )
    logged_by = PersonRefSerializer(read_only=True)
    implemented_by = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Decision
        fields = (
            "id",
            "board",
            "meeting",
            "title",
            "rationale",
            "outcome",
            "owner",
            "owner_function",
            "due_on",
            "status",
            "is_overdue",
            "touchpoints",
            "facts",
            "conflict",
            "supersedes",
            "superseded_by",
            "logged_by",
            "logged_at",
            "implemented_at",
            "implemented_by",
        )
        read_only_fields = fields

    def get_superseded_by(self, obj) -> int | None:
        # The selectors load the reverse one-to-one with select_related: no query here.
        newer = getattr(obj, "superseded_by", None)
        return newer.pk if newer is not None else None


# --- Escalations ---------------------------------------------------------------------------------


class EscalationSerializer(serializers.ModelSerializer):
    from_board = BoardRefSerializer(read_only=True)
    to_board = BoardRefSerializer(read_only=True)
    is_open = serializers.BooleanField(read_only=True, help_text="Waiting or acknowledged.")
    raised_by = PersonRefSerializer(read_only=True)
    acknowledged_by = PersonRefSerializer(read_only=True, allow_null=True)
    closed_by = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Escalation
        fields = (
            "id",
            "from_board",
            "to_board",
            "title",
            "reason",
            "decision",
            "conflict",
            "meeting",
            "status",
            "is_open",
            "raised_by",
            "raised_at",
            "acknowledged_by",
            "acknowledged_at",
            "closed_by",
            "closed_at",
            "response",
            "resolution",
        )
        read_only_fields = fields
        extra_kwargs = {
            "decision": {"help_text": "The id of the decision escalated, or null."},
            "conflict": {"help_text": "The id of the charter conflict escalated, or null."},
            "resolution": {"help_text": "The id of the receiving body's deciding decision."},
        }


# --- Inputs --------------------------------------------------------------------------------------


def _ref(queryset, noun: str, **kwargs):
    """An id resolved to an object; an unknown one is a 400 naming what was looked for."""
    kwargs.setdefault("help_text", f"The {noun}'s id.")
    return serializers.PrimaryKeyRelatedField(
        queryset=queryset,
        error_messages={
            "does_not_exist": f"There is no {noun} with the id {{pk_value}}.",
            "incorrect_type": f"Give the {noun}'s id (a number), not {{data_type}}.",
        },
        **kwargs,
    )


def _refs(queryset, noun: str, plural: str, **kwargs):
    kwargs.setdefault("help_text", f"Ids of the {plural}.")
    return serializers.ManyRelatedField(
        child_relation=_ref(queryset, noun), required=False, **kwargs
    )


def _text(max_length: int, help_text: str, **kwargs):
    """Text a service may require: an empty one reaches the service, which says what is
    missing in its own words."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    if not kwargs["required"]:
        kwargs.setdefault("default", "")
    return serializers.CharField(max_length=max_length, help_text=help_text, **kwargs)


PEOPLE = User.objects.all()
FUNCTIONS = Function.objects.all()
BOARDS = Board.objects.all()


class BoardUpdateInputSerializer(serializers.Serializer):
    """What may change on a board; send only what changes. A chair or sponsor changes the
    purpose, scope and cadence; administrators also who leads it, the ladder and archiving."""

    name = serializers.CharField(max_length=150)
    purpose = serializers.CharField(max_length=4000, allow_blank=True)
    chair = _ref(PEOPLE, "person", help_text="The id of the person who chairs it.")
    sponsor = _ref(
        PEOPLE, "person", allow_null=True, help_text="The executive sponsor's id, or null."
    )
    escalates_to = _ref(
        BOARDS,
        "board",
        allow_null=True,
        help_text="The id of the body above it; null for the top of the ladder.",
    )
    scope_touchpoints = _refs(
        Touchpoint.objects.all(), "touchpoint", "touchpoints it governs directly"
    )
    scope_stages = _refs(
        JourneyStage.objects.all(),
        "journey stage",
        "journey stages it governs (every touchpoint at them)",
    )
    cadence = serializers.CharField(
        max_length=255,
        help_text="An RFC 5545 recurrence rule, e.g. FREQ=WEEKLY;BYDAY=MO or "
        "FREQ=MONTHLY;BYDAY=1TU.",
    )
    time_zone = serializers.CharField(max_length=64, help_text="An IANA zone: Europe/London.")
    starts_on = serializers.DateField(help_text="The first day the cadence may fall on.")
    start_time = serializers.TimeField(help_text="Local time in the time zone, HH:MM.")
    duration_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60)
    location = serializers.CharField(max_length=200, allow_blank=True)
    core_size_limit = serializers.IntegerField(min_value=1, max_value=1000)
    is_active = serializers.BooleanField(help_text="false archives the board.")


class BoardCreateInputSerializer(BoardUpdateInputSerializer):
    """A new board (administrators). Its meetings follow from the cadence."""

    def get_fields(self):
        fields = super().get_fields()
        optional = (
            "purpose", "sponsor", "escalates_to", "scope_touchpoints", "scope_stages",
            "time_zone", "duration_minutes", "location", "core_size_limit", "is_active",
        )  # fmt: skip
        for name, field in fields.items():
            field.required = name not in optional
        return fields


class MembershipCreateInputSerializer(serializers.Serializer):
    board = _ref(BOARDS, "board")
    person = _ref(PEOPLE, "person")
    function = _ref(FUNCTIONS, "function", help_text="The id of the function they represent.")
    role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)
    is_delegate = serializers.BooleanField(
        required=False, help_text="May log decisions, run meetings and escalate for the chair."
    )
    started_on = serializers.DateField(required=False, help_text="Today if not given.")


class MembershipUpdateInputSerializer(serializers.Serializer):
    function = _ref(FUNCTIONS, "function", help_text="The id of the function they represent.")
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    is_delegate = serializers.BooleanField()


class MembershipEndInputSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, help_text="Today if not given.")


class MeetingCreateInputSerializer(serializers.Serializer):
    board = _ref(BOARDS, "board")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(
        required=False, help_text="The board's usual duration after the start if not given."
    )
    location = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="The board's if not given."
    )


class MeetingUpdateInputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(
        help_text="Moving the start keeps the length unless ends_at is given too."
    )
    ends_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, allow_blank=True)
    minutes_notes = serializers.CharField(max_length=20000, allow_blank=True)


class MeetingCancelInputSerializer(serializers.Serializer):
    reason = _text(300, "Why the meeting is cancelled (required; members read it).")


class AgendaItemAddInputSerializer(serializers.Serializer):
    title = _text(200, "Defaults to what the item is about (the conflict, claim, decision...).")
    notes = _text(4000, "")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    presenter = _ref(PEOPLE, "person", required=False, allow_null=True)
    touchpoint = _ref(Touchpoint.objects.all(), "touchpoint", required=False, allow_null=True)
    conflict = _ref(
        Conflict.objects.select_related("touchpoint"),
        "conflict",
        required=False,
        allow_null=True,
        help_text="An open charter conflict on a touchpoint in the board's scope.",
    )
    claim = _ref(
        Claim.objects.select_related("touchpoint"),
        "claim",
        required=False,
        allow_null=True,
        help_text="A claim waiting for approval on a touchpoint in the board's scope.",
    )
    decision = _ref(Decision.objects.all(), "decision", required=False, allow_null=True)


# Named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]: a KPI has a direction too.
MOVE_DIRECTIONS = (("up", "up"), ("down", "down"))


class AgendaItemMoveInputSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(
        choices=MOVE_DIRECTIONS, help_text="up: one place earlier; down: one place later."
    )


class AttendanceInputSerializer(serializers.Serializer):
    person = _ref(PEOPLE, "person", help_text="A member on the meeting's date, or the chair.")
    status = serializers.ChoiceField(
        choices=Attendance.Status.choices,
        help_text="apologies may be sent before the meeting; present and absent once it starts.",
    )


class MinutesApproveInputSerializer(serializers.Serializer):
    notes = serializers.CharField(
        max_length=20000,
        required=False,
        allow_blank=True,
        help_text="The chair's notes for the minutes; the ones on the meeting if not given.",
    )


class _DecisionFieldsSerializer(serializers.Serializer):
    title = _text(200, "What was decided, in a line (required).")
    rationale = _text(20000, "Why (required).")
    outcome = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    owner = _ref(PEOPLE, "person", required=False, allow_null=True, help_text="Who carries it out.")
    owner_function = _ref(FUNCTIONS, "function", required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    meeting = _ref(
        Meeting.objects.all(),
        "meeting",
        required=False,
        allow_null=True,
        help_text="The board's meeting it was taken in.",
    )
    touchpoints = _refs(Touchpoint.objects.all(), "touchpoint", "touchpoints it concerns")
    kpis = _refs(
        Kpi.objects.all(),
        "KPI",
        "KPIs considered",
        help_text="Ids of the KPIs considered: each one's latest value is kept with the decision.",
    )
    conflict = _ref(
        Conflict.objects.all(),
        "conflict",
        required=False,
        allow_null=True,
        help_text="An open charter conflict in the board's scope that this decision resolves.",
    )
    winner = _ref(
        FUNCTIONS,
        "function",
        required=False,
        allow_null=True,
        help_text="With conflict: the function the right goes to (the holder or the claimant).",
    )


class DecisionLogInputSerializer(_DecisionFieldsSerializer):
    board = _ref(BOARDS, "board")


class DecisionSupersedeInputSerializer(_DecisionFieldsSerializer):
    """The correction. What it does not restate (owner, due date, touchpoints) is carried
    over from the decision it supersedes."""


class EscalationRaiseInputSerializer(serializers.Serializer):
    board = _ref(BOARDS, "board", help_text="The id of the board escalating (yours to lead).")
    reason = _text(20000, "Why this goes to the body above (required).")
    title = _text(200, "The subject; the decision's or conflict's if not given.")
    decision = _ref(
        Decision.objects.all(),
        "decision",
        required=False,
        allow_null=True,
        help_text="An open or overdue decision of the board to escalate.",
    )
    conflict = _ref(
        Conflict.objects.all(),
        "conflict",
        required=False,
        allow_null=True,
        help_text="An open conflict in the board's scope to escalate.",
    )
    to_board = _ref(
        BOARDS,
        "board",
        required=False,
        allow_null=True,
        help_text="Any body above the board; the next rung if not given.",
    )
    meeting = _ref(
        Meeting.objects.all(),
        "meeting",
        required=False,
        allow_null=True,
        help_text="The board's meeting it was raised in.",
    )


class EscalationResolveInputSerializer(serializers.Serializer):
    title = _text(200, "The decision's title; the escalation's subject if not given.")
    rationale = _text(20000, "Why (required).")
    outcome = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    owner = _ref(PEOPLE, "person", required=False, allow_null=True)
    owner_function = _ref(FUNCTIONS, "function", required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    winner = _ref(
        FUNCTIONS,
        "function",
        required=False,
        allow_null=True,
        help_text="For an escalated conflict: the function the right goes to.",
    )


class EscalationReturnInputSerializer(serializers.Serializer):
    response = _text(20000, "Why it goes back to the board (required).")
