"""Serializers of the charter API. Outputs are read-only; inputs are ``*InputSerializer`` and
resolve foreign keys by id (an unknown id is a 400, never a 500)."""

from __future__ import annotations

from rest_framework import serializers

from charter.models import Claim, Conflict, Right, RightAssignment
from engagement.org.api.serializers import FunctionRefSerializer, PersonRefSerializer
from engagement.org.models import Function
from touchpoints.models import Touchpoint


class CharterTouchpointSerializer(serializers.ModelSerializer):
    """A touchpoint as the charter mentions it (apps do not share serializers)."""

    class Meta:
        model = Touchpoint
        fields = ("id", "name")
        read_only_fields = fields


class RightAssignmentSerializer(serializers.ModelSerializer):
    touchpoint = CharterTouchpointSerializer(read_only=True)
    function = FunctionRefSerializer(read_only=True)
    accountable = PersonRefSerializer(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = RightAssignment
        fields = (
            "id",
            "touchpoint",
            "right",
            "function",
            "accountable",
            "started_at",
            "ended_at",
            "is_active",
            "source",
            "end_reason",
            "claim",
        )
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    touchpoint = CharterTouchpointSerializer(read_only=True)
    function = FunctionRefSerializer(read_only=True)
    claimant = PersonRefSerializer(read_only=True)
    decided_by = PersonRefSerializer(read_only=True, allow_null=True)
    conflict = serializers.SerializerMethodField(
        help_text="The id of the conflict this claim opened (a claim on a held right), or null."
    )

    class Meta:
        model = Claim
        fields = (
            "id",
            "touchpoint",
            "right",
            "function",
            "claimant",
            "rationale",
            "status",
            "created_at",
            "decided_at",
            "decided_by",
            "decision_note",
            "conflict",
        )
        read_only_fields = fields

    def get_conflict(self, obj) -> int | None:
        # Selectors load the reverse one-to-one with select_related: no query here.
        conflict = getattr(obj, "conflict", None)
        return conflict.pk if conflict is not None else None


class ConflictSerializer(serializers.ModelSerializer):
    touchpoint = CharterTouchpointSerializer(read_only=True)
    holder_function = FunctionRefSerializer(read_only=True)
    claimant_function = FunctionRefSerializer(read_only=True)
    winner = FunctionRefSerializer(read_only=True, allow_null=True)
    decided_by = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Conflict
        fields = (
            "id",
            "claim",
            "touchpoint",
            "right",
            "holder_function",
            "claimant_function",
            "status",
            "opened_at",
            "winner",
            "decided_by",
            "decided_at",
            "rationale",
        )
        read_only_fields = fields


class ClaimInputSerializer(serializers.Serializer):
    touchpoint = serializers.PrimaryKeyRelatedField(
        queryset=Touchpoint.objects.all(), help_text="The touchpoint's id."
    )
    right = serializers.ChoiceField(choices=Right.choices)
    function = serializers.PrimaryKeyRelatedField(
        queryset=Function.objects.all(),
        help_text="The id of the function claiming (one you act for, as head or delegate).",
    )
    rationale = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default="",
        help_text="Why this function should hold the right.",
    )  # fmt: skip


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class RejectInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default="",
        help_text="Why the claim is rejected (required; the claimant reads it).",
    )  # fmt: skip


class ResolveInputSerializer(serializers.Serializer):
    winner = serializers.PrimaryKeyRelatedField(
        queryset=Function.objects.all(),
        help_text="The id of the function the right goes to: the holder or the claimant.",
    )
    rationale = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default="",
        help_text="The reason for the decision (required).",
    )  # fmt: skip


class RightCoverageSerializer(serializers.Serializer):
    right = serializers.CharField(source="right.value")
    held = serializers.IntegerField()
    vacant = serializers.IntegerField()


class FunctionLoadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    is_active = serializers.BooleanField()
    held = serializers.IntegerField(help_text="Active rights held on open touchpoints.")
    design = serializers.IntegerField(source="held_design")
    build = serializers.IntegerField(source="held_build")
    operate = serializers.IntegerField(source="held_operate")
    update = serializers.IntegerField(source="held_update")


class CoverageSerializer(serializers.Serializer):
    touchpoints = serializers.IntegerField(
        help_text="Touchpoints neither retired nor archived (the ones whose rights count)."
    )
    rights_total = serializers.IntegerField(help_text="touchpoints times 4 (the four rights)")
    held = serializers.IntegerField()
    vacant = serializers.IntegerField()
    contested = serializers.IntegerField(help_text="Open conflicts on those touchpoints.")
    pending_claims = serializers.IntegerField()
    share = serializers.FloatField(
        allow_null=True, help_text="held / rights_total, 0..1; null when there are none."
    )
    by_right = RightCoverageSerializer(many=True)
    functions = FunctionLoadSerializer(many=True)
