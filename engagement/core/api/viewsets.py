"""The base of the apps' API view sets: list and retrieve, with writes declared one by one.

Each write action parses its input with an input serializer, calls one service and answers
with the object read again as the list and detail show it. Output is serialized with what it
needs computed for all rows at once, so a page costs the same number of queries as one row.
"""

from __future__ import annotations

from rest_framework import mixins, status, viewsets
from rest_framework.response import Response


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and retrieve; writes are declared one by one (no PUT, and no DELETE but where a
    view set says so). Ids are numbers: anything else is a 404 from the router."""

    lookup_value_regex = "[0-9]+"

    def parse(self, serializer_class, partial: bool = False) -> dict:
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def serialize(self, objects: list, *, many: bool):
        """Serialize ``objects`` with what the output needs computed for all of them at once
        (``extra_context``), so a page costs the same number of queries as one row."""
        context = {**self.get_serializer_context(), **self.extra_context(objects)}
        serializer_class = self.get_serializer_class()
        return serializer_class(objects if many else objects[0], many=many, context=context).data

    def extra_context(self, objects: list) -> dict:
        return {}

    def output(self, obj, status_code=status.HTTP_200_OK):
        return Response(self.serialize([obj], many=False), status=status_code)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        data = self.serialize(rows, many=True)
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        return self.output(self.get_object())

    def fresh(self, obj, status_code=status.HTTP_200_OK):
        """Answer with ``obj`` read again as the list and detail show it."""
        return self.output(self.get_queryset().get(pk=obj.pk), status_code=status_code)
