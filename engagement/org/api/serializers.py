from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagement.org.models import Function, User


class PersonRefSerializer(serializers.ModelSerializer):
    """A person as other resources mention them."""

    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ("id", "username", "name", "title")
        read_only_fields = fields


class FunctionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Function
        fields = ("id", "slug", "name")
        read_only_fields = fields


class FunctionSerializer(serializers.ModelSerializer):
    head = PersonRefSerializer(read_only=True)
    delegates = PersonRefSerializer(many=True, read_only=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Function
        fields = (
            "id",
            "slug",
            "name",
            "description",
            "head",
            "delegates",
            "member_count",
            "is_active",
        )
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    function = FunctionRefSerializer(read_only=True)

    class Meta:
        model = User
        fields = ("id", "username", "name", "first_name", "last_name", "title", "function")
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    """Who am I: the signed-in person, their roles and the functions they act for."""

    name = serializers.CharField(source="display_name", read_only=True)
    function = FunctionRefSerializer(read_only=True)
    roles = serializers.SerializerMethodField()
    is_executive = serializers.SerializerMethodField()
    is_admin = serializers.SerializerMethodField()
    acting_for = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "name",
            "email",
            "title",
            "function",
            "is_executive",
            "is_admin",
            "roles",
            "acting_for",
        )
        read_only_fields = fields

    def _roles(self, obj):
        return self.context["roles"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_roles(self, obj) -> list[str]:
        return self._roles(obj).codes

    def get_is_executive(self, obj) -> bool:
        return self._roles(obj).is_executive

    def get_is_admin(self, obj) -> bool:
        return self._roles(obj).is_admin

    @extend_schema_field(
        serializers.ListField(child=serializers.DictField(), help_text="Functions I act for")
    )
    def get_acting_for(self, obj) -> list[dict]:
        roles = self._roles(obj)
        return [
            {
                "id": f.id,
                "slug": f.slug,
                "name": f.name,
                "as": "head" if f.id in roles.headed_function_ids else "delegate",
            }
            for f in self.context["acting_functions"]
        ]
