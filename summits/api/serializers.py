"""Serializers of the summits API.

Outputs are read-only and expect their rows from ``summits.selectors`` (related rows selected
or prefetched, so a page costs a fixed number of queries); what a selector computes for a
whole page (completion, the summit page, the latest timeline entries) comes in the context.
Inputs are ``<Verb>InputSerializer`` classes that check the input's shape and resolve ids to
objects (an unknown id is a 400 that names the field); the services decide everything else:
who may, and the domain's rules.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boards.models import AgendaItem, Board, Decision, Meeting
from engagement.org.api.serializers import FunctionRefSerializer, PersonRefSerializer
from engagement.org.models import Function, User
from summits.models import (
    ActionItem,
    ActionItemUpdate,
    Capability,
    JourneyReview,
    Participant,
    ReviewEvidence,
    Summit,
)
from touchpoints.models import JourneyStage, Kpi, Touchpoint

# --- References ----------------------------------------------------------------------------------


class SummitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Summit
        fields = ("id", "title", "starts_on")
        read_only_fields = fields


class FollowingBoardSerializer(serializers.ModelSerializer):
    """The board that follows an item up (apps do not share serializers)."""

    class Meta:
        model = Board
        fields = ("id", "name")
        read_only_fields = fields


class ReviewedStageSerializer(serializers.ModelSerializer):
    class Meta:
        model = JourneyStage
        fields = ("id", "name", "position")
        read_only_fields = fields


class LinkedTouchpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = Touchpoint
        fields = ("id", "name")
        read_only_fields = fields


class EvidenceKpiSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kpi
        fields = ("id", "name", "unit")
        read_only_fields = fields


class DecisionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ("id", "title")
        read_only_fields = fields


class MeetingRefSerializer(serializers.ModelSerializer):
    board = FollowingBoardSerializer(read_only=True)

    class Meta:
        model = Meeting
        fields = ("id", "board", "starts_at")
        read_only_fields = fields


# --- Completion ----------------------------------------------------------------------------------


class CompletionSerializer(serializers.Serializer):
    """How a summit's action items stand (from ``selectors.Completion.as_dict()``)."""

    done_on_time = serializers.IntegerField(help_text="Done on or before the due date.")
    done_late = serializers.IntegerField(help_text="Done after the due date.")
    open = serializers.IntegerField(help_text="Open or in progress, not yet due.")
    overdue = serializers.IntegerField(help_text="Open or in progress, past the due date.")
    cancelled = serializers.IntegerField()
    total = serializers.IntegerField()
    completion_rate = serializers.IntegerField(
        allow_null=True,
        help_text="Percent done of what was committed (not cancelled); null when nothing was.",
    )


def _completion(completion) -> dict | None:
    return CompletionSerializer(completion.as_dict()).data if completion is not None else None


# --- Summits -------------------------------------------------------------------------------------


class ParticipantSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    function = FunctionRefSerializer(read_only=True, help_text="The function they represent.")

    class Meta:
        model = Participant
        fields = ("id", "person", "function", "note")
        read_only_fields = fields


class ReviewEvidenceSerializer(serializers.ModelSerializer):
    """A KPI the review rests on, with its value when it was added."""

    kpi = EvidenceKpiSerializer(read_only=True)

    class Meta:
        model = ReviewEvidence
        fields = ("id", "kpi", "value", "period", "target", "kpi_status", "captured_at")
        read_only_fields = fields


class SummitReviewSerializer(serializers.ModelSerializer):
    """A journey review as the summit lists it."""

    stage = ReviewedStageSerializer(read_only=True, allow_null=True)
    touchpoint = LinkedTouchpointSerializer(read_only=True, allow_null=True)
    gap = serializers.IntegerField(read_only=True, help_text="target_level - current_level.")
    evidence = ReviewEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = JourneyReview
        fields = (
            "id",
            "stage",
            "touchpoint",
            "current_level",
            "target_level",
            "gap",
            "notes",
            "evidence",
            "updated_at",
        )
        read_only_fields = fields


class JourneyReviewSerializer(SummitReviewSerializer):
    summit = SummitRefSerializer(read_only=True)
    updated_by = PersonRefSerializer(read_only=True)

    class Meta(SummitReviewSerializer.Meta):
        fields = ("id", "summit", *SummitReviewSerializer.Meta.fields[1:], "updated_by")
        read_only_fields = fields


