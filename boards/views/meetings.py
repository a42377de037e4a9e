"""A meeting's page and what the chair does on it: the agenda, attendance (with the quorum
live), holding, cancelling or moving it, the notes for the minutes, and approving them; the
printable minutes; and scheduling an ad-hoc meeting.

Times are shown and typed in the board's time zone: a meeting is where the board is.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boards import permissions, selectors, services
from boards.forms import (
    AgendaItemForm,
    AttendanceForm,
    MeetingCancelForm,
    MeetingCreateForm,
    MeetingMoveForm,
    MeetingNotesForm,
)
from boards.models import AgendaItem, Attendance, Decision, Meeting
from boards.panels import meeting_page
from boards.views.common import form_error, is_htmx, render_page
from engagement.core.errors import DomainError, NotAllowed

MEETING_TEMPLATE = "boards/meeting_detail.html"
DECISIONS_FOR_AGENDA = 50


def _meeting_or_404(request, pk) -> Meeting:
    return selectors.meeting_get(user=request.user, pk=pk)


def _zone(board) -> ZoneInfo:
    return ZoneInfo(board.time_zone)


def _local(moment, board):
    """A naive local time for a datetime-local input."""
    return timezone.localtime(moment, _zone(board)).replace(tzinfo=None, second=0, microsecond=0)


def _agenda_form(meeting, rows, data=None) -> AgendaItemForm:
    board = meeting.board
    return AgendaItemForm(
        data,
        people=[row.person for row in rows],
        touchpoints=list(
            selectors.scope_touchpoints(board).filter(is_archived=False).order_by("name")
        ),
        conflicts=list(selectors.conflicts_in_scope(board)),
        claims=list(selectors.claims_waiting(board)),
        decisions=list(
            Decision.objects.pending()
            .filter(board=board)
            .order_by("-logged_at")[:DECISIONS_FOR_AGENDA]
        ),
    )


def _runner_refusal(board) -> str:
    return _("Only the chair of %(board)s or a delegate the chair names can run its meetings.") % {
        "board": board
    }


def _context(request, meeting, *, forms=None, error=None) -> dict:
    """Everything the page shows. ``forms`` carries bound forms to show again with their
    errors; ``error`` a refused action's message (shown in the fragment that answered)."""
    forms = forms or {}
    board = meeting.board
    user = request.user
    rows = selectors.attendance_rows(meeting)
    quorum = selectors.quorum(rows)
    now = timezone.now()
    can_run = permissions.can_run_meeting(user, board)
    scheduled = meeting.status == Meeting.Status.SCHEDULED
    record_open = meeting.status != Meeting.Status.CANCELLED and not meeting.minutes_approved
    agenda_editable = can_run and scheduled and not meeting.minutes_approved
    agenda = list(meeting.agenda_items.all())
    context = {
        "meeting": meeting,
        "board": board,
        "zone": board.time_zone,
        "rows": rows,
        "quorum": quorum,
        "started": meeting.starts_at <= now,
        "agenda": agenda,
        "agenda_minutes": sum(item.duration_minutes for item in agenda),
        "meeting_minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
        "decisions": list(meeting.decisions.all()),
        "escalations": list(meeting.escalations.all()),
        # Rendered only if the template shows them (Django calls a callable).
        "panels": lambda: meeting_page.render(request, meeting),
        "can_run": can_run,
        "agenda_editable": agenda_editable,
        "attendance_editable": can_run and record_open,
        "can_log": record_open and permissions.can_log_decision(user, board),
        "can_escalate": record_open
        and permissions.can_escalate(user, board)
        and board.escalates_to_id is not None,
        "can_hold": can_run and scheduled and meeting.starts_at <= now,
        "can_cancel": can_run and scheduled,
        "can_move": can_run and scheduled and not meeting.minutes_approved,
        "can_edit_notes": can_run and record_open,
        "can_approve": meeting.status == Meeting.Status.HELD
        and not meeting.minutes_approved
        and permissions.can_approve_minutes(user, board),
        "attendance_choices": Attendance.Status.choices,
        "error": error,
    }
    if agenda_editable:
        context["agenda_form"] = forms.get("agenda") or _agenda_form(meeting, rows)
    if context["can_move"]:
        context["move_form"] = forms.get("move") or MeetingMoveForm(
            initial={"starts_at": _local(meeting.starts_at, board), "location": meeting.location},
            zone=board.time_zone,
        )
    if context["can_edit_notes"]:
        context["notes_form"] = forms.get("notes") or MeetingNotesForm(
            initial={"minutes_notes": meeting.minutes_notes}
        )
    if context["can_cancel"]:
        context["cancel_form"] = forms.get("cancel") or MeetingCancelForm()
    return context


