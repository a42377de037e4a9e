"""Action items: an item's page with its timeline, and what people do on it: start,
complete, report progress, re-plan, cancel, decide for the board, put on a meeting's agenda.
(The lists and their export are in ``summits.views.lists``.)

Each button posts a small form to one service. A refusal comes back on the item's page with
the form as it was typed, the service's message next to the field and in the summary, and
the service's status (400, 403 or 409): nothing was changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boards import permissions as board_permissions
from boards import selectors as board_selectors
from boards.models import Meeting
from engagement.core.errors import DomainError
from summits import permissions, selectors, services
from summits.forms import (
    ActionItemForm,
    AgendaForm,
    CancelForm,
    CompleteForm,
    DecideForm,
    ProgressForm,
    ReplanForm,
    StartForm,
)
from summits.models import ActionItem
from summits.views.common import back, form_error, render_page

DETAIL = "summits/action_item_detail.html"
# Meetings offered to a decision (as many started, as many to come), and to an agenda.
DECISION_MEETINGS = 6
AGENDA_MEETINGS = 6


# --- One item ----------------------------------------------------------------------------------


def _item_or_404(request, pk) -> ActionItem:
    return selectors.action_item_get(user=request.user, pk=pk)


def _board_meetings(request, item):
    """Every meeting of the board that follows the item up: what a posted form may name."""
    return Meeting.objects.visible_to(request.user).filter(board=item.board_id)


def _decision_meetings(request, item) -> list[Meeting]:
    """The meetings offered to a decision: the board's whose record is open (not cancelled,
    minutes not approved), the latest that have started and the next to come."""
    open_record = (
        _board_meetings(request, item)
        .filter(minutes_approved_at__isnull=True)
        .exclude(status=Meeting.Status.CANCELLED)
    )
    now = timezone.now()
    started = open_record.filter(starts_at__lte=now).order_by("-starts_at")[:DECISION_MEETINGS]
    to_come = open_record.filter(starts_at__gt=now).order_by("starts_at")[:DECISION_MEETINGS]
    return [*started, *to_come]


def _agenda_meetings(item) -> list[Meeting]:
    """The board's upcoming scheduled meetings that do not have the item on their agenda."""
    on_agenda = {agenda_item.meeting_id for agenda_item in item.agenda_items.all()}
    upcoming = board_selectors.upcoming_meetings(item.board, count=AGENDA_MEETINGS + len(on_agenda))
    return [m for m in upcoming if m.pk not in on_agenda][:AGENDA_MEETINGS]


def _chosen_meeting(request, meetings) -> int | None:
    raw = request.GET.get("meeting", "")
    if raw.isdigit() and int(raw) in {m.pk for m in meetings}:
        return int(raw)
    return None


def _detail_context(request, item, *, forms=None, error=None) -> dict:
    """What the page shows and the forms the person may use. ``forms`` carries a bound form
    to show again with its errors; ``error`` a refusal whose form is not on the page."""
    forms = forms or {}
    user = request.user
    board = item.board
    is_open = item.is_open
    updates = list(item.updates.all())
    labels = dict(ActionItem.Status.choices)
    for update in updates:
        update.status_before_label = labels.get(update.status_before, update.status_before)
        update.status_after_label = labels.get(update.status_after, update.status_after)
    agenda = list(item.agenda_items.all())
    may = {
        "start": is_open and item.status == ActionItem.Status.OPEN
        and permissions.can_work_on(user, item),
        "complete": item.status == ActionItem.Status.IN_PROGRESS
        and permissions.can_work_on(user, item),
        "progress": is_open and permissions.can_report_progress(user, item),
        "replan": is_open and permissions.can_steer(user, item),
        "cancel": is_open and permissions.can_steer(user, item),
        "decide": is_open and permissions.can_decide(user, item),
        "agenda": is_open and board.is_active and board_permissions.can_run_meeting(user, board),
    }  # fmt: skip
    context = {
        "item": item,
        "summit": item.summit,
        "board": board,
        "touchpoints": list(item.touchpoints.all()),
        "updates": updates,
        "agenda": agenda,
        "can_edit": is_open and permissions.can_steer(user, item),
        "error": error,
        "zone": board.time_zone,
    }
    if may["start"]:
        context["start_form"] = forms.get("start") or StartForm()
    if may["complete"]:
        context["complete_form"] = forms.get("complete") or CompleteForm()
    if may["progress"]:
        context["progress_form"] = forms.get("progress") or ProgressForm()
    if may["replan"]:
        context["replan_form"] = forms.get("replan") or ReplanForm()
    if may["cancel"]:
        context["cancel_form"] = forms.get("cancel") or CancelForm()
    if may["decide"]:
        meetings = _decision_meetings(request, item)
        context["decide_form"] = forms.get("decide") or DecideForm(
            meetings=meetings, zone=board.time_zone,
            initial={"meeting": _chosen_meeting(request, meetings)},
        )  # fmt: skip
    if may["agenda"]:
        meetings = _agenda_meetings(item)
        if meetings or "agenda" in forms:
            context["agenda_form"] = forms.get("agenda") or AgendaForm(
                meetings=meetings, zone=board.time_zone
            )
    context["can_act"] = any(name.endswith("_form") for name in context)
    return context


@require_GET
def action_item_detail(request, pk):
    item = _item_or_404(request, pk)
    return render_page(request, DETAIL, "", _detail_context(request, item), fragment=False)


def _refused(request, item, name, form, exc: DomainError):
    """The item's page again, with the refused form as typed and the service's message."""
    status = form_error(form, exc)
    context = _detail_context(request, item, forms={name: form})
    if f"{name}_form" not in context:
        context["error"] = exc.message
    return render_page(request, DETAIL, "", context, status, fragment=False)