class SummitCapabilitySerializer(serializers.ModelSerializer):
    """A row of the capability plan as the summit lists it."""

    area_label = serializers.CharField(source="get_area_display", read_only=True)
    partner_names = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The partners, one by one."
    )
    owner = PersonRefSerializer(read_only=True)

    class Meta:
        model = Capability
        fields = (
            "id",
            "area",
            "area_label",
            "sourcing",
            "partners",
            "partner_names",
            "gap",
            "owner",
            "notes",
            "updated_at",
        )
        read_only_fields = fields


class CapabilitySerializer(SummitCapabilitySerializer):
    summit = SummitRefSerializer(read_only=True)

    class Meta(SummitCapabilitySerializer.Meta):
        fields = ("id", "summit", *SummitCapabilitySerializer.Meta.fields[1:])
        read_only_fields = fields


class CapabilityRowSerializer(serializers.Serializer):
    """One of the five capability areas, in their fixed order, planned or not."""

    area = serializers.ChoiceField(choices=Capability.Area.choices)
    label = serializers.CharField()
    plan = SummitCapabilitySerializer(allow_null=True, help_text="null: not planned yet.")


class StageGapSerializer(serializers.Serializer):
    """A journey stage's mean current and target engagement over its reviews (a touchpoint
    counts at its stage)."""

    stage = ReviewedStageSerializer()
    current = serializers.FloatField()
    target = serializers.FloatField()
    gap = serializers.FloatField(help_text="target - current.")
    review_count = serializers.SerializerMethodField()

    def get_review_count(self, row) -> int:
        return len(row.reviews)