def _answer(request, meeting_pk, *, partial="", anchor="", forms=None, error=None, status=200):
    """After an action: the fragment that changed (htmx), else back to the page, or the page
    again with the form's errors."""
    if status == 200 and not is_htmx(request):
        return redirect(reverse("boards:meeting_detail", kwargs={"pk": meeting_pk}) + anchor)
    meeting = _meeting_or_404(request, meeting_pk)
    context = _context(request, meeting, forms=forms, error=error)
    if is_htmx(request) and partial:
        return render_page(request, MEETING_TEMPLATE, partial, context, status, fragment=True)
    return render_page(request, MEETING_TEMPLATE, "", context, status, fragment=False)


def _refused(request, exc: DomainError, meeting_pk, *, partial, forms=None):
    """A refused action: the fragment with the message (htmx); without htmx, a refusal of
    permission is a page with the service's message, and any other the page again."""
    if not is_htmx(request) and exc.status_code == 403:
        raise exc
    if forms:
        form = next(iter(forms.values()))
        form_error(form, exc)
        return _answer(request, meeting_pk, partial=partial, forms=forms, status=exc.status_code)
    return _answer(request, meeting_pk, partial=partial, error=exc.message, status=exc.status_code)


# --- The page and the minutes ------------------------------------------------------------------


@require_GET
def meeting_detail(request, pk):
    meeting = _meeting_or_404(request, pk)
    return render_page(request, MEETING_TEMPLATE, "", _context(request, meeting), fragment=False)


@require_GET
def meeting_minutes(request, pk):
    """The minutes, printable: as approved (frozen), else generated live and marked draft."""
    meeting = _meeting_or_404(request, pk)
    approved = meeting.minutes_approved and meeting.minutes is not None
    minutes = meeting.minutes if approved else selectors.minutes_data(meeting)
    return render_page(
        request,
        "boards/meeting_minutes.html",
        "",
        {"meeting": meeting, "board": meeting.board, "minutes": minutes, "draft": not approved},
        fragment=False,
    )


