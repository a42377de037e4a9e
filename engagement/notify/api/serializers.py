"""Serializers of the notifications API: a person's notifications, and their preferences.

Outputs are read-only; inputs (``<Verb>InputSerializer``) check the shape, and the services
decide the rest. ``deliveries`` has one field per kind, so the schema lists the kinds and the
ways; an unknown kind is an error that names it, never silently dropped.
"""

from __future__ import annotations

from rest_framework import serializers

from engagement.notify.models import Notification, Preference
from engagement.notify.services import CHOOSABLE_KINDS, KIND_NAMES, unknown_kinds_message


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ("id", "kind", "title", "body", "url", "data", "created_at", "read_at", "is_read")
        read_only_fields = fields
        extra_kwargs = {
            "url": {"help_text": "The item it is about, relative to the site."},
            "data": {"help_text": "Details, e.g. the escalation level or days to the due date."},
        }


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text="Notifications in your inbox not read yet.")


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were marked read now.")
    unread = serializers.IntegerField(help_text="Notifications still unread (0).")


def _delivery_field(kind: str, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=Preference.Delivery.choices, help_text=str(KIND_NAMES[kind]), **kwargs
    )


class DeliveriesSerializer(serializers.Serializer):
    """The way each kind reaches the person: ``email`` each one, in the ``digest``, or the
    ``inbox`` only."""

    def get_fields(self):
        return {kind: _delivery_field(kind, read_only=True) for kind in CHOOSABLE_KINDS}


class DeliveriesInputSerializer(serializers.Serializer):
    """The kinds to set; with PUT a kind left out comes by e-mail, with PATCH it keeps its
    current way."""

    def get_fields(self):
        return {kind: _delivery_field(kind, required=False) for kind in CHOOSABLE_KINDS}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = [str(key) for key in data if key not in CHOOSABLE_KINDS]
            if unknown:
                raise serializers.ValidationError(unknown_kinds_message(unknown))
        return super().to_internal_value(data)


class PreferenceSerializer(serializers.Serializer):
    deliveries = DeliveriesSerializer(read_only=True)
    digest = serializers.ChoiceField(
        choices=Preference.Frequency.choices,
        read_only=True,
        help_text="How often the digest goes out: `none`, `daily` or `weekly` (Mondays).",
    )
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null until you first save a preference."
    )


class PreferenceUpdateInputSerializer(serializers.Serializer):
    deliveries = DeliveriesInputSerializer()
    digest = serializers.ChoiceField(choices=Preference.Frequency.choices)