class SummitActionItemSerializer(serializers.ModelSerializer):
    """An action item as the summit lists it; the full record is at /action-items/{id}/."""

    owner = PersonRefSerializer(read_only=True)
    owner_function = FunctionRefSerializer(read_only=True)
    board = FollowingBoardSerializer(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    was_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = ActionItem
        fields = (
            "id",
            "title",
            "owner",
            "owner_function",
            "due_on",
            "priority",
            "status",
            "is_overdue",
            "completed_on",
            "was_late",
            "board",
        )
        read_only_fields = fields


class PreviousSummitSerializer(serializers.Serializer):
    summit = SummitRefSerializer()
    completion = CompletionSerializer()


class SummitSerializer(serializers.ModelSerializer):
    """A summit with its counts and how its action items stand. Completion comes from the
    view (attached to each summit for the whole page at once)."""

    chair = PersonRefSerializer(read_only=True)
    participant_count = serializers.IntegerField(read_only=True)
    item_count = serializers.IntegerField(read_only=True, help_text="Action items recorded.")
    completion = serializers.SerializerMethodField()

    class Meta:
        model = Summit
        fields = (
            "id",
            "title",
            "purpose",
            "starts_on",
            "ends_on",
            "location",
            "chair",
            "status",
            "participant_count",
            "item_count",
            "completion",
            "held_at",
            "closed_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(CompletionSerializer)
    def get_completion(self, obj):
        return _completion(obj.completion)


class SummitDetailSerializer(SummitSerializer):
    """The summit page as data (``selectors.summit_page``, in ``context["page"]``)."""

    participants = serializers.SerializerMethodField()
    uncovered_functions = serializers.SerializerMethodField(
        help_text="Functions holding a right on a reviewed touchpoint (directly or at a reviewed "
        "stage) with no participant here."
    )
    reviews = serializers.SerializerMethodField()
    stage_gaps = serializers.SerializerMethodField(help_text="The largest gap first.")
    capabilities = serializers.SerializerMethodField(
        help_text="The five capability areas in their fixed order, each with its plan or null."
    )
    action_items = serializers.SerializerMethodField(help_text="Soonest due first.")
    previous = serializers.SerializerMethodField(
        help_text="The summit before this one and how its action items stand; null for the first."
    )

    class Meta(SummitSerializer.Meta):
        fields = (
            *SummitSerializer.Meta.fields,
            "participants",
            "uncovered_functions",
            "reviews",
            "stage_gaps",
            "capabilities",
            "action_items",
            "previous",
        )
        read_only_fields = fields

    @property
    def page(self):
        return self.context["page"]

    @extend_schema_field(CompletionSerializer)
    def get_completion(self, obj):
        return _completion(self.page.completion)

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, obj):
        return ParticipantSerializer(self.page.participants, many=True).data

    @extend_schema_field(FunctionRefSerializer(many=True))
    def get_uncovered_functions(self, obj):
        return FunctionRefSerializer(self.page.uncovered, many=True).data

    @extend_schema_field(SummitReviewSerializer(many=True))
    def get_reviews(self, obj):
        return SummitReviewSerializer(self.page.reviews, many=True).data

    @extend_schema_field(StageGapSerializer(many=True))
    def get_stage_gaps(self, obj):
        return StageGapSerializer(self.page.gaps, many=True).data

    @extend_schema_field(CapabilityRowSerializer(many=True))
    def get_capabilities(self, obj):
        return CapabilityRowSerializer(self.page.capabilities, many=True).data

    @extend_schema_field(SummitActionItemSerializer(many=True))
    def get_action_items(self, obj):
        return SummitActionItemSerializer(self.page.action_items, many=True).data

    @extend_schema_field(PreviousSummitSerializer(allow_null=True))
    def get_previous(self, obj):
        if self.page.previous is None:
            return None
        row = {"summit": self.page.previous, "completion": self.page.previous_completion.as_dict()}
        return PreviousSummitSerializer(row).data


# --- Action items --------------------------------------------------------------------------------


class ActionItemUpdateSerializer(serializers.ModelSerializer):
    """One entry of an item's timeline: a progress note, a move along the lifecycle, a
    re-plan (old and new due date and owner), a board decision, an agenda."""

    author = PersonRefSerializer(read_only=True, allow_null=True)
    owner_before = PersonRefSerializer(read_only=True, allow_null=True)
    owner_after = PersonRefSerializer(read_only=True, allow_null=True)
    decision = DecisionRefSerializer(
        read_only=True, allow_null=True, help_text="The board decision that did it, if any."
    )
    meeting = MeetingRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ActionItemUpdate
        fields = (
            "id",
            "kind",
            "note",
            "author",
            "created_at",
            "status_before",
            "status_after",
            "due_before",
            "due_after",
            "owner_before",
            "owner_after",
            "decision",
            "meeting",
        )
        read_only_fields = fields


class LatestUpdateSerializer(serializers.ModelSerializer):
    author = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ActionItemUpdate
        fields = ("id", "kind", "note", "author", "created_at")
        read_only_fields = fields


class ActionItemAgendaSerializer(serializers.ModelSerializer):
    """An agenda item the action item was put on."""

    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    starts_at = serializers.DateTimeField(source="meeting.starts_at", read_only=True)

    class Meta:
        model = AgendaItem
        fields = ("id", "meeting", "starts_at", "title")
        read_only_fields = fields


class ActionItemSerializer(serializers.ModelSerializer):
    """An action item with its latest timeline entry. The entries come from the view
    (``context["latest"]``), read for the whole page at once."""

    summit = SummitRefSerializer(read_only=True)
    owner = PersonRefSerializer(read_only=True)
    owner_function = FunctionRefSerializer(read_only=True)
    board = FollowingBoardSerializer(read_only=True, help_text="The board that follows it up.")
    touchpoints = LinkedTouchpointSerializer(many=True, read_only=True)
    is_open = serializers.BooleanField(read_only=True, help_text="Open or in progress.")
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Open or in progress and past its due date."
    )
    was_late = serializers.BooleanField(read_only=True, help_text="Done after its due date.")
    latest_update = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = (
            "id",
            "summit",
            "title",
            "description",
            "owner",
            "owner_function",
            "due_on",
            "priority",
            "status",
            "is_open",
            "is_overdue",
            "completed_on",
            "was_late",
            "touchpoints",
            "board",
            "latest_update",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(LatestUpdateSerializer(allow_null=True))
    def get_latest_update(self, obj):
        latest = self.context["latest"].get(obj.pk)
        return LatestUpdateSerializer(latest).data if latest is not None else None


class ActionItemDetailSerializer(ActionItemSerializer):
    """An action item with its whole timeline and the agendas it was put on
    (``selectors.action_item_get``)."""

    latest_update = None  # the whole timeline is here
    created_by = PersonRefSerializer(read_only=True)
    next_statuses = serializers.SerializerMethodField(
        help_text="The statuses it may move to next (start: in_progress; complete: done)."
    )
    agenda_items = ActionItemAgendaSerializer(many=True, read_only=True)
    updates = ActionItemUpdateSerializer(
        many=True, read_only=True, help_text="The timeline, oldest first."
    )

    class Meta(ActionItemSerializer.Meta):
        fields = (
            *[f for f in ActionItemSerializer.Meta.fields if f != "latest_update"],
            "created_by",
            "next_statuses",
            "agenda_items",
            "updates",
        )
        read_only_fields = fields

    def get_next_statuses(self, obj) -> list[str]:
        return [str(status) for status in ActionItem.NEXT_STATUSES[obj.status]]


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


def _level(help_text: str, **kwargs):
    return serializers.IntegerField(min_value=1, max_value=5, help_text=help_text, **kwargs)


# Everyone, active or not: the services say "... is no longer active in the organisation."
PEOPLE = User.objects.all()
FUNCTIONS = Function.objects.all()
SUMMITS = Summit.objects.all()
TOUCHPOINTS = Touchpoint.objects.all()


def _refuse_moved_by_actions(serializer, moved_by: dict[str, str]) -> None:
    """Fields that change only through an action (which leaves a trace) are refused with a
    message saying which, rather than silently ignored as unknown fields would be."""
    sent = getattr(serializer, "initial_data", None) or {}
    errors = {name: [message] for name, message in moved_by.items() if name in sent}
    if errors:
        raise serializers.ValidationError(errors)


class SummitUpdateInputSerializer(serializers.Serializer):
    """What may change on a summit that is not closed; send only what changes. The chair
    changes the title, dates and place; executives and administrators also who chairs it.
    The status moves through hold/ and close/."""

    MOVED_BY_ACTIONS = {
        "status": "A summit moves on through hold/ and close/, not by changing its status."
    }

    title = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=20000, allow_blank=True)
    starts_on = serializers.DateField(
        help_text="Not after an action item's due date (re-plan it first)."
    )
    ends_on = serializers.DateField(help_text="Not before it starts.")
    location = serializers.CharField(max_length=200, allow_blank=True)
    chair = _ref(PEOPLE, "person", help_text="The id of the person who chairs it.")

    def validate(self, attrs):
        _refuse_moved_by_actions(self, self.MOVED_BY_ACTIONS)
        return attrs