# --- Scheduling --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_create(request, pk):
    """An ad-hoc meeting, outside the cadence."""
    board = selectors.board_get(user=request.user, pk=pk)
    allowed = permissions.can_run_meeting(request.user, board) and board.is_active
    form = MeetingCreateForm(request.POST or None, board=board)
    status = 200 if allowed else 403
    if request.method == "POST":
        with timezone.override(_zone(board)):
            valid = form.is_valid()
        if valid:
            data = form.cleaned_data
            try:
                meeting = services.meeting_create(
                    actor=request.user,
                    board=board,
                    starts_at=data["starts_at"],
                    ends_at=data["starts_at"] + timedelta(minutes=data["duration_minutes"]),
                    location=data["location"],
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The meeting was scheduled."))
                return redirect(meeting)
        else:
            status = 400 if allowed else 403
    return render_page(
        request,
        "boards/meeting_form.html",
        "",
        {
            "form": form,
            "board": board,
            "allowed": allowed,
            "refusal_text": _runner_refusal(board)
            if board.is_active
            else _("%(board)s is archived: it no longer meets.") % {"board": board},
        },
        status,
        fragment=False,
    )


@require_POST
def meeting_update(request, pk):
    """Move the meeting (``part=move``: start and place) or save the chair's notes for the
    minutes (``part=notes``)."""
    meeting = _meeting_or_404(request, pk)
    board = meeting.board
    part = request.POST.get("part", "")
    if part == "move":
        form = MeetingMoveForm(request.POST, zone=board.time_zone)
        with timezone.override(_zone(board)):
            valid = form.is_valid()
        changes = (
            {"starts_at": form.cleaned_data["starts_at"], "location": form.cleaned_data["location"]}
            if valid
            else {}
        )
        done, anchor = _("The meeting was moved; calendars will show the new time."), "#status"
    elif part == "notes":
        form = MeetingNotesForm(request.POST)
        valid = form.is_valid()
        changes = {"minutes_notes": form.cleaned_data["minutes_notes"]} if valid else {}
        done, anchor = _("The notes for the minutes were saved."), "#notes"
    else:
        raise Http404("Nothing to change.")
    forms = {part: form}
    if not valid:
        if not permissions.can_run_meeting(request.user, board):
            raise NotAllowed(_runner_refusal(board))
        return _answer(request, pk, forms=forms, status=400)
    try:
        services.meeting_update(actor=request.user, meeting=meeting, **changes)
    except DomainError as exc:
        return _refused(request, exc, pk, partial="", forms=forms)
    messages.success(request, done)
    return _answer(request, pk, anchor=anchor)


@require_POST
def meeting_cancel(request, pk):
    meeting = _meeting_or_404(request, pk)
    form = MeetingCancelForm(request.POST)
    forms = {"cancel": form}
    if not form.is_valid():
        if not permissions.can_run_meeting(request.user, meeting.board):
            raise NotAllowed(_runner_refusal(meeting.board))
        return _answer(request, pk, forms=forms, status=400)
    try:
        services.meeting_cancel(
            actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return _refused(request, exc, pk, partial="", forms=forms)
    messages.success(request, _("The meeting was cancelled; members' calendars will show it."))
    return _answer(request, pk)


@require_POST
def meeting_hold(request, pk):
    meeting = _meeting_or_404(request, pk)
    try:
        services.meeting_hold(actor=request.user, meeting=meeting)
    except DomainError as exc:
        return _refused(request, exc, pk, partial="")
    messages.success(
        request, _("The meeting is recorded as held. Check the minutes, then approve them.")
    )
    return _answer(request, pk)


@require_POST
def minutes_approve(request, pk):
    meeting = _meeting_or_404(request, pk)
    try:
        services.minutes_approve(actor=request.user, meeting=meeting)
    except DomainError as exc:
        return _refused(request, exc, pk, partial="")
    messages.success(request, _("The minutes are approved: the meeting's record is closed."))
    return redirect("boards:meeting_minutes", pk=meeting.pk)


# --- Agenda ------------------------------------------------------------------------------------


@require_POST
def agenda_item_add(request, pk):
    meeting = _meeting_or_404(request, pk)
    rows = selectors.attendance_rows(meeting)
    form = _agenda_form(meeting, rows, request.POST)
    forms = {"agenda": form}
    if not form.is_valid():
        if not permissions.can_run_meeting(request.user, meeting.board):
            raise NotAllowed(_runner_refusal(meeting.board))
        return _answer(request, pk, partial="agenda", forms=forms, status=400)
    try:
        item = services.agenda_item_add(actor=request.user, meeting=meeting, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, exc, pk, partial="agenda", forms=forms)
    messages.success(request, _("“%(title)s” was added to the agenda.") % {"title": item.title})
    return _answer(request, pk, partial="agenda", anchor="#agenda")


def _item_or_404(request, pk) -> AgendaItem:
    item = AgendaItem.objects.visible_to(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404("No such agenda item.")
    return item


@require_POST
def agenda_item_remove(request, pk):
    item = _item_or_404(request, pk)
    try:
        services.agenda_item_remove(actor=request.user, item=item)
    except DomainError as exc:
        return _refused(request, exc, item.meeting_id, partial="agenda")
    messages.success(request, _("“%(title)s” was taken off the agenda.") % {"title": item.title})
    return _answer(request, item.meeting_id, partial="agenda", anchor="#agenda")


@require_POST
def agenda_item_move(request, pk):
    item = _item_or_404(request, pk)
    try:
        services.agenda_item_move(
            actor=request.user, item=item, direction=request.POST.get("direction", "")
        )
    except DomainError as exc:
        return _refused(request, exc, item.meeting_id, partial="agenda")
    return _answer(request, item.meeting_id, partial="agenda", anchor="#agenda")


# --- Attendance --------------------------------------------------------------------------------


@require_POST
def attendance_record(request, pk):
    meeting = _meeting_or_404(request, pk)
    rows = selectors.attendance_rows(meeting)
    form = AttendanceForm(request.POST, people=[row.person for row in rows])
    if not form.is_valid():
        if not permissions.can_run_meeting(request.user, meeting.board):
            raise NotAllowed(_runner_refusal(meeting.board))
        error = _("Choose a member of the board and present, apologies or absent.")
        if not is_htmx(request):
            messages.error(request, error)
        return _answer(request, pk, partial="attendance", error=error, status=400)
    person = form.cleaned_data["person"]
    try:
        attendance = services.attendance_record(
            actor=request.user, meeting=meeting, person=person, status=form.cleaned_data["status"]
        )
    except DomainError as exc:
        return _refused(request, exc, pk, partial="attendance")
    if not is_htmx(request):
        messages.success(
            request,
            _("%(person)s: %(status)s.")
            % {"person": person.display_name, "status": attendance.get_status_display()},
        )
    return _answer(request, pk, partial="attendance", anchor="#attendance")
