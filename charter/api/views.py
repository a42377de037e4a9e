"""The charter API: right assignments (current and past), claims, conflicts and coverage.

Reads go through ``charter.selectors``; each action calls one service, which checks who may
do it. Domain errors become 400/403/404/409 in the API's one error format.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from charter import selectors, services
from charter.api.serializers import (
    ClaimInputSerializer,
    ClaimSerializer,
    ConflictSerializer,
    CoverageSerializer,
    NoteInputSerializer,
    RejectInputSerializer,
    ResolveInputSerializer,
    RightAssignmentSerializer,
)
from charter.filters import ClaimFilterSet, ConflictFilterSet, RightAssignmentFilterSet

ERRORS = {
    400: OpenApiResponse(description="Invalid input: an unknown id, right or missing reason."),
    403: OpenApiResponse(description="You may not do this (for example, not your function)."),
    404: OpenApiResponse(description="No such object."),
    409: OpenApiResponse(description="Clashes with the current state (already decided, held)."),
}


def _errors(*codes):
    return {code: ERRORS[code] for code in codes}


class RightAssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Who holds (and held) which right on which touchpoint. `?active=true` for the charter in
    force, `?as_of=YYYY-MM-DD` for the charter at the end of that day."""

    serializer_class = RightAssignmentSerializer
    filterset_class = RightAssignmentFilterSet
    search_fields = ("touchpoint__name", "function__name")
    ordering_fields = ("started_at", "ended_at", "right", "id")
    ordering = ("-started_at", "-id")

    def get_queryset(self):
        return selectors.assignment_list(user=self.request.user)

    @extend_schema(
        request=None,
        responses={200: RightAssignmentSerializer, **_errors(403, 404, 409)},
        examples=[
            OpenApiExample(
                "Released",
                response_only=True,
                value={
                    "id": 12,
                    "touchpoint": {"id": 4, "name": "Call-centre script"},
                    "right": "design",
                    "function": {"id": 1, "slug": "marketing", "name": "Marketing"},
                    "accountable": {
                        "id": 7,
                        "username": "dokafor",
                        "name": "Daniel Okafor",
                        "title": "Chief Marketing Officer",
                    },
                    "started_at": "2026-03-01T09:00:00Z",
                    "ended_at": "2026-11-20T15:30:00Z",
                    "is_active": False,
                    "source": "claim",
                    "end_reason": "released",
                    "claim": 31,
                },
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """The holding function gives the right up; it becomes vacant. Its head or a
        delegate (or an administrator) may release it."""
        assignment = services.right_release(actor=request.user, assignment=self.get_object())
        fresh = selectors.assignment_list(user=request.user).get(pk=assignment.pk)
        return Response(self.get_serializer(fresh).data)


CLAIM_EXAMPLE = {
    "id": 31,
    "touchpoint": {"id": 4, "name": "Call-centre script"},
    "right": "design",
    "function": {"id": 1, "slug": "marketing", "name": "Marketing"},
    "claimant": {"id": 7, "username": "dokafor", "name": "Daniel Okafor",
                 "title": "Chief Marketing Officer"},
    "rationale": "Marketing writes every script customers hear.",
    "status": "contested",
    "created_at": "2026-11-20T15:30:00Z",
    "decided_at": None,
    "decided_by": None,
    "decision_note": "",
    "conflict": 5,
}  # fmt: skip


def _claim_example(name, **changes):
    return OpenApiExample(name, response_only=True, value={**CLAIM_EXAMPLE, **changes})


class ClaimViewSet(viewsets.ReadOnlyModelViewSet):
    """Claims of functions on rights. `POST` claims a right for a function you act for: a
    vacant right is granted (or waits for approval, as configured); a held one opens a
    conflict. The answer's `status` says which, with `conflict` set when contested."""

    serializer_class = ClaimSerializer
    filterset_class = ClaimFilterSet
    search_fields = ("touchpoint__name", "function__name", "rationale")
    ordering_fields = ("created_at", "decided_at", "status", "id")
    ordering = ("-created_at", "-id")

    def get_queryset(self):
        return selectors.claim_list(user=self.request.user)

    def _fresh(self, claim):
        return self.get_serializer(selectors.claim_get(user=self.request.user, pk=claim.pk)).data

    @extend_schema(
        request=ClaimInputSerializer,
        responses={201: ClaimSerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample(
                "Claim the right to design",
                request_only=True,
                value={
                    "touchpoint": 4,
                    "right": "design",
                    "function": 1,
                    "rationale": "Marketing writes every script customers hear.",
                },
            ),
            _claim_example(
                "Granted (the right was vacant)",
                status="granted",
                decided_at="2026-11-20T15:30:00Z",
                conflict=None,
            ),
            _claim_example("Contested (another function holds it)"),
        ],
    )
    def create(self, request, *args, **kwargs):
        data = ClaimInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.right_claim(actor=request.user, **data.validated_data)
        return Response(self._fresh(claim), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=NoteInputSerializer,
        responses={200: ClaimSerializer, **_errors(403, 404, 409)},
        examples=[
            OpenApiExample("Approve", request_only=True, value={"note": "Agreed at the board."}),
            _claim_example(
                "Approved",
                status="granted",
                decided_at="2026-11-21T10:00:00Z",
                decision_note="Agreed at the board.",
                conflict=None,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a claim waiting for approval: the right is granted to the function."""
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = self.get_object()
        services.claim_approve(actor=request.user, claim=claim, note=data.validated_data["note"])
        return Response(self._fresh(claim))

    @extend_schema(
        request=RejectInputSerializer,
        responses={200: ClaimSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Reject", request_only=True, value={"note": "Operations runs this channel."}
            ),
            _claim_example(
                "Rejected",
                status="rejected",
                decided_at="2026-11-21T10:00:00Z",
                decision_note="Operations runs this channel.",
                conflict=None,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject a claim waiting for approval, with a note saying why."""
        data = RejectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = self.get_object()
        services.claim_reject(actor=request.user, claim=claim, note=data.validated_data["note"])
        return Response(self._fresh(claim))

    @extend_schema(
        request=None,
        responses={200: ClaimSerializer, **_errors(403, 404, 409)},
        examples=[
            _claim_example("Withdrawn", status="withdrawn", decided_at="2026-11-21T10:00:00Z"),
        ],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw an open claim (and its conflict). Anyone acting for the claiming function."""
        claim = self.get_object()
        services.claim_withdraw(actor=request.user, claim=claim)
        return Response(self._fresh(claim))


class ConflictViewSet(viewsets.ReadOnlyModelViewSet):
    """Conflicts: a function claimed a right another function holds. `?function=` matches
    either side."""

    serializer_class = ConflictSerializer
    filterset_class = ConflictFilterSet
    search_fields = ("touchpoint__name", "holder_function__name", "claimant_function__name")
    ordering_fields = ("opened_at", "decided_at", "status", "id")
    ordering = ("-opened_at", "-id")

    def get_queryset(self):
        return selectors.conflict_list(user=self.request.user)

    @extend_schema(
        request=ResolveInputSerializer,
        responses={200: ConflictSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Resolve for the claimant",
                request_only=True,
                value={"winner": 1, "rationale": "Scripts are brand voice: Marketing designs."},
            ),
            OpenApiExample(
                "Resolved",
                response_only=True,
                value={
                    "id": 5,
                    "claim": 31,
                    "touchpoint": {"id": 4, "name": "Call-centre script"},
                    "right": "design",
                    "holder_function": {"id": 2, "slug": "operations", "name": "Operations"},
                    "claimant_function": {"id": 1, "slug": "marketing", "name": "Marketing"},
                    "status": "resolved",
                    "opened_at": "2026-11-20T15:30:00Z",
                    "winner": {"id": 1, "slug": "marketing", "name": "Marketing"},
                    "decided_by": {
                        "id": 2,
                        "username": "ceo",
                        "name": "Catherine Moreau",
                        "title": "Chief Executive Officer",
                    },
                    "decided_at": "2026-11-22T09:00:00Z",
                    "rationale": "Scripts are brand voice: Marketing designs.",
                },
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Decide a conflict: the right goes to (or stays with) the winner, with the reason.
        Executives and administrators (and the governing board's chair)."""
        data = ResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conflict = self.get_object()
        services.conflict_resolve(actor=request.user, conflict=conflict, **data.validated_data)
        fresh = selectors.conflict_get(user=request.user, pk=conflict.pk)
        return Response(self.get_serializer(fresh).data)


class CoverageView(APIView):
    """How much of the charter is written, the gaps and disputes, and each function's load."""

    @extend_schema(
        responses=CoverageSerializer,
        examples=[
            OpenApiExample(
                "Coverage",
                value={
                    "touchpoints": 12,
                    "rights_total": 48,
                    "held": 41,
                    "vacant": 7,
                    "contested": 2,
                    "pending_claims": 1,
                    "share": 0.854,
                    "by_right": [
                        {"right": "design", "held": 11, "vacant": 1},
                        {"right": "build", "held": 10, "vacant": 2},
                        {"right": "operate", "held": 10, "vacant": 2},
                        {"right": "update", "held": 10, "vacant": 2},
                    ],
                    "functions": [
                        {
                            "id": 1,
                            "slug": "marketing",
                            "name": "Marketing",
                            "is_active": True,
                            "held": 14,
                            "design": 8,
                            "build": 0,
                            "operate": 1,
                            "update": 5,
                        },
                    ],
                },
            )
        ],
    )
    def get(self, request):
        coverage = selectors.coverage_summary(user=request.user)
        return Response(CoverageSerializer(coverage).data)
