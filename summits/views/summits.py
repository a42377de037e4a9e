"""Summits: a summit's page (participants by function, the journey-gap view, the
capability plan, the action items and how they stand) and the forms that build its record.

The views parse input, call one selector or service, and render. The services decide who
may do what; a refusal is shown next to the form, with what the person typed kept, or on the
summit's page with the service's message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagement.core.errors import DomainError, NotAllowed
from summits import permissions, selectors, services
from summits.forms import CapabilityForm, ParticipantForm, ReviewForm, SummitForm
from summits.models import Capability, JourneyReview, Participant, Summit
from summits.views.common import form_error, is_htmx, render_page

DETAIL = "summits/summit_detail.html"


# --- One summit --------------------------------------------------------------------------------


def _summit_or_404(request, pk) -> Summit:
    return selectors.summit_get(user=request.user, pk=pk)


def _participants_context(request, summit, page, *, participant_form=None, error=None) -> dict:
    can_manage = permissions.can_manage_summit(request.user, summit) and not summit.is_closed
    if can_manage and participant_form is None:
        participant_form = ParticipantForm()
    return {
        "summit": summit,
        "page": page,
        "can_manage": can_manage,
        "participant_form": participant_form if can_manage else None,
        "error": error,
    }


def _detail_context(request, summit, *, participant_form=None, error=None) -> dict:
    user = request.user
    page = selectors.summit_page(user=user, summit=summit)
    latest = selectors.updates_by_item(page.action_items)
    for item in page.action_items:
        item.latest_update = latest.get(item.pk)
    context = _participants_context(
        request, summit, page, participant_form=participant_form, error=error
    )
    is_open = not summit.is_closed
    records = permissions.can_record_actions(user, summit)
    context.update(
        {
            "can_edit": context["can_manage"],
            "can_review": is_open and permissions.can_review(user, summit),
            "can_record": is_open and records,
            "can_hold": records
            and summit.status == Summit.Status.PLANNING
            and summit.starts_on <= timezone.localdate(),
            "can_close": records and summit.status == Summit.Status.HELD,
            "planned_areas": [row.area for row in page.capabilities if row.plan],
        }
    )
    return context


@require_GET
def summit_detail(request, pk):
    summit = _summit_or_404(request, pk)
    return render_page(request, DETAIL, "", _detail_context(request, summit), fragment=False)


def _page_again(request, summit, *, status, error=None, participant_form=None):
    """The summit's page with a refusal's message (or a form's errors), and its status."""
    context = _detail_context(request, summit, participant_form=participant_form, error=error)
    return render_page(request, DETAIL, "", context, status, fragment=False)


@require_POST
def summit_hold(request, pk):
    summit = _summit_or_404(request, pk)
    try:
        summit = services.summit_hold(actor=request.user, summit=summit)
    except DomainError as exc:
        return _page_again(request, summit, status=exc.status_code, error=exc.message)
    messages.success(
        request, _("The summit is marked held. Finish its review and plan, then close it.")
    )
    return redirect(summit)


@require_POST
def summit_close(request, pk):
    summit = _summit_or_404(request, pk)
    try:
        summit = services.summit_close(actor=request.user, summit=summit)
    except DomainError as exc:
        return _page_again(request, summit, status=exc.status_code, error=exc.message)
    messages.success(
        request,
        _("The summit is closed: its review, plan and participants are frozen. Its action items "
          "go on with the boards that follow them up."),
    )  # fmt: skip
    return redirect(summit)


# --- Participants ------------------------------------------------------------------------------


def _participants_answer(request, summit, *, participant_form=None, status=200, error=None):
    """After a change to the participants: their section (htmx) or the summit's page."""
    if status == 200 and not is_htmx(request):
        url = reverse("summits:summit_detail", kwargs={"pk": summit.pk})
        return redirect(url + "#participants")
    if is_htmx(request):
        page = selectors.summit_page(user=request.user, summit=summit)
        context = _participants_context(
            request, summit, page, participant_form=participant_form, error=error
        )
        return render_page(request, DETAIL, "participants", context, status)
    return _page_again(
        request, summit, status=status, error=error, participant_form=participant_form
    )


def _manage_refusal(summit) -> str:
    return _("Only the chair of %(summit)s, an executive or an administrator can change its "
             "participants.") % {"summit": summit.title}  # fmt: skip


@require_POST
def participant_add(request, pk):
    summit = _summit_or_404(request, pk)
    form = ParticipantForm(request.POST)
    if not form.is_valid():
        if not permissions.can_manage_summit(request.user, summit):
            raise NotAllowed(_manage_refusal(summit))
        return _participants_answer(request, summit, participant_form=form, status=400)
    try:
        participant = services.participant_add(
            actor=request.user, summit=summit, **form.cleaned_data
        )
    except DomainError as exc:
        status = form_error(form, exc)
        # The form is not on the page of someone who may not manage the summit (or once it
        # is closed): say why above it instead.
        shown = permissions.can_manage_summit(request.user, summit) and not summit.is_closed
        return _participants_answer(
            request, summit, participant_form=form, status=status,
            error=None if shown else exc.message,
        )  # fmt: skip
    messages.success(
        request,
        _("%(person)s takes part for %(function)s.")
        % {"person": participant.person.display_name, "function": participant.function.name},
    )
    return _participants_answer(request, summit)


@require_POST
def participant_remove(request, pk):
    participant = (
        Participant.objects.visible_to(request.user)
        .select_related("summit", "person")
        .filter(pk=pk)
        .first()
    )
    if participant is None:
        raise Http404("No such participant.")
    summit = _summit_or_404(request, participant.summit_id)
    try:
        services.participant_remove(actor=request.user, participant=participant)
    except DomainError as exc:
        return _participants_answer(request, summit, status=exc.status_code, error=exc.message)
    messages.success(
        request,
        _("%(person)s no longer takes part in %(summit)s.")
        % {"person": participant.person.display_name, "summit": summit.title},
    )
    return _participants_answer(request, summit)


# --- Set-up ------------------------------------------------------------------------------------


def _summit_form_page(request, *, form, summit, allowed, refusal_text, status):
    return render_page(
        request,
        "summits/summit_form.html",
        "",
        {"form": form, "summit": summit, "allowed": allowed, "refusal_text": refusal_text},
        status,
        fragment=False,
    )


@require_http_methods(["GET", "POST"])
def summit_create(request):
    allowed = permissions.can_create_summit(request.user)
    form = SummitForm(request.POST or None)
    status = 200 if allowed else 403
    if request.method == "POST" and form.is_valid():
        try:
            summit = services.summit_create(actor=request.user, **form.changes())
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(title)s was called. Invite the participants, one for each function.")
                % {"title": summit.title},
            )
            return redirect(summit)
    elif request.method == "POST":
        status = 400 if allowed else 403
    return _summit_form_page(
        request, form=form, summit=None, allowed=allowed, status=status,
        refusal_text=_("Only executives and administrators can call a summit."),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def summit_edit(request, pk):
    summit = _summit_or_404(request, pk)
    allowed = permissions.can_manage_summit(request.user, summit)
    refusal = _("Only the chair of %(summit)s, an executive or an administrator can change it.") % {
        "summit": summit.title
    }
    status = 200 if allowed else 403
    if allowed and summit.is_closed:
        allowed, status = False, 409
        refusal = _("%(summit)s is closed; its record can no longer change.") % {
            "summit": summit.title
        }
    form = SummitForm(
        request.POST or None,
        summit=summit,
        may_change_chair=permissions.can_change_chair(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            summit = services.summit_update(actor=request.user, summit=summit, **form.changes())
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("Your changes to %(title)s were saved.") % {
                "title": summit.title})  # fmt: skip
            return redirect(summit)
    elif request.method == "POST":
        status = 400 if status == 200 else status
    return _summit_form_page(
        request, form=form, summit=summit, allowed=allowed, refusal_text=refusal, status=status
    )


# --- The journey review and the capability plan ------------------------------------------------


def _reviewer_gate(request, summit) -> tuple[bool, int, str]:
    """May the person work on the summit's review and plan? (allowed, status, why not)."""
    if not permissions.can_review(request.user, summit):
        return (
            False,
            403,
            _("Only the chair and the participants of %(summit)s can work on its review and plan.")
            % {"summit": summit.title},
        )
    if summit.is_closed:
        return (
            False,
            409,
            _("%(summit)s is closed; its record can no longer change.") % {"summit": summit.title},
        )
    return True, 200, ""


def _record_form_page(request, template, *, form, summit, obj, gate, status):
    allowed, _status, refusal = gate
    return render_page(
        request,
        template,
        "",
        {"form": form, "summit": summit, "object": obj, "allowed": allowed,
         "refusal_text": refusal},
        status,
        fragment=False,
    )  # fmt: skip


def _saved(request, summit, anchor, message):
    messages.success(request, message)
    return redirect(reverse("summits:summit_detail", kwargs={"pk": summit.pk}) + anchor)


@require_http_methods(["GET", "POST"])
def review_create(request, pk):
    summit = _summit_or_404(request, pk)
    gate = _reviewer_gate(request, summit)
    initial = {}
    for name in ("stage", "touchpoint"):
        if request.GET.get(name, "").isdigit():
            initial[name] = int(request.GET[name])
    form = ReviewForm(request.POST or None, initial=initial)
    status = gate[1]
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_add(actor=request.user, summit=summit, **form.service_fields())
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            return _saved(
                request, summit, "#journey",
                _("The review of %(subject)s was recorded.") % {"subject": review},
            )  # fmt: skip
    elif request.method == "POST" and status == 200:
        status = 400
    return _record_form_page(
        request, "summits/review_form.html", form=form, summit=summit, obj=None, gate=gate,
        status=status,
    )  # fmt: skip


def _review_or_404(request, pk) -> JourneyReview:
    review = (
        JourneyReview.objects.visible_to(request.user)
        .select_related("summit__chair", "stage", "touchpoint__stage")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    return review


@require_http_methods(["GET", "POST"])
def review_edit(request, pk):
    review = _review_or_404(request, pk)
    summit = review.summit
    gate = _reviewer_gate(request, summit)
    form = ReviewForm(request.POST or None, review=review)
    status = gate[1]
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(actor=request.user, review=review, **form.service_fields())
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            return _saved(
                request, summit, "#journey",
                _("The review of %(subject)s was saved.") % {"subject": review},
            )  # fmt: skip
    elif request.method == "POST" and status == 200:
        status = 400
    return _record_form_page(
        request, "summits/review_form.html", form=form, summit=summit, obj=review, gate=gate,
        status=status,
    )  # fmt: skip


@require_POST
def review_remove(request, pk):
    review = _review_or_404(request, pk)
    summit = review.summit
    try:
        services.review_remove(actor=request.user, review=review)
    except DomainError as exc:
        return _page_again(request, summit, status=exc.status_code, error=exc.message)
    return _saved(
        request, summit, "#journey",
        _("The review of %(subject)s was removed.") % {"subject": review},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def capability_create(request, pk):
    summit = _summit_or_404(request, pk)
    gate = _reviewer_gate(request, summit)
    area = request.GET.get("area", "")
    initial = {"area": area} if area in Capability.Area.values else {}
    form = CapabilityForm(request.POST or None, initial=initial)
    status = gate[1]
    if request.method == "POST" and form.is_valid():
        try:
            capability = services.capability_add(
                actor=request.user, summit=summit, **form.cleaned_data
            )
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            return _saved(
                request, summit, "#capabilities",
                _("%(area)s is in the plan.") % {"area": capability.get_area_display()},
            )  # fmt: skip
    elif request.method == "POST" and status == 200:
        status = 400
    return _record_form_page(
        request, "summits/capability_form.html", form=form, summit=summit, obj=None,
        gate=gate, status=status,
    )  # fmt: skip


def _capability_or_404(request, pk) -> Capability:
    capability = (
        Capability.objects.visible_to(request.user)
        .select_related("summit__chair", "owner")
        .filter(pk=pk)
        .first()
    )
    if capability is None:
        raise Http404("No such capability.")
    return capability


@require_http_methods(["GET", "POST"])
def capability_edit(request, pk):
    capability = _capability_or_404(request, pk)
    summit = capability.summit
    gate = _reviewer_gate(request, summit)
    form = CapabilityForm(request.POST or None, capability=capability)
    status = gate[1]
    if request.method == "POST" and form.is_valid():
        try:
            services.capability_update(
                actor=request.user, capability=capability, **form.cleaned_data
            )
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            return _saved(
                request, summit, "#capabilities",
                _("The plan for %(area)s was saved.") % {"area": capability.get_area_display()},
            )  # fmt: skip
    elif request.method == "POST" and status == 200:
        status = 400
    return _record_form_page(
        request, "summits/capability_form.html", form=form, summit=summit, obj=capability,
        gate=gate, status=status,
    )  # fmt: skip


@require_POST
def capability_remove(request, pk):
    capability = _capability_or_404(request, pk)
    summit = capability.summit
    try:
        services.capability_remove(actor=request.user, capability=capability)
    except DomainError as exc:
        return _page_again(request, summit, status=exc.status_code, error=exc.message)
    return _saved(
        request, summit, "#capabilities",
        _("%(area)s was taken out of the plan.") % {"area": capability.get_area_display()},
    )  # fmt: skip
