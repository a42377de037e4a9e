"""The boards' sections of a person's digest: what they own that is due, the state of the
boards they chair, and, for executives, the exceptions only. Each returns None when it has
nothing to say, so a digest holds only the sections that matter to its reader."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from boards.models import Board, Decision, Escalation
from boards.notifications.common import capped
from boards.selectors import health_for
from charter.selectors import coverage_summary
from engagement.notify import rules
from engagement.notify.digests import Line, Section
from engagement.org.roles import roles_for

DUE_WITHIN = timedelta(days=7)


def _more(lines: list[Line], more: int, url: str) -> list[Line]:
    if more:
        lines.append(Line(_("…and %(n)d more") % {"n": more}, url))
    return lines


def owner_section(person, *, since, now, previous) -> Section | None:
    """Decisions the person, or a function they act for, is to carry out: overdue, or due
    within a week; soonest first."""
    today = timezone.localdate(now)
    acting = roles_for(person).acting_function_ids
    rows = list(
        Decision.objects.filter(
            Q(owner=person.pk) | Q(owner_function__in=acting),
            status__in=Decision.PENDING_STATUSES,
            due_on__lte=today + DUE_WITHIN,
        )
        .order_by("due_on", "id")
        .values_list("id", "title", "due_on", "board__name")
    )
    if not rows:
        return None
    shown, more = capped(rows)
    lines = [
        Line(
            _("“%(title)s” (%(board)s), %(due)s")
            % {"title": title, "board": board, "due": rules.due_text((due_on - today).days)},
            reverse("boards:decision_detail", kwargs={"pk": pk}),
        )
        for pk, title, due_on, board in shown
    ]
    return Section(
        _("Decisions you are to carry out"),
        _more(lines, more, reverse("boards:decision_list") + "?status=open"),
    )


def chair_section(person, *, since, now, previous) -> Section | None:
    """For each active board the person chairs: open and overdue decisions, open conflicts in
    its scope, claims waiting for approval (``boards.selectors.health_for``, a fixed number of
    queries whatever the number of boards)."""
    boards = list(Board.objects.filter(chair=person.pk, is_active=True).order_by("name"))
    if not boards:
        return None
    health = health_for(boards, now)
    lines = []
    for board in boards:
        found = health[board.pk]
        parts = []
        if found.open_decisions:
            text = ngettext("%(n)d open decision", "%(n)d open decisions", found.open_decisions) % {
                "n": found.open_decisions
            }
            if found.overdue_decisions:
                text += _(" (%(n)d overdue)") % {"n": found.overdue_decisions}
            parts.append(text)
        if found.open_conflicts:
            parts.append(
                ngettext("%(n)d conflict open", "%(n)d conflicts open", found.open_conflicts)
                % {"n": found.open_conflicts}
            )
        if found.claims_waiting:
            parts.append(
                ngettext("%(n)d claim waiting", "%(n)d claims waiting", found.claims_waiting)
                % {"n": found.claims_waiting}
            )
        if parts:
            lines.append(Line(f"{board.name}: {', '.join(parts)}", board.get_absolute_url()))
    if not lines:
        return None
    return Section(_("The boards you chair"), lines)


def executive_section(person, *, since, now, previous) -> Section | None:
    """Exceptions only, for executives: escalations waiting for a body they chair or sponsor
    or for the top of a ladder, how many decisions are overdue, and charter coverage with its
    change since their last digest (kept in ``figures`` for the next one)."""
    if not roles_for(person).is_executive:
        return None
    today = timezone.localdate(now)
    lines = []
    escalations = list(
        Escalation.objects.filter(status__in=Escalation.OPEN_STATUSES)
        .filter(
            Q(to_board__chair=person.pk)
            | Q(to_board__sponsor=person.pk)
            | Q(to_board__escalates_to__isnull=True, to_board__is_active=True)
        )
        .order_by("raised_at", "id")
        .values_list("id", "title", "from_board__name", "to_board__name", "raised_at")
    )
    shown, more = capped(escalations)
    for pk, title, source, target, raised_at in shown:
        lines.append(
            Line(
                _("Escalation waiting: “%(title)s”, from %(from)s to %(to)s since %(day)s")
                % {
                    "title": title,
                    "from": source,
                    "to": target,
                    "day": timezone.localdate(raised_at).isoformat(),
                },
                reverse("boards:escalation_detail", kwargs={"pk": pk}),
            )
        )
    _more(lines, more, reverse("boards:escalation_inbox"))

    overdue = Decision.objects.overdue(today).aggregate(
        n=Count("pk"), boards=Count("board", distinct=True)
    )
    if overdue["n"]:
        lines.append(
            Line(
                ngettext(
                    "%(n)d decision overdue across %(boards)s",
                    "%(n)d decisions overdue across %(boards)s",
                    overdue["n"],
                )
                % {
                    "n": overdue["n"],
                    "boards": ngettext("%(n)d board", "%(n)d boards", overdue["boards"])
                    % {"n": overdue["boards"]},
                },
                reverse("boards:decision_list") + "?status=overdue",
            )
        )

    figures = {}
    percent = coverage_summary(user=person).percent
    if percent is not None:
        figures["coverage_percent"] = percent
        text = _coverage_text(percent, previous.get("coverage_percent"))
        lines.append(Line(text, reverse("charter:coverage")))
    if not lines:
        return None
    return Section(_("Exceptions"), lines, figures)


def _coverage_text(percent: int, before) -> str:
    if before is None:
        return _("Charter coverage %(percent)d%%") % {"percent": percent}
    change = percent - before
    if change == 0:
        since = _("unchanged since your last digest")
    elif change > 0:
        since = ngettext(
            "up %(n)d point since your last digest", "up %(n)d points since your last digest",
            change,
        ) % {"n": change}  # fmt: skip
    else:
        since = ngettext(
            "down %(n)d point since your last digest", "down %(n)d points since your last digest",
            -change,
        ) % {"n": -change}  # fmt: skip
    return _("Charter coverage %(percent)d%% (%(since)s)") % {"percent": percent, "since": since}
