"""The notifications API: a person's own notifications (list, detail, mark read, mark all
read, unread count) and their notification preferences.

Everything starts from the person's own inbox: another person's notification is a 404, as if
it did not exist. The list is cursor-paginated, newest first (it grows without bound, and
new rows would shift an offset's pages): follow ``next``.
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics
from rest_framework.decorators import action
from rest_framework.response import Response

from engagement.core.api.errors import ErrorSerializer
from engagement.core.api.pagination import CursorPagination
from engagement.core.api.viewsets import ServiceViewSet
from engagement.notify import selectors, services
from engagement.notify.api import serializers as s
from engagement.notify.filters import NotificationFilterSet

ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer,
        description="The input is not valid: an unknown filter value, kind or way, or a kind "
        "held for a digest that never goes out.",
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such notification in your inbox."),
}


def _errors(*codes):
    return {code: ERRORS[code] for code in codes}


@extend_schema_view(
    list=extend_schema(responses={200: s.NotificationSerializer(many=True), **_errors(400)}),
    retrieve=extend_schema(responses={200: s.NotificationSerializer, **_errors(404)}),
)
class NotificationViewSet(ServiceViewSet):
    """Your notifications, newest first: reminders, escalations, meeting and charter alerts
    and digests. Filter with `unread=true` (or `false`). Marking read is yours only; nothing
    is deleted."""

    serializer_class = s.NotificationSerializer
    filterset_class = NotificationFilterSet
    filter_backends = (DjangoFilterBackend,)
    pagination_class = CursorPagination

    def get_queryset(self):
        return selectors.inbox(user=self.request.user)

    @extend_schema(request=None, responses={200: s.NotificationSerializer, **_errors(404)})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark the notification read (reading it again keeps the first time)."""
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
        return self.output(notification)

    @extend_schema(request=None, responses={200: s.ReadAllSerializer})
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        """Mark every unread notification read."""
        marked = services.notification_mark_all_read(user=request.user)
        unread = selectors.unread_count(user=request.user)
        return Response(s.ReadAllSerializer({"marked": marked, "unread": unread}).data)

    @extend_schema(responses={200: s.UnreadCountSerializer}, filters=False)
    @action(detail=False, methods=["get"], url_path="unread-count", url_name="unread-count")
    def unread_count(self, request):
        """How many notifications are unread (what the badge in the navigation shows)."""
        unread = selectors.unread_count(user=request.user)
        return Response(s.UnreadCountSerializer({"unread": unread}).data)


PREFERENCE_EXAMPLE = {
    "deliveries": {"reminder": "digest", "meeting": "inbox", "escalation": "email"},
    "digest": "daily",
}


class NotificationPreferenceView(generics.GenericAPIView):
    """How each kind of notification reaches you: `email` (each one), `digest` (gathered in a
    daily or weekly e-mail) or `inbox` (only in the inbox). A kind you never chose comes by
    e-mail. PUT replaces the choice (kinds left out come by e-mail); PATCH changes only the
    kinds and fields given."""

    serializer_class = s.PreferenceSerializer
    pagination_class = None
    filter_backends = ()

    def _answer(self, preference):
        data = {
            "deliveries": selectors.deliveries_of(preference),
            "digest": preference.digest,
            "updated_at": preference.updated_at,
        }
        return Response(s.PreferenceSerializer(data).data)

    def _parse(self, partial: bool) -> dict:
        serializer = s.PreferenceUpdateInputSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(responses={200: s.PreferenceSerializer})
    def get(self, request):
        return self._answer(selectors.preference_for(user=request.user))

    def _update(self, request, partial: bool):
        data = self._parse(partial)
        current = selectors.preference_for(user=request.user)
        deliveries = dict(data.get("deliveries", {}))
        if partial:
            deliveries = {**selectors.deliveries_of(current), **deliveries}
        preference = services.preference_update(
            user=request.user,
            person=request.user,
            deliveries=deliveries,
            digest=data.get("digest", current.digest),
        )
        return self._answer(preference)

    @extend_schema(
        request=s.PreferenceUpdateInputSerializer,
        responses={200: s.PreferenceSerializer, **_errors(400)},
        examples=[OpenApiExample("Reminders in a daily digest", value=PREFERENCE_EXAMPLE)],
    )
    def put(self, request):
        return self._update(request, partial=False)

    @extend_schema(
        request=s.PreferenceUpdateInputSerializer,
        responses={200: s.PreferenceSerializer, **_errors(400)},
        examples=[
            OpenApiExample(
                "Escalations in the inbox only", value={"deliveries": {"escalation": "inbox"}}
            )
        ],
    )
    def patch(self, request):
        return self._update(request, partial=True)
