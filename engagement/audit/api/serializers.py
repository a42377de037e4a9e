from rest_framework import serializers

from engagement.audit.models import AuditEvent
from engagement.org.api.serializers import PersonRefSerializer


class AuditEventSerializer(serializers.ModelSerializer):
    actor = PersonRefSerializer(read_only=True)
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "occurred_at",
            "actor",
            "verb",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
        )
        read_only_fields = fields

    def get_object_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"
