"""Boards and their members: the list (and its CSV export), a board's page (members,
meetings, decision log, health, conflicts and claims in scope, escalations) and its set-up
forms.

The views parse input, call one selector or service, and render. The services decide who
may do what; a refusal is shown next to the form, or as a page with the service's message.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boards import permissions, selectors, services
from boards.cadence import describe
from boards.filters import BoardFilterSet
from boards.forms import BoardForm, MembershipForm
from boards.models import Board, CalendarFeed, Membership
from boards.panels import board_page
from boards.views.common import form_error, is_htmx, render_page
from boards.views.feeds import feed_address
from charter.forms import ApproveForm, RejectForm
from engagement.core import csv_export
from engagement.core.csv_export import safe
from engagement.core.errors import DomainError, NotAllowed
from engagement.org.models import User
from engagement.org.roles import roles_for

RECENT_DECISIONS = 8
RECENT_ESCALATIONS = 6


# --- The list ----------------------------------------------------------------------------------


def _my_roles(user) -> dict[int, str]:
    """What the viewer is on each board they sit on (one query)."""
    roles = {}
    for board_id, role, is_delegate in (
        Membership.objects.current()
        .filter(person=user.pk)
        .values_list("board_id", "role", "is_delegate")
    ):
        label = Membership.Role(role).label
        roles[board_id] = (
            _("%(role)s, chair's delegate") % {"role": label} if is_delegate else label
        )
    return roles


def _board_filterset(request) -> BoardFilterSet:
    """The list's filters: active boards unless ``active`` is given (empty: every board)."""
    data = request.GET.copy()
    if "active" not in data:
        data["active"] = "true"
    filterset = BoardFilterSet(
        data, queryset=selectors.board_list(user=request.user, include_archived=True)
    )
    # The chair menu offers the people who chair a board, not everyone who can sign in.
    chairs = Board.objects.visible_to(request.user).values("chair")
    filterset.form.fields["chair"].queryset = User.objects.filter(pk__in=chairs).order_by(
        "last_name", "first_name", "username"
    )
    return filterset


def _is_filtered(query) -> bool:
    """Does the query narrow or widen the list beyond its default (active boards)?"""
    return any(
        key != "page" and (value if key != "active" else value != "true")
        for key, value in query.items()
    )


@require_GET
def board_list(request):
    user = request.user
    filterset = _board_filterset(request)
    valid = filterset.is_valid()
    boards = list(filterset.qs.order_by("name", "pk")) if valid else []
    sitting = _my_roles(user)
    for board in boards:
        if board.chair_id == user.pk:
            board.my_role = _("chair")
        elif board.sponsor_id == user.pk:
            board.my_role = _("sponsor")
        else:
            board.my_role = sitting.get(board.pk, "")
    feed = CalendarFeed.objects.filter(person=user.pk).first()
    return render_page(
        request,
        "boards/board_list.html",
        "",
        {
            "form": filterset.form,
            "boards": boards,
            "filtered": _is_filtered(request.GET),
            "inbox_count": selectors.escalation_inbox(user=user).count(),
            "can_create": permissions.can_create_board(user),
            "feed": feed,
            "feed_url": feed_address(request, feed),
            "can_manage_feed": permissions.can_manage_feed(user, person=user),
        },
        status=200 if valid else 400,
        fragment=False,
    )


