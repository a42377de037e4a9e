from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, viewsets

from engagement.audit import selectors
from engagement.audit.api.serializers import AuditEventSerializer
from engagement.audit.filters import AuditEventFilterSet
from engagement.core.api.pagination import CursorPagination


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The governance audit log, newest first. Administrators and executives read all of it;
    others read their own actions. Cursor-paginated: follow `next` to page."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    pagination_class = CursorPagination
    # Newest first, always: a cursor needs one fixed, unique ordering.
    filter_backends = (DjangoFilterBackend, filters.SearchFilter)
    search_fields = ("object_repr", "verb")

    def get_queryset(self):
        return selectors.event_list(user=self.request.user)
