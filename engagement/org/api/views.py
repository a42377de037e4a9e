from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.org import selectors
from engagement.org.api.serializers import FunctionSerializer, MeSerializer, PersonSerializer
from engagement.org.filters import FunctionFilterSet, PersonFilterSet
from engagement.org.models import User
from engagement.org.roles import functions_acted_for, roles_for


class FunctionViewSet(viewsets.ReadOnlyModelViewSet):
    """Business functions, with their head and delegates. Archived ones are included and
    flagged (`is_active=false`); filter with `?is_active=true`."""

    serializer_class = FunctionSerializer
    filterset_class = FunctionFilterSet
    search_fields = ("name", "description")
    ordering_fields = ("name", "id")
    ordering = ("name",)

    def get_queryset(self):
        return selectors.function_list(user=self.request.user, include_archived=True)


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """Active people in the organisation."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    search_fields = ("username", "first_name", "last_name", "title")
    ordering_fields = ("last_name", "username", "id")
    ordering = ("last_name", "first_name", "username")

    def get_queryset(self):
        return selectors.person_list(user=self.request.user)


class MeView(APIView):
    """Who am I: my profile, my roles and the functions I may act for."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = User.objects.select_related("function").get(pk=request.user.pk)
        roles = roles_for(request.user)
        serializer = MeSerializer(
            user,
            context={
                "request": request,
                "roles": roles,
                "acting_functions": list(functions_acted_for(request.user)),
            },
        )
        return Response(serializer.data)
