import django_filters
from django.db.models import Q

from engagement.audit.models import AuditEvent
from engagement.core.filtersets import IdFilter


class AuditEventFilterSet(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        method="filter_object_type", help_text="`app_label.model`, for example `org.function`."
    )
    object_id = django_filters.CharFilter()
    actor = IdFilter(field_name="actor_id")
    verb = django_filters.CharFilter()
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ("object_type", "object_id", "actor", "verb")

    def filter_object_type(self, queryset, name, value):
        app_label, _, model = value.partition(".")
        return queryset.filter(
            Q(content_type__app_label=app_label) & Q(content_type__model=model.lower())
        )
