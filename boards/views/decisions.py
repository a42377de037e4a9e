"""The decision log: the filtered list and its CSV export, a decision's page, the fast "log
decision" form (which can resolve a charter conflict), superseding a decision, and marking it
carried out."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boards import permissions, selectors, services
from boards.filters import DecisionFilterSet
from boards.forms import DecisionForm
from boards.models import Decision, Escalation, Meeting
from boards.panels import decision_page
from boards.views.common import form_error, is_htmx, render_page
from charter.models import Conflict
from engagement.core import csv_export
from engagement.core.csv_export import safe
from engagement.core.errors import DomainError
from touchpoints.models import Kpi, Touchpoint

PAGE_SIZE = 25
EXPORT_CHUNK = 500


# --- The log -----------------------------------------------------------------------------------


@require_GET
def decision_list(request):
    queryset = selectors.decision_list(user=request.user)
    filterset = DecisionFilterSet(request.GET or None, queryset=queryset)
    valid = not filterset.is_bound or filterset.is_valid()
    page = Paginator(filterset.qs if valid else queryset.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    board = filterset.form.cleaned_data.get("board") if valid and filterset.is_bound else None
    return render_page(
        request,
        "boards/decision_list.html",
        "results",
        {
            "form": filterset.form,
            "page": page,
            "board": board,
            "today": timezone.localdate(),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
        status=200 if valid else 400,
    )


def _decision_lines(request, decisions):
    yield [
        _("id"), _("board"), _("title"), _("status"), _("overdue"), _("owner"),
        _("owner function"), _("due on"), _("logged at"), _("taken in the meeting of"),
        _("touchpoints"),
        _("supersedes"), _("superseded by"), _("outcome"), _("link"),
    ]  # fmt: skip
    base = request.build_absolute_uri("/")[:-1]
    # iterator() with a chunk size prefetches the touchpoints chunk by chunk: two queries per
    # 500 rows, whatever the number of rows.
    for decision in decisions.prefetch_related("touchpoints").iterator(chunk_size=EXPORT_CHUNK):
        yield [
            decision.pk,
            safe(decision.board.name),
            safe(decision.title),
            capfirst(decision.get_status_display()),
            _("yes") if decision.is_overdue else _("no"),
            safe(decision.owner.display_name if decision.owner else ""),
            safe(decision.owner_function.name if decision.owner_function else ""),
            csv_export.day(decision.due_on),
            csv_export.moment(decision.logged_at),
            csv_export.moment(decision.meeting.starts_at) if decision.meeting else "",
            safe("; ".join(sorted(t.name for t in decision.touchpoints.all()))),
            decision.supersedes_id or "",
            getattr(getattr(decision, "superseded_by", None), "pk", ""),
            safe(decision.outcome),
            base + decision.get_absolute_url(),
        ]


@require_GET
def decision_export(request):
    """The decisions the log shows under its filters, every page, as CSV. Invalid filters
    are a 400 naming them, as on the log."""
    filterset = DecisionFilterSet(request.GET, queryset=selectors.decision_list(user=request.user))
    if not filterset.is_valid():
        message = _("The decisions cannot be exported with these filters.")
        return csv_export.refused(message, filterset.errors)
    return csv_export.stream("decisions", lambda: _decision_lines(request, filterset.qs))


def _decision_or_404(request, pk) -> Decision:
    return selectors.decision_get(user=request.user, pk=pk)


def _detail_context(request, decision, *, error=None) -> dict:
    user = request.user
    board = decision.board
    pending = decision.status in Decision.PENDING_STATUSES
    escalations = list(decision.escalations.all())
    resolves = Escalation.objects.filter(resolution=decision.pk).select_related("from_board")
    return {
        "decision": decision,
        "board": board,
        "facts": list(decision.facts.all()),
        "touchpoints": list(decision.touchpoints.all()),
        "escalations": escalations,
        "resolves": resolves.first(),
        "can_mark": pending and permissions.can_mark_implemented(user, decision),
        "can_supersede": decision.status != Decision.Status.SUPERSEDED
        and permissions.can_log_decision(user, board),
        "can_escalate": pending
        and board.escalates_to_id is not None
        and permissions.can_escalate(user, board)
        and not any(e.is_open for e in escalations),
        "error": error,
        # Rendered only if the template shows them (Django calls a callable).
        "panels": lambda: decision_page.render(request, decision),
    }


@require_GET
def decision_detail(request, pk):
    decision = _decision_or_404(request, pk)
    return render_page(
        request,
        "boards/decision_detail.html",
        "",
        _detail_context(request, decision),
        fragment=False,
    )


@require_POST
def decision_implemented(request, pk):
    decision = _decision_or_404(request, pk)
    try:
        services.decision_mark_implemented(actor=request.user, decision=decision)
    except DomainError as exc:
        if not is_htmx(request):
            raise
        context = _detail_context(request, decision, error=exc.message)
        return render_page(
            request, "boards/decision_detail.html", "status", context, exc.status_code
        )
    if not is_htmx(request):
        messages.success(request, _("The decision is marked as carried out."))
        return redirect(decision)
    decision = _decision_or_404(request, pk)
    context = _detail_context(request, decision)
    context["done"] = _("The decision is marked as carried out.")
    return render_page(request, "boards/decision_detail.html", "status", context)


# --- Logging a decision ------------------------------------------------------------------------


def _choices(board, extra_touchpoint_ids=()) -> dict:
    """Touchpoints (the board's scope first) and the KPIs of the touchpoints in scope."""
    scope = list(selectors.scope_touchpoints(board).filter(is_archived=False).order_by("name"))
    scope_ids = {t.pk for t in scope}
    others = list(
        Touchpoint.objects.filter(is_archived=False).exclude(pk__in=scope_ids).order_by("name")
    )
    kpi_touchpoints = scope_ids | set(extra_touchpoint_ids)
    kpis = list(
        Kpi.objects.active()
        .filter(touchpoint__in=kpi_touchpoints)
        .select_related("touchpoint")
        .order_by("touchpoint__name", "name")
    )
    return {"scope": scope, "others": others, "kpis": kpis}


def _id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _conflict_from(request, key: str = "conflict") -> Conflict | None:
    raw = request.POST.get(key) if request.method == "POST" else request.GET.get(key)
    if not raw:
        return None
    conflict = (
        Conflict.objects.visible_to(request.user)
        .select_related("touchpoint", "holder_function", "claimant_function", "claim__claimant")
        .filter(pk=_id(raw))
        .first()
    )
    if conflict is None:
        raise Http404("No such conflict.")
    return conflict


def _meeting_from(request, board) -> Meeting | None:
    raw = request.POST.get("meeting") if request.method == "POST" else request.GET.get("meeting")
    if not raw:
        return None
    meeting = Meeting.objects.visible_to(request.user).filter(pk=_id(raw), board=board).first()
    if meeting is None:
        raise Http404("No such meeting of this board.")
    return meeting


def _log_refusal(board) -> str:
    if not board.is_active:
        return _("%(board)s is archived: it no longer logs decisions.") % {"board": board}
    return _("Only the chair of %(board)s or a delegate the chair names can log its decisions.") % {
        "board": board
    }


def _form_context(*, form, board, allowed, conflict=None, meeting=None, logged=None, **extra):
    return {
        "form": form,
        "board": board,
        "allowed": allowed,
        "conflict": conflict,
        "meeting": meeting,
        "logged": logged,
        "refusal_text": _log_refusal(board),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def decision_create(request, pk):
    """Log a decision of the board, fast. ``?conflict=<id>`` resolves that conflict (the form
    asks which function wins); ``?meeting=<id>`` records it in that meeting. With htmx a
    success answers the new decision and an empty form, ready for the next one."""
    board = selectors.board_get(user=request.user, pk=pk)
    allowed = permissions.can_log_decision(request.user, board)
    conflict = _conflict_from(request)
    meeting = _meeting_from(request, board)
    extra = [conflict.touchpoint_id] if conflict else []
    choices = _choices(board, extra)
    initial = {"meeting": meeting.pk if meeting else None}
    if conflict is not None:
        initial.update(
            {
                "conflict": conflict.pk,
                "title": _("Right to %(right)s %(touchpoint)s: %(claimant)s or %(holder)s")
                % {
                    "right": conflict.get_right_display(),
                    "touchpoint": conflict.touchpoint.name,
                    "claimant": conflict.claimant_function.name,
                    "holder": conflict.holder_function.name,
                },
                "touchpoints": [conflict.touchpoint_id],
            }
        )
    data = request.POST if request.method == "POST" else None
    form = DecisionForm(data, conflict=conflict, initial=initial, **choices)
    status = 200 if allowed else 403
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_log(
                actor=request.user,
                board=board,
                meeting=meeting,
                conflict=conflict,
                **form.service_fields(),
            )
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            message = _("Decision logged: %(title)s.") % {"title": decision.title}
            if conflict is not None:
                message = _(
                    "Decision logged: %(title)s. The conflict is resolved: the right goes to "
                    "%(function)s."
                ) % {"title": decision.title, "function": form.cleaned_data["winner"].name}
            if not is_htmx(request):
                messages.success(request, message)
                return redirect(decision)
            decision = selectors.decision_get(user=request.user, pk=decision.pk)
            fresh = DecisionForm(
                initial={"meeting": meeting.pk if meeting else None}, **_choices(board)
            )
            context = _form_context(
                form=fresh, board=board, allowed=allowed, meeting=meeting, logged=decision,
                done=message,
            )  # fmt: skip
            return render_page(request, "boards/decision_form.html", "decision-form", context)
    elif request.method == "POST":
        status = 400 if allowed else 403
    context = _form_context(
        form=form, board=board, allowed=allowed, conflict=conflict, meeting=meeting
    )
    return render_page(request, "boards/decision_form.html", "decision-form", context, status)


@require_http_methods(["GET", "POST"])
def decision_supersede(request, pk):
    """Correct a decision with a new one of the same board; the form starts from the old."""
    old = _decision_or_404(request, pk)
    board = old.board
    allowed = permissions.can_log_decision(request.user, board)
    facts = list(old.facts.all())
    touchpoint_ids = [t.pk for t in old.touchpoints.all()]
    choices = _choices(board, touchpoint_ids)
    initial = {
        "title": old.title,
        "rationale": old.rationale,
        "outcome": old.outcome,
        "owner": old.owner_id,
        "owner_function": old.owner_function_id,
        "due_on": old.due_on if old.due_on and old.due_on >= timezone.localdate() else None,
        "touchpoints": touchpoint_ids,
        "kpis": [f.kpi_id for f in facts if f.kpi_id],
    }
    data = request.POST if request.method == "POST" else None
    form = DecisionForm(data, initial=initial, with_subject=False, **choices)
    status = 200 if allowed else 403
    if old.status == Decision.Status.SUPERSEDED:
        allowed, status = False, 409
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_supersede(
                actor=request.user, decision=old, **form.service_fields()
            )
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(
                request,
                _("“%(old)s” is superseded by “%(new)s”.") % {"old": old, "new": decision},
            )
            return redirect(decision)
    elif request.method == "POST":
        status = 400 if status == 200 else status
    context = _form_context(form=form, board=board, allowed=allowed, superseding=old)
    if old.status == Decision.Status.SUPERSEDED:
        context["refusal_text"] = _("“%(old)s” is already superseded.") % {"old": old}
    return render_page(
        request, "boards/decision_form.html", "decision-form", context, status, fragment=False
    )
