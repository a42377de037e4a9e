"""Escalations: the inbox (what waits for the bodies a person leads, and every escalation
with filters, with its CSV export), an escalation's page with its timeline and the receivers'
answers (acknowledge, decide, send back), and the form to escalate from a board."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boards import permissions, selectors, services
from boards.filters import EscalationFilterSet
from boards.forms import EscalationForm, EscalationResolveForm, EscalationReturnForm
from boards.models import Decision, Escalation, Meeting
from boards.views.common import form_error, render_page
from charter.models import Conflict
from engagement.core import csv_export
from engagement.core.csv_export import safe
from engagement.core.errors import DomainError, NotAllowed

PAGE_SIZE = 25
EXPORT_CHUNK = 500
TABS = (
    ("open", gettext_lazy("Open"), "open=true"),
    ("mine", gettext_lazy("Waiting for me"), "mine=true"),
    ("all", gettext_lazy("All"), ""),
)


@require_GET
def escalation_inbox(request):
    user = request.user
    queryset = selectors.escalation_list(user=user)
    filterset = EscalationFilterSet(request.GET or None, queryset=queryset, request=request)
    valid = not filterset.is_bound or filterset.is_valid()
    page = Paginator(filterset.qs if valid else queryset.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.urlencode()
    current_tab = next((key for key, _label, q in TABS if q == query), "")
    return render_page(
        request,
        "boards/escalation_inbox.html",
        "results",
        {
            "waiting": list(selectors.escalation_inbox(user=user)),
            "form": filterset.form,
            "page": page,
            "tabs": TABS,
            "current_tab": current_tab,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
        status=200 if valid else 400,
    )


def _escalation_lines(request, escalations):
    yield [
        _("id"), _("subject"), _("about"), _("from board"), _("to body"), _("status"),
        _("raised at"), _("raised by"), _("reason"), _("acknowledged at"),
        _("decided or sent back at"), _("response"), _("link"),
    ]  # fmt: skip
    base = request.build_absolute_uri("/")[:-1]
    for escalation in escalations.iterator(chunk_size=EXPORT_CHUNK):
        about = ""
        if escalation.decision_id:
            about = _("Decision: %(title)s") % {"title": escalation.decision.title}
        elif escalation.conflict_id:
            about = _("Conflict #%(number)s") % {"number": escalation.conflict_id}
        yield [
            escalation.pk,
            safe(escalation.title),
            safe(about),
            safe(escalation.from_board.name),
            safe(escalation.to_board.name),
            capfirst(escalation.get_status_display()),
            csv_export.moment(escalation.raised_at),
            safe(escalation.raised_by.display_name),
            safe(escalation.reason),
            csv_export.moment(escalation.acknowledged_at),
            csv_export.moment(escalation.closed_at),
            safe(escalation.response),
            base + escalation.get_absolute_url(),
        ]


@require_GET
def escalation_export(request):
    """The escalations the inbox's list shows under its filters, every page, as CSV."""
    filterset = EscalationFilterSet(
        request.GET, queryset=selectors.escalation_list(user=request.user), request=request
    )
    if not filterset.is_valid():
        message = _("The escalations cannot be exported with these filters.")
        return csv_export.refused(message, filterset.errors)
    return csv_export.stream("escalations", lambda: _escalation_lines(request, filterset.qs))


def _escalation_or_404(request, pk) -> Escalation:
    return selectors.escalation_get(user=request.user, pk=pk)


def _receiver_refusal(escalation) -> str:
    return _("Only the chair of %(board)s, or a delegate, answers this escalation.") % {
        "board": escalation.to_board
    }


def _detail_context(request, escalation, *, resolve_form=None, return_form=None) -> dict:
    user = request.user
    can_receive = escalation.is_open and permissions.can_receive(user, escalation)
    conflict = None
    if escalation.conflict_id:
        conflict = Conflict.objects.select_related(
            "touchpoint", "holder_function", "claimant_function", "winner"
        ).get(pk=escalation.conflict_id)
    context = {
        "escalation": escalation,
        "conflict": conflict,
        "can_receive": can_receive,
        "can_acknowledge": can_receive and escalation.status == Escalation.Status.OPEN,
    }
    if can_receive:
        context["resolve_form"] = resolve_form or EscalationResolveForm(
            conflict=conflict if conflict and conflict.status == Conflict.Status.OPEN else None
        )
        context["return_form"] = return_form or EscalationReturnForm()
    return context


def _detail_page(request, escalation, status=200, **forms):
    return render_page(
        request,
        "boards/escalation_detail.html",
        "",
        _detail_context(request, escalation, **forms),
        status,
        fragment=False,
    )


@require_GET
def escalation_detail(request, pk):
    return _detail_page(request, _escalation_or_404(request, pk))


