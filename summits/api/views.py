"""The summits API: summits (participants, journey review, capability plan, completion),
journey reviews, capability-plan rows and action items (lifecycle, re-plans, board decisions,
agendas, progress timeline).

Reads start from ``summits.selectors`` or ``Model.objects.visible_to(user)`` (everything here
is open to everyone signed in; an unknown id is a 404). Every write parses its input with a
``<Verb>InputSerializer`` and calls one service, which checks who may do it and the domain's
rules; their errors come back as 400/403/404/409 in the API's one error format. Summits and
action items are never deleted (no PUT, no DELETE): a summit is closed, an item cancelled.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import filters, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from engagement.core.api.errors import ErrorSerializer
from engagement.core.api.viewsets import ServiceViewSet
from summits import selectors, services
from summits.api import serializers as s
from summits.filters import (
    ActionItemFilterSet,
    CapabilityFilterSet,
    JourneyReviewFilterSet,
    SummitFilterSet,
)
from summits.models import Capability, JourneyReview, Participant, ReviewEvidence

ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer,
        description="The input is not valid: an unknown id, a missing reason, a rule broken "
        "(a due date before the summit, an owner outside the function).",
    ),
    403: OpenApiResponse(
        ErrorSerializer,
        description="You may not do this (for example, the item is not yours to complete).",
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such object."),
    409: OpenApiResponse(
        ErrorSerializer,
        description="It clashes with the current state (a closed summit, an item not started "
        "or already done, an area already planned).",
    ),
}


def _errors(*codes):
    return {code: ERRORS[code] for code in codes}


# --- Summits -------------------------------------------------------------------------------------

SUMMIT_EXAMPLE = {
    "title": "Customer-engagement summit 2027",
    "purpose": "Walk the journey; leave with commitments.",
    "starts_on": "2027-03-10",
    "ends_on": "2027-03-11",
    "location": "Head office",
    "chair": 7,
}


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.SummitDetailSerializer, **_errors(404)}),
    create=extend_schema(
        request=s.SummitCreateInputSerializer,
        responses={201: s.SummitDetailSerializer, **_errors(400, 403)},
        examples=[OpenApiExample("Call a summit", value=SUMMIT_EXAMPLE, request_only=True)],
    ),
    partial_update=extend_schema(
        request=s.SummitUpdateInputSerializer,
        responses={200: s.SummitDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample("A second day", value={"ends_on": "2027-03-12"}, request_only=True)
        ],
    ),
)
class SummitViewSet(ServiceViewSet):
    """Summits, the latest first, each with how its action items stand (done on time, done
    late, open, overdue, cancelled). The detail is the summit page as data: participants
    (sorted by the function they represent), functions with rights on the reviewed
    touchpoints but nobody at the summit, the journey review with its evidence and the gap
    per stage (largest first), the capability plan for the five areas, the action items, and
    the previous summit's results.

    Executives and administrators call a summit; its chair, executives and administrators
    change it (PATCH) and invite participants while it is not closed; the chair marks it held
    and closes it, which freezes its record. Summits are never deleted.
    """

    filterset_class = SummitFilterSet
    # Ordering is the filter set's `ordering` (shared with the HTML list), not DRF's.
    filter_backends = (DjangoFilterBackend, filters.SearchFilter)
    search_fields = ("title", "purpose", "location")

    def get_serializer_class(self):
        if self.action == "list":
            return s.SummitSerializer
        return s.SummitDetailSerializer

    def get_queryset(self):
        return selectors.summit_list(user=self.request.user)

    def extra_context(self, objects):
        if self.action == "list":
            selectors.attach_completion(objects)  # one query for the page
            return {}
        return {"page": selectors.summit_page(user=self.request.user, summit=objects[0])}

    def create(self, request):
        summit = services.summit_create(
            actor=request.user, **self.parse(s.SummitCreateInputSerializer)
        )
        return self.fresh(summit, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        summit = self.get_object()
        changes = self.parse(s.SummitUpdateInputSerializer, partial=True)
        return self.fresh(services.summit_update(actor=request.user, summit=summit, **changes))

    @extend_schema(
        request=None, responses={200: s.SummitDetailSerializer, **_errors(403, 404, 409)}
    )
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """The chair records that the summit took place (from its first day)."""
        summit = self.get_object()
        return self.fresh(services.summit_hold(actor=request.user, summit=summit))

    @extend_schema(
        request=None, responses={200: s.SummitDetailSerializer, **_errors(403, 404, 409)}
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The chair closes a held summit: its participants, review and plan are frozen; its
        action items go on with the boards that follow them up."""
        summit = self.get_object()
        return self.fresh(services.summit_close(actor=request.user, summit=summit))

    @extend_schema(
        request=s.ParticipantAddInputSerializer,
        responses={201: s.SummitDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Invite someone for Marketing",
                value={"person": 12, "function": 1, "note": "Presents the service stage."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        """Invite a person to represent a function they work in or act for."""
        summit = self.get_object()
        data = self.parse(s.ParticipantAddInputSerializer)
        services.participant_add(actor=request.user, summit=summit, **data)
        return self.fresh(summit, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: None, **_errors(403, 404, 409)},
        parameters=[
            OpenApiParameter(
                "participant_id",
                int,
                OpenApiParameter.PATH,
                description="The participant's id (as the summit lists its participants).",
            )
        ],
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"participants/(?P<participant_id>[0-9]+)",
        url_name="participant-remove",
    )
    def participant_remove(self, request, pk=None, participant_id=None):
        """Take a participant off a summit that is not closed."""
        summit = self.get_object()
        participant = get_object_or_404(
            Participant.objects.visible_to(request.user).filter(summit=summit),
            pk=participant_id,
        )
        services.participant_remove(actor=request.user, participant=participant)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Journey reviews -----------------------------------------------------------------------------


REVIEW_EXAMPLE = {
    "summit": 4,
    "touchpoint": 12,
    "current_level": 2,
    "target_level": 4,
    "notes": "Customers repeat themselves to every agent.",
    "kpis": [9],
}


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.JourneyReviewSerializer, **_errors(404)}),
    create=extend_schema(
        request=s.JourneyReviewAddInputSerializer,
        responses={201: s.JourneyReviewSerializer, **_errors(400, 403, 409)},
        examples=[OpenApiExample("Review a touchpoint", value=REVIEW_EXAMPLE, request_only=True)],
    ),
    partial_update=extend_schema(
        request=s.JourneyReviewUpdateInputSerializer,
        responses={200: s.JourneyReviewSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Aim higher, with more evidence",
                value={"target_level": 5, "kpis": [9, 10]},
                request_only=True,
            )
        ],
    ),
    destroy=extend_schema(request=None, responses={204: None, **_errors(403, 404, 409)}),
)
class JourneyReviewViewSet(mixins.DestroyModelMixin, ServiceViewSet):
    """Journey reviews: current and target engagement (1 to 5) of a journey stage or a
    touchpoint at a summit, with the KPIs as evidence (their values when they were added).
    The chair and the participants add, change and remove them until the summit is closed."""

    serializer_class = s.JourneyReviewSerializer
    filterset_class = JourneyReviewFilterSet
    filter_backends = (DjangoFilterBackend, filters.OrderingFilter)
    ordering_fields = ("current_level", "target_level", "updated_at", "id")

    def get_queryset(self):
        return (
            JourneyReview.objects.visible_to(self.request.user)
            .select_related("summit", "stage", "touchpoint", "updated_by")
            .prefetch_related(Prefetch("evidence", ReviewEvidence.objects.select_related("kpi")))
        )

    def create(self, request):
        review = services.review_add(
            actor=request.user, **self.parse(s.JourneyReviewAddInputSerializer)
        )
        return self.fresh(review, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        review = self.get_object()
        changes = self.parse(s.JourneyReviewUpdateInputSerializer, partial=True)
        return self.fresh(services.review_update(actor=request.user, review=review, **changes))

    def destroy(self, request, pk=None):
        """Remove the review and its evidence."""
        services.review_remove(actor=request.user, review=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Capability plan -----------------------------------------------------------------------------


CAPABILITY_EXAMPLE = {
    "summit": 4,
    "area": "data",
    "sourcing": "mixed",
    "partners": "Acme Analytics, Northwind Insight",
    "gap": 4,
    "owner": 12,
    "notes": "No one models churn today.",
}


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.CapabilitySerializer, **_errors(404)}),
    create=extend_schema(
        request=s.CapabilityAddInputSerializer,
        responses={201: s.CapabilitySerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample("Plan data and insights", value=CAPABILITY_EXAMPLE, request_only=True)
        ],
    ),
    partial_update=extend_schema(
        request=s.CapabilityUpdateInputSerializer,
        responses={200: s.CapabilitySerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Build it in-house",
                value={"sourcing": "internal", "partners": ""},
                request_only=True,
            )
        ],
    ),
    destroy=extend_schema(request=None, responses={204: None, **_errors(403, 404, 409)}),
)
class CapabilityViewSet(mixins.DestroyModelMixin, ServiceViewSet):
    """The capability plans: for each of the five areas a summit plans, how it is sourced
    (internal, external partner, mixed) and from whom, the gap (1 to 5) and its owner. One
    row per area and summit; the chair and the participants keep it until the summit is
    closed."""

    serializer_class = s.CapabilitySerializer
    filterset_class = CapabilityFilterSet
    filter_backends = (DjangoFilterBackend, filters.OrderingFilter)
    ordering_fields = ("area", "gap", "updated_at", "id")

    def get_queryset(self):
        return Capability.objects.visible_to(self.request.user).select_related("summit", "owner")

    def create(self, request):
        capability = services.capability_add(
            actor=request.user, **self.parse(s.CapabilityAddInputSerializer)
        )
        return self.fresh(capability, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        capability = self.get_object()
        changes = self.parse(s.CapabilityUpdateInputSerializer, partial=True)
        return self.fresh(
            services.capability_update(actor=request.user, capability=capability, **changes)
        )

    def destroy(self, request, pk=None):
        """Remove the row: the area is no longer planned."""
        services.capability_remove(actor=request.user, capability=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Action items --------------------------------------------------------------------------------

ACTION_ITEM_EXAMPLE = {
    "summit": 4,
    "title": "Rewrite the call-centre script",
    "description": "Shorter, in the brand's voice; pilot on one team first.",
    "owner": 12,
    "owner_function": 1,
    "due_on": "2027-06-30",
    "priority": "high",
    "board": 3,
    "touchpoints": [5],
}


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.ActionItemDetailSerializer, **_errors(404)}),
    create=extend_schema(
        request=s.ActionItemCreateInputSerializer,
        responses={201: s.ActionItemDetailSerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample("Record a commitment", value=ACTION_ITEM_EXAMPLE, request_only=True)
        ],
    ),
    partial_update=extend_schema(
        request=s.ActionItemUpdateInputSerializer,
        responses={200: s.ActionItemDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[OpenApiExample("Raise it", value={"priority": "critical"}, request_only=True)],
    ),
)
class ActionItemViewSet(ServiceViewSet):
    """Action items of the summits, soonest due first, each with its latest timeline entry;
    the detail has the whole timeline. `status=overdue` (or `overdue=true`) finds open items
    past their due date: being overdue is a fact of the date, not a status.

    The summit's chair records items (an owner who works in or acts for the owner function,
    a due date on or after the summit, the board that follows it up). The owner starts and
    completes it; the following board's leaders and the summit's chair edit, re-plan or
    cancel it; the board's chair or delegates close or re-plan it by a decision (`decide/`)
    and put it on a meeting's agenda. Items are never deleted: cancel them.
    """

    filterset_class = ActionItemFilterSet
    # Ordering is the filter set's `ordering` (shared with the HTML list and CSV), not DRF's.
    filter_backends = (DjangoFilterBackend, filters.SearchFilter)
    search_fields = ("title", "description", "summit__title", "board__name")

    def get_serializer_class(self):
        if self.action == "list":
            return s.ActionItemSerializer
        return s.ActionItemDetailSerializer

    def get_queryset(self):
        items = selectors.action_item_list(user=self.request.user)
        return items.prefetch_related("touchpoints") if self.action == "list" else items

    def extra_context(self, objects):
        if self.action == "list":
            return {"latest": selectors.updates_by_item(objects)}
        return {}

    def fresh(self, obj, status_code=status.HTTP_200_OK):
        """Answer with the item as its detail shows it: timeline and agendas."""
        item = selectors.action_item_get(user=self.request.user, pk=obj.pk)
        return self.output(item, status_code=status_code)

    def retrieve(self, request, pk=None):
        return self.output(selectors.action_item_get(user=request.user, pk=pk))

    def create(self, request):
        item = services.action_item_create(
            actor=request.user, **self.parse(s.ActionItemCreateInputSerializer)
        )
        return self.fresh(item, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        item = self.get_object()
        changes = self.parse(s.ActionItemUpdateInputSerializer, partial=True)
        return self.fresh(services.action_item_update(actor=request.user, item=item, **changes))

    @extend_schema(
        request=s.ActionItemStartInputSerializer,
        responses={200: s.ActionItemDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample("Start", value={"note": "Drafting with two agents."}, request_only=True)
        ],
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """The owner starts work: open → in progress."""
        item = self.get_object()
        data = self.parse(s.ActionItemStartInputSerializer)
        return self.fresh(services.action_item_start(actor=request.user, item=item, **data))

    @extend_schema(
        request=s.ActionItemCompleteInputSerializer,
        responses={200: s.ActionItemDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Done today", value={"note": "New script live on all teams."}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The owner says it is done: in progress → done, today or on `completed_on`. Done
        after the due date counts as late. Nobody else completes it by hand; the following
        board closes it by a decision (`decide/`)."""
        item = self.get_object()
        data = self.parse(s.ActionItemCompleteInputSerializer)
        return self.fresh(services.action_item_complete(actor=request.user, item=item, **data))

    @extend_schema(
        request=s.ActionItemCancelInputSerializer,
        responses={200: s.ActionItemDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Cancel", value={"reason": "Overtaken by the new CRM."}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Drop an open item, saying why (the following board's leaders, the summit's chair)."""
        item = self.get_object()
        data = self.parse(s.ActionItemCancelInputSerializer)
        return self.fresh(services.action_item_cancel(actor=request.user, item=item, **data))

    @extend_schema(
        request=s.ActionItemReplanInputSerializer,
        responses={200: s.ActionItemDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "A month later",
                value={"due_on": "2027-07-31", "reason": "The pilot needs another month."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def replan(self, request, pk=None):
        """Give an open item a new due date and/or owner, saying why (the following board's
        leaders, the summit's chair). The timeline keeps the old and the new."""
        item = self.get_object()
        data = self.parse(s.ActionItemReplanInputSerializer)
        return self.fresh(services.action_item_replan(actor=request.user, item=item, **data))

    @extend_schema(
        request=s.ActionItemDecideInputSerializer,
        responses={200: s.ActionItemDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Close it as done",
                value={
                    "outcome": "complete",
                    "rationale": "Checked at the meeting.",
                    "meeting": 41,
                },
                request_only=True,
            ),
            OpenApiExample(
                "Re-plan it",
                value={"outcome": "replan", "rationale": "New owner.", "owner": 15},
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The following board decides on the item (its chair or a delegate): complete an
        item in progress, cancel it, or re-plan it. The board's decision is logged and marked
        implemented, and the timeline links it; both happen or neither."""
        item = self.get_object()
        data = self.parse(s.ActionItemDecideInputSerializer)
        return self.fresh(services.action_item_decide(actor=request.user, item=item, **data))

    @extend_schema(
        request=s.ActionItemAgendaInputSerializer,
        responses={200: s.ActionItemDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample("Put it on the next meeting", value={"meeting": 41}, request_only=True)
        ],
    )
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        """Put an open item on an upcoming meeting of the board that follows it up (who runs
        that board's meetings)."""
        item = self.get_object()
        data = self.parse(s.ActionItemAgendaInputSerializer)
        return self.fresh(services.action_item_put_on_agenda(actor=request.user, item=item, **data))

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: s.ActionItemUpdateSerializer(many=True), **_errors(404)},
    )
    @extend_schema(
        methods=["POST"],
        request=s.ActionItemProgressInputSerializer,
        responses={201: s.ActionItemUpdateSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Progress",
                value={"note": "Pilot team trained; live next week."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get", "post"], filter_backends=(), pagination_class=None)
    def updates(self, request, pk=None):
        """GET: the item's timeline, oldest first. POST: add a progress note to an open item
        (the owner, the following board's leaders, the summit's chair)."""
        if request.method == "GET":
            item = selectors.action_item_get(user=request.user, pk=pk)
            return Response(s.ActionItemUpdateSerializer(item.updates.all(), many=True).data)
        item = self.get_object()
        data = self.parse(s.ActionItemProgressInputSerializer)
        update = services.action_item_progress(actor=request.user, item=item, **data)
        return Response(s.ActionItemUpdateSerializer(update).data, status=status.HTTP_201_CREATED)
