"""The inbox's filter, shared by the API and the page.

``unread`` takes ``true`` or ``false``; anything else is an error (400 in the API, a form
error on the page), never silently ignored.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from engagement.notify.models import Notification


class YesNoField(django_filters.fields.ChoiceField):
    """``true`` or ``false`` as a ``bool``; empty is ``None`` (no filtering)."""

    def clean(self, value):
        return {"true": True, "false": False}.get(super().clean(value))


class YesNoFilter(django_filters.ChoiceFilter):
    field_class = YesNoField


class NotificationFilterSet(django_filters.FilterSet):
    unread = YesNoFilter(
        choices=(("true", _("Unread")), ("false", _("Read"))),
        empty_label=_("All"),
        method="filter_unread",
        label=_("Show"),
        help_text="`true`: unread only; `false`: read only; absent: all.",
    )

    class Meta:
        model = Notification
        fields = ("unread",)

    def filter_unread(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)
