import django_filters

from engagement.org.models import Function, User


class FunctionFilterSet(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()
    head = django_filters.NumberFilter(field_name="head_id")

    class Meta:
        model = Function
        fields = ("is_active", "head")


class PersonFilterSet(django_filters.FilterSet):
    function = django_filters.CharFilter(
        field_name="function__slug", help_text="Slug of the person's home function."
    )

    class Meta:
        model = User
        fields = ("function",)