class SummitCreateInputSerializer(SummitUpdateInputSerializer):
    """A new summit (executives and administrators), in planning."""

    def get_fields(self):
        fields = super().get_fields()
        optional = ("purpose", "ends_on", "location")
        for name, field in fields.items():
            field.required = name not in optional
        fields["ends_on"].help_text = "The day it starts if not given."
        return fields


class ParticipantAddInputSerializer(serializers.Serializer):
    person = _ref(PEOPLE, "person", help_text="Someone who works in or acts for the function.")
    function = _ref(FUNCTIONS, "function", help_text="The id of the function they represent.")
    note = _text(200, "Their role at the summit, e.g. facilitator.")


class JourneyReviewUpdateInputSerializer(serializers.Serializer):
    current_level = _level("Current engagement, 1 to 5.")
    target_level = _level("Target engagement, 1 to 5.")
    notes = serializers.CharField(max_length=20000, allow_blank=True)
    kpis = _refs(
        Kpi.objects.all(),
        "KPI",
        "KPIs",
        help_text="Ids of the KPIs the review rests on (the full list wanted): a KPI newly "
        "listed has its latest value captured now; one still listed keeps the value captured.",
    )


class JourneyReviewAddInputSerializer(serializers.Serializer):
    summit = _ref(SUMMITS, "summit")
    stage = _ref(
        JourneyStage.objects.all(),
        "journey stage",
        required=False,
        allow_null=True,
        help_text="The journey stage reviewed (or give touchpoint).",
    )
    touchpoint = _ref(
        TOUCHPOINTS,
        "touchpoint",
        required=False,
        allow_null=True,
        help_text="The touchpoint reviewed (or give stage).",
    )
    current_level = _level("Current engagement, 1 to 5.")
    target_level = _level("Target engagement, 1 to 5.")
    notes = _text(20000, "")
    kpis = _refs(
        Kpi.objects.all(),
        "KPI",
        "KPIs",
        help_text="Ids of the KPIs the review rests on, measuring the touchpoint (or a "
        "touchpoint at the stage): each one's latest value is kept with the review.",
    )


class CapabilityUpdateInputSerializer(serializers.Serializer):
    sourcing = serializers.ChoiceField(choices=Capability.Sourcing.choices)
    partners = serializers.CharField(
        max_length=300,
        allow_blank=True,
        help_text="The external partners' names, separated by commas (none when internal).",
    )
    gap = _level("1: we have what we need; 5: we have almost nothing.")
    owner = _ref(PEOPLE, "person", help_text="The id of the person who owns the capability.")
    notes = serializers.CharField(max_length=20000, allow_blank=True)


