"""One touchpoint's charter, claims and conflicts, and the actions on them (claim, release,
approve, reject, withdraw, resolve). Each action calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from charter import permissions, selectors, services
from charter.forms import ApproveForm, AsOfForm, ClaimForm, RejectForm, ResolveForm
from charter.models import Claim, Conflict, RightAssignment
from charter.views.common import _cleaned, _is_htmx, _render
from engagement.core.errors import DomainError
from engagement.org.roles import functions_acted_for, roles_for
from touchpoints.models import Touchpoint

# --- One touchpoint's charter ------------------------------------------------------------------


def _touchpoint_or_404(user, pk) -> Touchpoint:
    try:
        return selectors.touchpoint_get(user=user, pk=pk)
    except Touchpoint.DoesNotExist:
        raise Http404("No such touchpoint.") from None


def _acting_functions(user):
    """The functions the user may claim for (no query when there are none)."""
    roles = roles_for(user)
    return functions_acted_for(user) if roles.acting_function_ids else None


def _decorate_claim(request, claim, bound):
    user = request.user
    claim.can_decide = claim.status == Claim.Status.PENDING and permissions.can_decide_claim(
        user, claim
    )
    claim.can_withdraw = claim.is_open and permissions.can_withdraw(user, claim)
    if claim.can_decide:
        claim.approve_form = bound.get(("approve", claim.pk)) or ApproveForm(
            auto_id=f"approve_{claim.pk}_%s"
        )
        claim.reject_form = bound.get(("reject", claim.pk)) or RejectForm(
            auto_id=f"reject_{claim.pk}_%s"
        )


def _decorate_conflict(request, conflict, bound):
    is_open = conflict.status == Conflict.Status.OPEN
    conflict.can_resolve = is_open and permissions.can_resolve_conflict(request.user, conflict)
    conflict.can_withdraw_claim = is_open and permissions.can_withdraw(request.user, conflict.claim)
    if conflict.can_resolve:
        conflict.resolve_form = bound.get(("resolve", conflict.pk)) or ResolveForm(
            conflict=conflict
        )


def _touchpoint_context(request, touchpoint, *, bound=None, as_of_form=None):
    bound = bound or {}
    as_of_form = as_of_form or AsOfForm()
    as_of = _cleaned(as_of_form, "as_of")
    charter = selectors.touchpoint_charter(user=request.user, touchpoint=touchpoint, as_of=as_of)
    functions = _acting_functions(request.user)
    claim_form = bound.get("claim")
    if claim_form is None and functions is not None:
        initial_right = request.GET.get("right", "")
        claim_form = ClaimForm(
            initial={"right": initial_right} if initial_right else None, functions=functions
        )
    for cell in charter.row.cells:
        cell.can_release = cell.holder is not None and permissions.can_release(
            request.user, cell.holder
        )
    for claim in charter.claims:
        _decorate_claim(request, claim, bound)
    for conflict in charter.conflicts:
        _decorate_conflict(request, conflict, bound)
    return {
        "touchpoint": touchpoint,
        "charter": charter,
        "rights": selectors.RIGHTS,
        "claim_form": claim_form if touchpoint.is_open_for_claims else None,
        "as_of_form": as_of_form,
        "as_of": as_of,
    }


def _render_touchpoint(request, touchpoint, *, bound=None, as_of_form=None, status=200):
    context = _touchpoint_context(request, touchpoint, bound=bound, as_of_form=as_of_form)
    return _render(request, "charter/touchpoint_charter.html", "charter-body", context, status)


@require_GET
def touchpoint_charter(request, pk):
    touchpoint = _touchpoint_or_404(request.user, pk)
    as_of_form = AsOfForm(request.GET) if "as_of" in request.GET else None
    status = 200
    if as_of_form is not None and not as_of_form.is_valid():
        status = 400
    return _render_touchpoint(request, touchpoint, as_of_form=as_of_form, status=status)


# --- Claims and conflicts: details ------------------------------------------------------------


def _claim_or_404(user, pk) -> Claim:
    try:
        return selectors.claim_get(user=user, pk=pk)
    except Claim.DoesNotExist:
        raise Http404("No such claim.") from None


def _conflict_or_404(user, pk) -> Conflict:
    try:
        return selectors.conflict_get(user=user, pk=pk)
    except Conflict.DoesNotExist:
        raise Http404("No such conflict.") from None


def _render_claim(request, claim, *, bound=None, status=200):
    _decorate_claim(request, claim, bound or {})
    return _render(request, "charter/claim_detail.html", "claim-body", {"claim": claim}, status)


def _render_conflict(request, conflict, *, bound=None, status=200):
    _decorate_conflict(request, conflict, bound or {})
    holder = selectors.current_holder(touchpoint_id=conflict.touchpoint_id, right=conflict.right)
    return _render(
        request,
        "charter/conflict_detail.html",
        "conflict-body",
        {"conflict": conflict, "current_holder": holder},
        status,
    )


@require_GET
def claim_detail(request, pk):
    return _render_claim(request, _claim_or_404(request.user, pk))


@require_GET
def conflict_detail(request, pk):
    return _render_conflict(request, _conflict_or_404(request.user, pk))


# --- Actions -----------------------------------------------------------------------------------


def _origin(request) -> str:
    origin = request.POST.get("origin", "")
    return origin if origin in ("touchpoint", "claim", "conflict", "next") else "touchpoint"


def _origin_url(request, *, touchpoint_id, claim_id=None, conflict_id=None) -> str:
    origin = _origin(request)
    if origin == "claim" and claim_id:
        return reverse("charter:claim_detail", kwargs={"pk": claim_id})
    if origin == "conflict" and conflict_id:
        return reverse("charter:conflict_detail", kwargs={"pk": conflict_id})
    if origin == "next":
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return reverse("charter:touchpoint_charter", kwargs={"pk": touchpoint_id})


def _show_origin(request, *, touchpoint_id, claim_id=None, conflict_id=None, bound=None, status):
    """Render the page the action came from, with the given bound forms (an htmx request gets
    the page's fragment)."""
    origin = _origin(request)
    if origin == "claim" and claim_id:
        claim = _claim_or_404(request.user, claim_id)
        return _render_claim(request, claim, bound=bound, status=status)
    if origin == "conflict" and conflict_id:
        conflict = _conflict_or_404(request.user, conflict_id)
        return _render_conflict(request, conflict, bound=bound, status=status)
    touchpoint = _touchpoint_or_404(request.user, touchpoint_id)
    return _render_touchpoint(request, touchpoint, bound=bound, status=status)


def _done(
    request, message, *, touchpoint_id, claim_id=None, conflict_id=None, error=None,
    level=messages.SUCCESS,
):  # fmt: skip
    """After a button action: a message (``level`` when it went through, an error when not),
    then back where the person was (in place with htmx)."""
    messages.add_message(request, messages.ERROR if error is not None else level, message)
    ids = {"touchpoint_id": touchpoint_id, "claim_id": claim_id, "conflict_id": conflict_id}
    if _is_htmx(request) and _origin(request) != "next":
        status = error.status_code if error is not None else 200
        return _show_origin(request, status=status, **ids)
    return HttpResponseRedirect(_origin_url(request, **ids))


def _form_error(form, exc: DomainError) -> int:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status_code


def _decision_refused(exc: DomainError, form) -> bool:
    """A decision refused for a reason about its input (a field) is shown on the form again;
    any other refusal (not allowed, already decided) comes back as a message, because the form
    is no longer on the page for this person."""
    return not (exc.field and exc.field in form.fields)


@require_POST
def touchpoint_claim(request, pk):
    touchpoint = _touchpoint_or_404(request.user, pk)
    functions = _acting_functions(request.user)
    if functions is None:
        messages.error(request, _("You do not act for any function, so you cannot claim rights."))
        return HttpResponseRedirect(
            reverse("charter:touchpoint_charter", kwargs={"pk": touchpoint.pk})
        )
    form = ClaimForm(request.POST, functions=functions)
    status = 400
    if form.is_valid():
        try:
            claim = services.right_claim(
                actor=request.user,
                touchpoint=touchpoint,
                right=form.cleaned_data["right"],
                function=form.cleaned_data["function"],
                rationale=form.cleaned_data["rationale"],
            )
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            level, message = _claim_message(claim)
            return _done(request, message, touchpoint_id=touchpoint.pk, level=level)
    return _show_origin(request, touchpoint_id=touchpoint.pk, bound={"claim": form}, status=status)


def _claim_message(claim: Claim) -> tuple[int, str]:
    """What became of a claim, and how to show it: granted is done; waiting for approval is a
    note; contested is a warning, since the function does not hold the right yet."""
    values = {
        "function": claim.function.name,
        "right": claim.get_right_display(),
        "touchpoint": claim.touchpoint.name,
    }
    if claim.status == Claim.Status.GRANTED:
        return messages.SUCCESS, _(
            "%(function)s now holds the right to %(right)s %(touchpoint)s."
        ) % values
    if claim.status == Claim.Status.PENDING:
        return messages.INFO, _(
            "The claim of %(function)s to %(right)s %(touchpoint)s waits for approval."
        ) % values
    return messages.WARNING, (
        _(
            "Another function holds the right to %(right)s %(touchpoint)s: a conflict is open "
            "for a decision."
        )
        % values
    )


@require_POST
def right_release(request, pk):
    try:
        assignment = selectors.assignment_list(user=request.user).get(pk=pk)
    except RightAssignment.DoesNotExist:
        raise Http404("No such right assignment.") from None
    values = {
        "function": assignment.function.name,
        "right": assignment.get_right_display(),
        "touchpoint": assignment.touchpoint.name,
    }
    try:
        services.right_release(actor=request.user, assignment=assignment)
    except DomainError as exc:
        return _done(request, exc.message, touchpoint_id=assignment.touchpoint_id, error=exc)
    return _done(
        request,
        _("%(function)s released the right to %(right)s %(touchpoint)s; it is vacant.") % values,
        touchpoint_id=assignment.touchpoint_id,
    )


def _claim_decision(request, pk, *, verb):
    claim = _claim_or_404(request.user, pk)
    form_class = {"approve": ApproveForm, "reject": RejectForm}[verb]
    form = form_class(request.POST, auto_id=f"{verb}_{claim.pk}_%s")
    ids = {"touchpoint_id": claim.touchpoint_id, "claim_id": claim.pk}
    status = 400
    if form.is_valid():
        try:
            if verb == "approve":
                services.claim_approve(
                    actor=request.user, claim=claim, note=form.cleaned_data["note"]
                )
                message = _("Claim approved: %(function)s now holds the right.")
            else:
                services.claim_reject(
                    actor=request.user, claim=claim, note=form.cleaned_data["note"]
                )
                message = _("Claim of %(function)s rejected.")
        except DomainError as exc:
            if _decision_refused(exc, form):
                return _done(request, exc.message, error=exc, **ids)
            status = _form_error(form, exc)
        else:
            return _done(request, message % {"function": claim.function.name}, **ids)
    return _show_origin(request, bound={(verb, claim.pk): form}, status=status, **ids)


@require_POST
def claim_approve(request, pk):
    return _claim_decision(request, pk, verb="approve")


@require_POST
def claim_reject(request, pk):
    return _claim_decision(request, pk, verb="reject")


@require_POST
def claim_withdraw(request, pk):
    claim = _claim_or_404(request.user, pk)
    ids = {"touchpoint_id": claim.touchpoint_id, "claim_id": claim.pk}
    try:
        services.claim_withdraw(actor=request.user, claim=claim)
    except DomainError as exc:
        return _done(request, exc.message, error=exc, **ids)
    return _done(
        request, _("Claim of %(function)s withdrawn.") % {"function": claim.function.name}, **ids
    )


@require_POST
def conflict_resolve(request, pk):
    conflict = _conflict_or_404(request.user, pk)
    form = ResolveForm(request.POST, conflict=conflict)
    ids = {"touchpoint_id": conflict.touchpoint_id, "conflict_id": conflict.pk}
    status = 400
    if form.is_valid():
        try:
            resolved = services.conflict_resolve(
                actor=request.user,
                conflict=conflict,
                winner=form.cleaned_data["winner"],
                rationale=form.cleaned_data["rationale"],
            )
        except DomainError as exc:
            if _decision_refused(exc, form):
                return _done(request, exc.message, error=exc, **ids)
            status = _form_error(form, exc)
        else:
            message = _(
                "Conflict resolved: the right to %(right)s %(touchpoint)s goes to %(function)s."
            )
            values = {
                "right": resolved.get_right_display(),
                "touchpoint": conflict.touchpoint.name,
                "function": resolved.winner.name,
            }
            return _done(request, message % values, **ids)
    return _show_origin(request, bound={("resolve", conflict.pk): form}, status=status, **ids)