def _invalid(request, item, name, form):
    context = _detail_context(request, item, forms={name: form})
    if f"{name}_form" not in context:
        context["error"] = _("The form was not filled in as expected.")
    return render_page(request, DETAIL, "", context, 400, fragment=False)


def _done(request, item, message):
    messages.success(request, message)
    return back(request, item.get_absolute_url())


def _button(request, pk, name, form_class, call, message, form_kwargs=None):
    """Run one button's form through its service: ``call(item, cleaned_data)``.
    ``form_kwargs(item)`` gives the form its choices (the board's meetings)."""
    item = _item_or_404(request, pk)
    form = form_class(request.POST, **(form_kwargs(item) if form_kwargs else {}))
    if not form.is_valid():
        return _invalid(request, item, name, form)
    try:
        call(item, form.cleaned_data)
    except DomainError as exc:
        return _refused(request, item, name, form, exc)
    return _done(request, item, message)


@require_POST
def action_item_start(request, pk):
    def call(item, data):
        services.action_item_start(actor=request.user, item=item, note=data["note"])

    return _button(request, pk, "start", StartForm, call, _("The item is in progress."))


@require_POST
def action_item_complete(request, pk):
    def call(item, data):
        services.action_item_complete(
            actor=request.user, item=item, note=data["note"], completed_on=data["completed_on"]
        )

    return _button(request, pk, "complete", CompleteForm, call, _("The item is done."))


@require_POST
def action_item_progress(request, pk):
    def call(item, data):
        services.action_item_progress(actor=request.user, item=item, note=data["note"])

    return _button(
        request, pk, "progress", ProgressForm, call, _("Your update is on the timeline.")
    )


@require_POST
def action_item_cancel(request, pk):
    def call(item, data):
        services.action_item_cancel(actor=request.user, item=item, reason=data["reason"])

    return _button(request, pk, "cancel", CancelForm, call, _("The item is cancelled."))


@require_POST
def action_item_replan(request, pk):
    def call(item, data):
        services.action_item_replan(actor=request.user, item=item, **data)

    return _button(
        request, pk, "replan", ReplanForm, call,
        _("The item is re-planned; the timeline keeps the old plan."),
    )  # fmt: skip


@require_POST
def action_item_decide(request, pk):
    def call(item, data):
        services.action_item_decide(actor=request.user, item=item, **data)

    def meetings(item):
        return {
            "meetings": _decision_meetings(request, item), "zone": item.board.time_zone,
            "accept": _board_meetings(request, item),
        }  # fmt: skip

    return _button(
        request, pk, "decide", DecideForm, call,
        _("The board's decision is logged and the item updated."), form_kwargs=meetings,
    )  # fmt: skip


@require_POST
def action_item_agenda(request, pk):
    def call(item, data):
        services.action_item_put_on_agenda(
            actor=request.user, item=item, meeting=data["meeting"], notes=data["notes"]
        )

    def meetings(item):
        return {
            "meetings": _agenda_meetings(item), "zone": item.board.time_zone,
            "accept": _board_meetings(request, item),
        }  # fmt: skip

    return _button(
        request, pk, "agenda", AgendaForm, call, _("The item is on the meeting's agenda."),
        form_kwargs=meetings,
    )  # fmt: skip


# --- Recording and editing ---------------------------------------------------------------------


def _item_form_page(request, *, form, summit, item, allowed, refusal_text, status):
    return render_page(
        request,
        "summits/action_item_form.html",
        "",
        {"form": form, "summit": summit, "item": item, "allowed": allowed,
         "refusal_text": refusal_text},
        status,
        fragment=False,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def action_item_create(request, pk):
    summit = selectors.summit_get(user=request.user, pk=pk)
    allowed = permissions.can_record_actions(request.user, summit)
    status = 200 if allowed else 403
    refusal = _("Only the chair of %(summit)s records its action items.") % {"summit": summit.title}
    if allowed and summit.is_closed:
        allowed, status = False, 409
        refusal = _("%(summit)s is closed; its record can no longer change.") % {
            "summit": summit.title
        }
    form = ActionItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.action_item_create(
                actor=request.user, summit=summit, **form.service_fields()
            )
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(
                request,
                _("“%(title)s” is recorded and in the backlog of %(board)s.")
                % {"title": item.title, "board": item.board.name},
            )
            if "another" in request.POST:
                return redirect("summits:action_item_create", pk=summit.pk)
            return redirect(reverse("summits:summit_detail", kwargs={"pk": summit.pk}) + "#actions")
    elif request.method == "POST":
        status = 400 if status == 200 else status
    return _item_form_page(
        request, form=form, summit=summit, item=None, allowed=allowed, refusal_text=refusal,
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def action_item_edit(request, pk):
    item = _item_or_404(request, pk)
    allowed = permissions.can_steer(request.user, item)
    status = 200 if allowed else 403
    refusal = _("Only the leaders of %(board)s or the chair of the summit can edit this item.") % {
        "board": item.board.name
    }
    if allowed and not item.is_open:
        allowed, status = False, 409
        refusal = _("This action item is %(status)s; it can no longer change.") % {
            "status": item.get_status_display()
        }
    form = ActionItemForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_update(actor=request.user, item=item, **form.service_fields())
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(item)
    elif request.method == "POST":
        status = 400 if status == 200 else status
    return _item_form_page(
        request, form=form, summit=item.summit, item=item, allowed=allowed,
        refusal_text=refusal, status=status,
    )  # fmt: skip