@require_POST
def escalation_acknowledge(request, pk):
    escalation = _escalation_or_404(request, pk)
    services.escalation_acknowledge(actor=request.user, escalation=escalation)
    messages.success(
        request,
        _("Acknowledged: %(board)s knows the escalation is being looked at.")
        % {"board": escalation.from_board},
    )
    return redirect(escalation)


@require_POST
def escalation_resolve(request, pk):
    """The receiving body decides: a decision of its own, which closes the escalation (and,
    for a conflict, resolves it through the charter)."""
    escalation = _escalation_or_404(request, pk)
    conflict = None
    if escalation.conflict_id:
        conflict = Conflict.objects.select_related("holder_function", "claimant_function").get(
            pk=escalation.conflict_id
        )
        if conflict.status != Conflict.Status.OPEN:
            conflict = None
    form = EscalationResolveForm(request.POST, conflict=conflict)
    status = 400
    if form.is_valid():
        try:
            services.escalation_resolve(
                actor=request.user, escalation=escalation, **form.cleaned_data
            )
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            status = form_error(form, exc)
        else:
            messages.success(request, _("Decided: the escalation is closed with your decision."))
            return redirect(escalation)
    elif not permissions.can_receive(request.user, escalation):
        raise NotAllowed(_receiver_refusal(escalation))
    return _detail_page(request, escalation, status, resolve_form=form)


@require_POST
def escalation_return(request, pk):
    escalation = _escalation_or_404(request, pk)
    form = EscalationReturnForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.escalation_return(
                actor=request.user, escalation=escalation, response=form.cleaned_data["response"]
            )
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            status = form_error(form, exc)
        else:
            messages.success(
                request,
                _("Sent back to %(board)s with your answer.") % {"board": escalation.from_board},
            )
            return redirect(escalation)
    elif not permissions.can_receive(request.user, escalation):
        raise NotAllowed(_receiver_refusal(escalation))
    return _detail_page(request, escalation, status, return_form=form)


# --- Escalating --------------------------------------------------------------------------------


def _id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _subject(request, board):
    """The decision, conflict and meeting named by ``?decision=``, ``?conflict=``,
    ``?meeting=`` (or the same fields posted); 404 for one that does not exist."""
    source = request.POST if request.method == "POST" else request.GET
    decision = conflict = meeting = None
    if source.get("decision"):
        decision = (
            Decision.objects.visible_to(request.user)
            .filter(pk=_id(source["decision"]), board=board)
            .first()
        )
        if decision is None:
            raise Http404("No such decision of this board.")
    if source.get("conflict"):
        conflict = (
            Conflict.objects.visible_to(request.user)
            .select_related("touchpoint", "holder_function", "claimant_function")
            .filter(pk=_id(source["conflict"]))
            .first()
        )
        if conflict is None:
            raise Http404("No such conflict.")
    if source.get("meeting"):
        meeting = (
            Meeting.objects.visible_to(request.user)
            .filter(pk=_id(source["meeting"]), board=board)
            .first()
        )
        if meeting is None:
            raise Http404("No such meeting of this board.")
    return decision, conflict, meeting


@require_http_methods(["GET", "POST"])
def escalation_create(request, pk):
    """Escalate a decision (``?decision=``), a conflict (``?conflict=``) or any item from a
    board to a body above it on the ladder."""
    board = selectors.board_get(user=request.user, pk=pk)
    above = selectors.ladder_above(board)
    decision, conflict, meeting = _subject(request, board)
    allowed = permissions.can_escalate(request.user, board)
    form = EscalationForm(
        request.POST or None, above=above, needs_title=decision is None and conflict is None
    )
    if not above:
        status, refusal = 400, _("%(board)s is the top of the ladder; there is no body above it.")
    else:
        status = 200 if allowed else 403
        refusal = _("Only the chair of %(board)s or a delegate the chair names escalates.")
    if request.method == "POST" and form.is_valid():
        try:
            escalation = services.escalation_raise(
                actor=request.user,
                board=board,
                decision=decision,
                conflict=conflict,
                meeting=meeting,
                **form.cleaned_data,
            )
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(
                request,
                _("Escalated to %(board)s; its chair sees it in the inbox.")
                % {"board": escalation.to_board},
            )
            return redirect(escalation)
    elif request.method == "POST":
        status = 400 if status == 200 else status
    return render_page(
        request,
        "boards/escalation_form.html",
        "",
        {
            "form": form,
            "board": board,
            "decision": decision,
            "conflict": conflict,
            "meeting": meeting,
            "allowed": allowed and bool(above),
            "refusal_text": refusal % {"board": board},
        },
        status,
        fragment=False,
    )
