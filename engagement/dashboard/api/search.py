"""``GET /api/v1/search/?q=``: the search page's results as data, grouped by kind.

The same search as the page (``engagement.dashboard.search``): touchpoints, boards,
decisions, action items and people, each from what the caller may see, at most eight of each
with the total, and the address of the kind's own list with the query applied. A query
shorter than two characters, or longer than a hundred, is a 400 and nothing is searched.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.core.api.errors import ErrorSerializer
from engagement.core.errors import Invalid
from engagement.dashboard import search as searching


class SearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(
        help_text=(
            f"The words to find ({searching.MIN_LENGTH} to {searching.MAX_LENGTH} characters); "
            "every word must appear in the same record, in any case."
        ),
        # A blank query gets the same answer as a short one, from ``clean_query``.
        allow_blank=True,
        error_messages={"required": _("Give the words to search for in q.")},
    )

    def validate_q(self, value: str) -> str:
        try:
            return searching.clean_query(value)
        except Invalid as exc:
            raise serializers.ValidationError(exc.message) from None


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField(help_text="The name or title (a person's full name).")
    url = serializers.CharField(help_text="Path of the record's page on this site.")
    summary = serializers.CharField(help_text="What the page lists beside the title.")
    excerpt = serializers.CharField(
        source="excerpt_text",
        help_text="Where the words were found when the title does not hold them all; else empty.",
    )


class SearchGroupSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="How many records of this kind match.")
    results = SearchHitSerializer(many=True, source="hits", help_text="The first eight.")
    list_url = serializers.CharField(
        help_text="Path of this kind's list, showing every match (the same query applied)."
    )


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The query as searched (spaces tidied).")
    total = serializers.IntegerField(help_text="Matches of every kind.")
    touchpoints = SearchGroupSerializer()
    boards = SearchGroupSerializer(help_text="Active boards.")
    decisions = SearchGroupSerializer()
    action_items = SearchGroupSerializer()
    people = SearchGroupSerializer(help_text="Active people.")


class SearchView(APIView):
    """Search touchpoints, boards, decisions, action items and people at once."""

    @extend_schema(
        operation_id="search",
        tags=["search"],
        parameters=[SearchInputSerializer],
        responses={
            200: SearchResultsSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="q is missing, shorter than 2 or longer than 100."
            ),
        },
    )
    def get(self, request):
        params = SearchInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        results = searching.search(user=request.user, query=params.validated_data["q"])
        data = {"query": results.query, "total": results.total}
        data.update({group.kind: group for group in results.groups})
        return Response(SearchResultsSerializer(data).data)


urlpatterns = [path("search/", SearchView.as_view(), name="search")]