class CapabilityAddInputSerializer(CapabilityUpdateInputSerializer):
    summit = _ref(SUMMITS, "summit")
    area = serializers.ChoiceField(
        choices=Capability.Area.choices, help_text="One plan row per area."
    )

    def get_fields(self):
        fields = super().get_fields()
        for name in ("partners", "notes"):
            fields[name].required = False
            fields[name].default = ""
        return fields


class ActionItemUpdateInputSerializer(serializers.Serializer):
    """What may be edited on an open item; due date, owner and status move through the
    actions (replan/, start/, complete/, cancel/), which the timeline records."""

    MOVED_BY_ACTIONS = {
        "status": "The status moves one step at a time through start/, complete/, cancel/ "
        "and decide/.",
        "completed_on": "complete/ records the completion date.",
        "due_on": "The due date changes through replan/, which keeps the old one on the timeline.",
        "owner": "The owner changes through replan/, which keeps the old one on the timeline.",
        "owner_function": "The owner function changes through replan/.",
    }

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, allow_blank=True)
    priority = serializers.ChoiceField(choices=ActionItem.Priority.choices)
    touchpoints = _refs(TOUCHPOINTS, "touchpoint", "touchpoints it concerns (the full list)")

    def validate(self, attrs):
        _refuse_moved_by_actions(self, self.MOVED_BY_ACTIONS)
        return attrs


class ActionItemCreateInputSerializer(serializers.Serializer):
    summit = _ref(SUMMITS, "summit", help_text="The summit it was committed at (you chair it).")
    title = _text(200, "What is to be done, in a line (required).")
    description = _text(20000, "")
    owner = _ref(
        PEOPLE, "person", help_text="Who carries it out: works in or acts for the function."
    )
    owner_function = _ref(FUNCTIONS, "function", help_text="The function it is owned for.")
    due_on = serializers.DateField(help_text="Not before the summit, not in the past.")
    priority = serializers.ChoiceField(choices=ActionItem.Priority.choices, required=False)
    board = _ref(
        Board.objects.all(),
        "board",
        help_text="The active board that follows it up (it appears in its backlog).",
    )
    touchpoints = _refs(TOUCHPOINTS, "touchpoint", "touchpoints it concerns")


class ActionItemStartInputSerializer(serializers.Serializer):
    note = _text(20000, "What is being done, for the timeline.")


class ActionItemCompleteInputSerializer(serializers.Serializer):
    note = _text(20000, "What was done, for the timeline.")
    completed_on = serializers.DateField(
        required=False, help_text="Today if not given; not in the future, not before the summit."
    )


class ActionItemCancelInputSerializer(serializers.Serializer):
    reason = _text(20000, "Why the item is dropped (required).")


class ActionItemReplanInputSerializer(serializers.Serializer):
    reason = _text(20000, "Why it is re-planned (required).")
    due_on = serializers.DateField(
        required=False, help_text="The new due date: not before the summit, not in the past."
    )
    owner = _ref(PEOPLE, "person", required=False, help_text="The new owner's id.")
    owner_function = _ref(
        FUNCTIONS, "function", required=False, help_text="The new owner function's id."
    )


# Named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
DECISION_OUTCOMES = (
    ("complete", "complete: in progress → done"),
    ("cancel", "cancel"),
    ("replan", "replan: a new due date and/or owner"),
)


class ActionItemDecideInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=DECISION_OUTCOMES,
        help_text="complete (an item in progress), cancel, or replan (give due_on and/or owner).",
    )
    rationale = _text(20000, "Why the board decides so (required).")
    title = _text(200, "The decision's title; e.g. “Close as done: <item>” if not given.")
    meeting = _ref(
        Meeting.objects.all(),
        "meeting",
        required=False,
        allow_null=True,
        help_text="The board's meeting it was taken in.",
    )
    due_on = serializers.DateField(required=False, allow_null=True, help_text="For replan.")
    owner = _ref(PEOPLE, "person", required=False, allow_null=True, help_text="For replan.")
    owner_function = _ref(
        FUNCTIONS, "function", required=False, allow_null=True, help_text="For replan."
    )
    completed_on = serializers.DateField(
        required=False, allow_null=True, help_text="For complete: today if not given."
    )


class ActionItemAgendaInputSerializer(serializers.Serializer):
    meeting = _ref(
        Meeting.objects.all(),
        "meeting",
        help_text="An upcoming meeting of the board that follows the item up.",
    )
    notes = _text(4000, "For the agenda; the item's description if not given.")


class ActionItemProgressInputSerializer(serializers.Serializer):
    note = _text(20000, "What has happened (required).")