def _in_zone(moment, zone: str) -> str:
    """A time as the board's page shows it: in the board's own time zone."""
    return timezone.localtime(moment, ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") if moment else ""


def _board_lines(request, boards):
    yield [
        _("board"), _("chair"), _("sponsor"), _("escalates to"), _("members"),
        _("next meeting"), _("time zone"), _("open decisions"), _("overdue decisions"),
        _("archived"), _("link"),
    ]  # fmt: skip
    base = request.build_absolute_uri("/")[:-1]
    for board in boards:
        yield [
            safe(board.name),
            safe(board.chair.display_name),
            safe(board.sponsor.display_name if board.sponsor else ""),
            safe(board.escalates_to.name if board.escalates_to else ""),
            board.member_count,
            _in_zone(board.next_meeting_at, board.time_zone),
            board.time_zone,
            board.open_decision_count,
            board.overdue_decision_count,
            _("no") if board.is_active else _("yes"),
            base + board.get_absolute_url(),
        ]


@require_GET
def board_export(request):
    """The boards the list shows under its filters, as CSV (times in the site's time zone)."""
    filterset = _board_filterset(request)
    if not filterset.is_valid():
        message = _("The boards cannot be exported with these filters.")
        return csv_export.refused(message, filterset.errors)
    boards = filterset.qs.order_by("name", "pk")
    return csv_export.stream("boards", lambda: _board_lines(request, boards.iterator()))


# --- One board ---------------------------------------------------------------------------------


def _board_or_404(request, pk) -> Board:
    return selectors.board_get(user=request.user, pk=pk)


def _decorate_claims(request, board, claims, bound):
    """Approve/reject forms for the charter's own views, for those who may decide. The chair
    and delegates decide claims in the board's scope (the charter's hook); executives and
    administrators decide any claim."""
    roles = roles_for(request.user)
    can_decide = (
        roles.is_admin
        or roles.is_executive
        or (board.is_active and permissions.leads(request.user, board))
    )
    for claim in claims:
        claim.can_decide = can_decide
        if can_decide:
            claim.approve_form = bound.get(("approve", claim.pk)) or ApproveForm(
                auto_id=f"approve_{claim.pk}_%s"
            )
            claim.reject_form = bound.get(("reject", claim.pk)) or RejectForm(
                auto_id=f"reject_{claim.pk}_%s"
            )
    return can_decide


def _members_context(request, board, *, member_form=None, error=None) -> dict:
    user = request.user
    memberships = selectors.members(board)
    can_manage = permissions.can_manage_board(user, board)
    if can_manage and member_form is None:
        member_form = MembershipForm()
    return {
        "board": board,
        "memberships": memberships,
        "members_by_function": selectors.members_by_function(memberships),
        "core_count": sum(1 for m in memberships if m.role == Membership.Role.CORE),
        "can_manage": can_manage,
        "member_form": member_form if can_manage else None,
        "error": error,
    }


def _detail_context(request, board, *, member_form=None) -> dict:
    user = request.user
    context = _members_context(request, board, member_form=member_form)
    memberships = context["memberships"]
    leads = permissions.leads(user, board)
    can_log = permissions.can_log_decision(user, board)
    ladder = selectors.ladder_above(board)
    claims = list(selectors.claims_waiting(board))
    feed = CalendarFeed.objects.filter(board=board.pk).first()
    can_manage_feed = permissions.can_manage_feed(user, board=board)
    # The address is a secret that opens the board's meetings without signing in: shown to
    # the board's members and to those who manage it, not to every reader of the page.
    sits = any(m.person_id == user.pk for m in memberships)
    decisions = selectors.decision_list(user=user).filter(board=board)
    escalations = selectors.escalation_list(user=user)
    context.update(
        {
            "cadence_words": describe(board.cadence),
            "ladder": ladder,
            "scope_stages": list(board.scope_stages.order_by("position", "name")),
            "scope_touchpoints": list(
                board.scope_touchpoints.select_related("stage").order_by("stage__position", "name")
            ),
            "scope_count": selectors.scope_touchpoints(board).filter(is_archived=False).count(),
            "upcoming": selectors.upcoming_meetings(board),
            "recent_meetings": selectors.recent_meetings(board),
            "decisions": list(decisions[:RECENT_DECISIONS]),
            "health": selectors.board_health(board),
            "conflicts": list(selectors.conflicts_in_scope(board)),
            "claims": claims,
            "can_decide_claims": _decorate_claims(request, board, claims, {}),
            "raised": list(escalations.filter(from_board=board)[:RECENT_ESCALATIONS]),
            "received": list(escalations.filter(to_board=board)[:RECENT_ESCALATIONS]),
            "leads": leads,
            "can_log": can_log,
            "can_run": permissions.can_run_meeting(user, board) and board.is_active,
            "can_escalate": permissions.can_escalate(user, board) and bool(ladder),
            "feed": feed,
            "feed_url": feed_address(request, feed) if (sits or can_manage_feed) else "",
            "can_manage_feed": can_manage_feed,
            # Rendered only if the template shows them (Django calls a callable).
            "panels": lambda: board_page.render(request, board),
        }
    )
    return context


@require_GET
def board_detail(request, pk):
    board = _board_or_404(request, pk)
    return render_page(
        request, "boards/board_detail.html", "", _detail_context(request, board), fragment=False
    )


def _members_answer(request, board, *, member_form=None, status=200, error=None):
    """After a change to the members: the members section (htmx) or the board page."""
    if is_htmx(request):
        context = _members_context(request, board, member_form=member_form, error=error)
        return render_page(request, "boards/board_detail.html", "members", context, status)
    if status == 200:
        return redirect(reverse("boards:board_detail", kwargs={"pk": board.pk}) + "#members")
    context = _detail_context(request, board, member_form=member_form)
    return render_page(request, "boards/board_detail.html", "", context, status, fragment=False)


@require_POST
def membership_add(request, pk):
    board = _board_or_404(request, pk)
    form = MembershipForm(request.POST)
    if not form.is_valid():
        if not permissions.can_manage_board(request.user, board):
            raise NotAllowed(_members_refusal(board))
        return _members_answer(request, board, member_form=form, status=400)
    try:
        membership = services.membership_add(actor=request.user, board=board, **form.cleaned_data)
    except DomainError as exc:
        if exc.status_code == 403 and not is_htmx(request):
            raise
        status = form_error(form, exc)
        return _members_answer(request, board, member_form=form, status=status)
    messages.success(
        request,
        _("%(person)s now sits on %(board)s for %(function)s.")
        % {
            "person": membership.person.display_name,
            "board": board.name,
            "function": membership.function.name,
        },
    )
    return _members_answer(request, board)


def _members_refusal(board) -> str:
    return _(
        "Only the chair, the sponsor or an administrator can change the members of %(board)s."
    ) % {"board": board}


@require_POST
def membership_end(request, pk):
    membership = (
        Membership.objects.visible_to(request.user)
        .select_related("board", "person")
        .filter(pk=pk)
        .first()
    )
    if membership is None:
        raise Http404("No such membership.")
    board = selectors.board_get(user=request.user, pk=membership.board_id)
    try:
        services.membership_end(actor=request.user, membership=membership)
    except DomainError as exc:
        if not is_htmx(request):
            raise
        return _members_answer(request, board, status=exc.status_code, error=exc.message)
    messages.success(
        request,
        _("%(person)s no longer sits on %(board)s.")
        % {"person": membership.person.display_name, "board": board.name},
    )
    return _members_answer(request, board)


# --- Set-up ------------------------------------------------------------------------------------


def _form_page(request, *, form, board, allowed, refusal_text, status):
    return render_page(
        request,
        "boards/board_form.html",
        "",
        {"form": form, "board": board, "allowed": allowed, "refusal_text": refusal_text},
        status,
        fragment=False,
    )


@require_http_methods(["GET", "POST"])
def board_create(request):
    allowed = permissions.can_create_board(request.user)
    form = BoardForm(request.POST or None, is_admin=allowed)
    status = 200 if allowed else 403
    if request.method == "POST" and form.is_valid():
        try:
            board = services.board_create(actor=request.user, **form.scope(), **form.changes())
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(
                request,
                _("The board %(name)s was created; its meetings are being scheduled.")
                % {"name": board.name},
            )
            return redirect(board)
    elif request.method == "POST":
        status = 400 if allowed else 403
    return _form_page(
        request,
        form=form,
        board=None,
        allowed=allowed,
        refusal_text=_("Only administrators can create boards."),
        status=status,
    )


@require_http_methods(["GET", "POST"])
def board_update(request, pk):
    board = _board_or_404(request, pk)
    allowed = permissions.can_manage_board(request.user, board)
    is_admin = roles_for(request.user).is_admin
    form = BoardForm(request.POST or None, board=board, is_admin=is_admin)
    status = 200 if allowed else 403
    if request.method == "POST" and form.is_valid():
        try:
            services.board_update(actor=request.user, board=board, **form.scope(), **form.changes())
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("Your changes to %(name)s were saved.") % {"name": board})
            return redirect(board)
    elif request.method == "POST":
        status = 400 if allowed else 403
    return _form_page(
        request,
        form=form,
        board=board,
        allowed=allowed,
        refusal_text=_("Only the chair, the sponsor or an administrator can change %(name)s.")
        % {"name": board.name},
        status=status,
    )
