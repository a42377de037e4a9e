"""The boards API: boards and their members, meetings (agenda, attendance, minutes),
decisions and escalations.

Reads start from ``boards.selectors`` (everything here is open to everyone signed in; an
unknown id is a 404). Every write parses its input with a ``<Verb>InputSerializer`` and calls
one service, which checks who may do it and the domain's rules; their errors come back as
400/403/404/409 in the API's one error format. Nothing is deleted but an agenda item: boards
are archived (``is_active=false``), memberships ended, meetings cancelled, and decisions are
append-only (a correction supersedes).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from boards import selectors, services
from boards.api import serializers as s
from boards.filters import (
    BoardFilterSet,
    DecisionFilterSet,
    EscalationFilterSet,
    MeetingFilterSet,
    MembershipFilterSet,
)
from boards.models import AgendaItem, Membership
from engagement.core.api.errors import ErrorSerializer
from engagement.core.api.viewsets import ServiceViewSet

ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer,
        description="The input is not valid: an unknown id, a missing reason, a rule broken.",
    ),
    403: OpenApiResponse(
        ErrorSerializer,
        description="You may not do this (for example, you do not chair this board).",
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such object."),
    409: OpenApiResponse(
        ErrorSerializer,
        description="It clashes with the current state (already decided, cancelled, held).",
    ),
}


def _errors(*codes):
    return {code: ERRORS[code] for code in codes}


# --- Boards --------------------------------------------------------------------------------------

BOARD_EXAMPLE = {
    "name": "Digital experience board",
    "purpose": "Decides on the web and app touchpoints.",
    "chair": 7,
    "sponsor": 2,
    "escalates_to": 1,
    "scope_touchpoints": [4, 5],
    "scope_stages": [2],
    "cadence": "FREQ=MONTHLY;BYDAY=1TU",
    "time_zone": "Europe/London",
    "starts_on": "2026-01-06",
    "start_time": "10:00",
    "duration_minutes": 90,
    "location": "Room 4.01",
}


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.BoardSerializer, **_errors(404)}),
    create=extend_schema(
        request=s.BoardCreateInputSerializer,
        responses={201: s.BoardSerializer, **_errors(400, 403, 409)},
        examples=[OpenApiExample("A new board", value=BOARD_EXAMPLE, request_only=True)],
    ),
    partial_update=extend_schema(
        request=s.BoardUpdateInputSerializer,
        responses={200: s.BoardSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Meet on the first Monday instead",
                value={"cadence": "FREQ=MONTHLY;BYDAY=1MO"},
                request_only=True,
            ),
            OpenApiExample("Archive it", value={"is_active": False}, request_only=True),
        ],
    ),
)
class BoardViewSet(ServiceViewSet):
    """Boards, each with its current members and its health (meetings held against planned,
    decision latency, open and overdue decisions, representation gaps, core-group size).

    Archived boards are listed too unless you filter with `active=true`. Administrators
    create boards; the chair, the sponsor or an administrator change one (PATCH; only an
    administrator changes who leads it, the ladder, or archives it with `is_active=false`).
    Boards are never deleted.
    """

    serializer_class = s.BoardSerializer
    filterset_class = BoardFilterSet
    search_fields = ("name", "purpose")
    ordering_fields = ("name", "created_at", "next_meeting_at", "id")
    ordering = ("name",)

    def get_queryset(self):
        current = (
            Membership.objects.current()
            .select_related("person", "function")
            .order_by("function__name", "person__last_name", "person__first_name", "id")
        )
        return selectors.board_list(user=self.request.user, include_archived=True).prefetch_related(
            "scope_touchpoints",
            "scope_stages",
            Prefetch("memberships", queryset=current, to_attr="current_members"),
        )

    def extra_context(self, objects):
        # One call for the whole page: health_for runs a fixed number of queries.
        return {"health": selectors.health_for(objects)}

    def create(self, request):
        board = services.board_create(
            actor=request.user, **self.parse(s.BoardCreateInputSerializer)
        )
        return self.fresh(board, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        board = self.get_object()
        changes = self.parse(s.BoardUpdateInputSerializer, partial=True)
        return self.fresh(services.board_update(actor=request.user, board=board, **changes))


# --- Memberships ---------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.MembershipSerializer, **_errors(404)}),
    create=extend_schema(
        request=s.MembershipCreateInputSerializer,
        responses={201: s.MembershipSerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample(
                "Seat a member",
                value={"board": 3, "person": 12, "function": 1, "role": "core"},
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        request=s.MembershipUpdateInputSerializer,
        responses={200: s.MembershipSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample("Name a delegate", value={"is_delegate": True}, request_only=True)
        ],
    ),
)
class MembershipViewSet(ServiceViewSet):
    """Who sits on which board, for which function and in which role (past and present;
    `current=true` for today's). The chair, the sponsor or an administrator seat members,
    change their role, name delegates and end memberships; the record stays."""

    serializer_class = s.MembershipSerializer
    filterset_class = MembershipFilterSet
    search_fields = ("person__first_name", "person__last_name", "function__name", "board__name")
    ordering_fields = ("started_on", "ended_on", "role", "id")
    ordering = ("board__name", "function__name", "person__last_name", "person__first_name", "id")

    def get_queryset(self):
        return selectors.membership_list(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def create(self, request):
        membership = services.membership_add(
            actor=request.user, **self.parse(s.MembershipCreateInputSerializer)
        )
        return self.fresh(membership, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        membership = self.get_object()
        changes = self.parse(s.MembershipUpdateInputSerializer, partial=True)
        return self.fresh(
            services.membership_update(actor=request.user, membership=membership, **changes)
        )

    @extend_schema(
        request=s.MembershipEndInputSerializer,
        responses={200: s.MembershipSerializer, **_errors(400, 403, 404, 409)},
        examples=[OpenApiExample("End today", value={}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End a membership (today unless `ended_on` says otherwise)."""
        membership = self.get_object()
        services.membership_end(
            actor=request.user, membership=membership, **self.parse(s.MembershipEndInputSerializer)
        )
        return self.fresh(membership)


# --- Meetings ------------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.MeetingDetailSerializer, **_errors(404)}),
    create=extend_schema(
        request=s.MeetingCreateInputSerializer,
        responses={201: s.MeetingDetailSerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample(
                "An extra meeting",
                value={"board": 3, "starts_at": "2026-12-03T14:00:00Z"},
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        request=s.MeetingUpdateInputSerializer,
        responses={200: s.MeetingDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Move it an hour later",
                value={"starts_at": "2026-12-03T15:00:00Z"},
                request_only=True,
            )
        ],
    ),
)
class MeetingViewSet(ServiceViewSet):
    """Meetings of the boards, with their agenda, who is expected and what was recorded,
    and the quorum; the detail adds the minutes (approved and frozen, or as the record
    stands). Cadence meetings are scheduled by the boards' cadence; `POST` adds an ad-hoc
    one. The chair or a delegate runs a meeting; only the chair approves its minutes."""

    filterset_class = MeetingFilterSet
    search_fields = ("board__name", "location", "status_note")
    ordering_fields = ("starts_at", "status", "id")
    ordering = ("starts_at", "id")

    def get_serializer_class(self):
        if self.action == "list":
            return s.MeetingSerializer
        return s.MeetingDetailSerializer

    def get_queryset(self):
        return selectors.meeting_list(user=self.request.user)

    def extra_context(self, objects):
        attendance = selectors.attendance_for(objects)
        context = {
            "attendance": attendance,
            "quorum": {pk: selectors.quorum(rows) for pk, rows in attendance.items()},
        }
        if self.action != "list" and objects:
            meeting = objects[0]
            context["minutes"] = (
                meeting.minutes if meeting.minutes_approved else selectors.minutes_data(meeting)
            )
        return context

    def create(self, request):
        meeting = services.meeting_create(
            actor=request.user, **self.parse(s.MeetingCreateInputSerializer)
        )
        return self.fresh(meeting, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        meeting = self.get_object()
        changes = self.parse(s.MeetingUpdateInputSerializer, partial=True)
        return self.fresh(services.meeting_update(actor=request.user, meeting=meeting, **changes))

    @extend_schema(
        request=s.MeetingCancelInputSerializer,
        responses={200: s.MeetingDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Cancel", value={"reason": "Nothing on the agenda this month."}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a scheduled meeting, saying why; calendars show it cancelled."""
        meeting = self.get_object()
        data = self.parse(s.MeetingCancelInputSerializer)
        services.meeting_cancel(actor=request.user, meeting=meeting, **data)
        return self.fresh(meeting)

    @extend_schema(
        request=None, responses={200: s.MeetingDetailSerializer, **_errors(400, 403, 404, 409)}
    )
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """Record that the meeting took place (once it has started)."""
        meeting = self.get_object()
        services.meeting_hold(actor=request.user, meeting=meeting)
        return self.fresh(meeting)

    @extend_schema(
        request=s.AgendaItemAddInputSerializer,
        responses={201: s.MeetingDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Put a conflict on the agenda",
                value={"conflict": 5, "duration_minutes": 15, "presenter": 12},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        """Add an item at the end of the agenda. A linked conflict or claim must concern a
        touchpoint in the board's scope; a linked decision must be the board's. The title
        defaults to what the item is about."""
        meeting = self.get_object()
        data = self.parse(s.AgendaItemAddInputSerializer)
        services.agenda_item_add(actor=request.user, meeting=meeting, **data)
        return self.fresh(meeting, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.AttendanceInputSerializer,
        responses={200: s.MeetingDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample("Present", value={"person": 12, "status": "present"}, request_only=True)
        ],
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record whether a member (or the chair) was present, sent apologies or was absent."""
        meeting = self.get_object()
        data = self.parse(s.AttendanceInputSerializer)
        services.attendance_record(actor=request.user, meeting=meeting, **data)
        return self.fresh(meeting)

    @extend_schema(
        request=s.MinutesApproveInputSerializer,
        responses={200: s.MeetingDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Approve",
                value={"notes": "Marketing to report on the pilot in January."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="approve-minutes", url_name="approve-minutes")
    def approve_minutes(self, request, pk=None):
        """The chair approves the minutes of a held meeting; they are frozen as approved and
        the meeting's record is closed."""
        meeting = self.get_object()
        data = self.parse(s.MinutesApproveInputSerializer)
        services.minutes_approve(actor=request.user, meeting=meeting, **data)
        return self.fresh(meeting)


class AgendaItemViewSet(mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Remove an agenda item or move it up or down, until the meeting is held."""

    serializer_class = s.AgendaItemSerializer
    # Nothing to list or filter here; the items are read with their meeting.
    filter_backends = ()
    pagination_class = None

    def get_queryset(self):
        return AgendaItem.objects.visible_to(self.request.user)

    @extend_schema(request=None, responses={204: None, **_errors(403, 404, 409)})
    def destroy(self, request, pk=None):
        """Take the item off the agenda."""
        services.agenda_item_remove(actor=request.user, item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=s.AgendaItemMoveInputSerializer,
        responses={200: s.AgendaItemSerializer(many=True), **_errors(400, 403, 404, 409)},
        examples=[OpenApiExample("Up one place", value={"direction": "up"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the item one place up or down; answers the agenda in its new order."""
        serializer = s.AgendaItemMoveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = self.get_object()
        services.agenda_item_move(actor=request.user, item=item, **serializer.validated_data)
        agenda = (
            AgendaItem.objects.filter(meeting=item.meeting_id)
            .select_related("presenter", "touchpoint")
            .order_by("position", "id")
        )
        return Response(s.AgendaItemSerializer(agenda, many=True).data)


# --- Decisions -----------------------------------------------------------------------------------

DECISION_EXAMPLE = {
    "board": 3,
    "meeting": 41,
    "title": "Marketing designs the call-centre script",
    "rationale": "Scripts are brand voice; Operations keeps running the call centre.",
    "outcome": "The design right moves to Marketing.",
    "owner": 12,
    "owner_function": 1,
    "due_on": "2027-01-31",
    "touchpoints": [4],
    "kpis": [9],
    "conflict": 5,
    "winner": 1,
}


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.DecisionSerializer, **_errors(404)}),
    create=extend_schema(
        request=s.DecisionLogInputSerializer,
        responses={201: s.DecisionSerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample(
                "Resolve a conflict in the board's scope",
                value=DECISION_EXAMPLE,
                request_only=True,
            )
        ],
    ),
)
class DecisionViewSet(ServiceViewSet):
    """The decision log, newest first. `POST` logs a decision of a board (its chair or a
    delegate), with the facts considered copied as they stand (each KPI's latest value).
    With `conflict` and `winner` it resolves a charter conflict in the board's scope: the
    right moves in the same transaction.

    Decisions are append-only: no PUT, PATCH or DELETE. A correction supersedes a decision
    (`supersede/`), and the log keeps both. `status=overdue` also finds open decisions past
    their due date that the nightly job has not marked yet.
    """

    serializer_class = s.DecisionSerializer
    filterset_class = DecisionFilterSet
    # Ordering is the filter set's `ordering` (shared with the HTML list), not DRF's.
    filter_backends = (DjangoFilterBackend, filters.SearchFilter)
    search_fields = ("title", "rationale", "outcome", "board__name")

    def get_queryset(self):
        return selectors.decision_records(user=self.request.user)

    def create(self, request):
        decision = services.decision_log(
            actor=request.user, **self.parse(s.DecisionLogInputSerializer)
        )
        return self.fresh(decision, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.DecisionSupersedeInputSerializer,
        responses={201: s.DecisionSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Correct the due date",
                value={
                    "title": "Marketing designs the call-centre script",
                    "rationale": "As decided; the pilot needs another month.",
                    "due_on": "2027-02-28",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def supersede(self, request, pk=None):
        """Correct this decision with a new one of the same board; this one becomes
        superseded. What the correction does not restate (owner, due date, touchpoints) is
        carried over. Answers the new decision."""
        decision = self.get_object()
        data = self.parse(s.DecisionSupersedeInputSerializer)
        newer = services.decision_supersede(actor=request.user, decision=decision, **data)
        return self.fresh(newer, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.DecisionSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def implemented(self, request, pk=None):
        """The decision has been carried out: its owner, its owner function or the board's
        leaders say so."""
        decision = self.get_object()
        services.decision_mark_implemented(actor=request.user, decision=decision)
        return self.fresh(decision)


# --- Escalations ---------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.EscalationSerializer, **_errors(404)}),
    create=extend_schema(
        request=s.EscalationRaiseInputSerializer,
        responses={201: s.EscalationSerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample(
                "Escalate a decision",
                value={
                    "board": 3,
                    "decision": 17,
                    "reason": "Needs a budget this board does not hold.",
                },
                request_only=True,
            )
        ],
    ),
)
class EscalationViewSet(ServiceViewSet):
    """Escalations up the ladder of boards, newest first; `mine=true` for those waiting for
    a body you lead. `POST` escalates a decision, a conflict or an item from a board you
    lead to a body above it (the next rung by default). The receiving body's chair or
    delegates acknowledge it, decide it (logging their own decision) or send it back."""

    serializer_class = s.EscalationSerializer
    filterset_class = EscalationFilterSet
    search_fields = ("title", "reason", "response")
    ordering_fields = ("raised_at", "closed_at", "status", "id")
    ordering = ("-raised_at", "-id")

    def get_queryset(self):
        return selectors.escalation_list(user=self.request.user)

    def create(self, request):
        escalation = services.escalation_raise(
            actor=request.user, **self.parse(s.EscalationRaiseInputSerializer)
        )
        return self.fresh(escalation, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.EscalationSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The receiving body has it in hand."""
        escalation = self.get_object()
        services.escalation_acknowledge(actor=request.user, escalation=escalation)
        return self.fresh(escalation)

    @extend_schema(
        request=s.EscalationResolveInputSerializer,
        responses={200: s.EscalationSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Decide it",
                value={"rationale": "Funded from the 2027 digital budget.", "owner": 2},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """The receiving body decides: its decision is logged (for an escalated conflict,
        `winner` says who gets the right) and the escalation closes with it."""
        escalation = self.get_object()
        data = self.parse(s.EscalationResolveInputSerializer)
        services.escalation_resolve(actor=request.user, escalation=escalation, **data)
        return self.fresh(escalation)

    @extend_schema(
        request=s.EscalationReturnInputSerializer,
        responses={200: s.EscalationSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Send it back",
                value={"response": "This is within your scope; decide it at your board."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Send the escalation back to the board that raised it, saying why; an escalated
        decision goes back to open (or overdue)."""
        escalation = self.get_object()
        data = self.parse(s.EscalationReturnInputSerializer)
        services.escalation_return(actor=request.user, escalation=escalation, **data)
        return self.fresh(escalation)
