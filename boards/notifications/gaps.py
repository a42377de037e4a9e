"""Weekly charter gaps: vacant rights and stale KPIs, to the people who can close them.

Once per ISO week, each active function's head hears about the active touchpoints where the
function holds at least one right, and each active board's chair about the active touchpoints
in the board's scope: which of the four rights nobody holds, and which KPIs have gone stale
(``touchpoints.health.is_stale``; KPIs belong to a touchpoint, not to a function). A person
with several roles gets one message for the week, with the gaps of all their touchpoints;
nobody hears anything in a week without gaps. Chat channels following a function or a board
get that function's or board's list.

The whole scan is a fixed number of queries, whatever the size of the charter: the active
touchpoints, their holders, their KPIs with the latest period measured, the function heads,
the boards and their scope, then the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from boards.models import Board
from boards.notifications.common import capped, follows
from boards.selectors import _scope_map
from charter.models import Right, RightAssignment
from engagement.notify.models import Kind
from engagement.notify.scanning import Alert, Recorder
from engagement.org.models import Function
from touchpoints.health import is_stale
from touchpoints.models import Kpi, Measurement, Touchpoint

ALERTS_PER_BATCH = 500


@dataclass(frozen=True)
class Gap:
    touchpoint_id: int
    text: str
    vacant: bool  # a vacant right; otherwise a stale KPI


def _gaps_by_touchpoint(today) -> dict[int, list[Gap]]:
    """The gaps of every active touchpoint that has any (three queries)."""
    names = dict(
        Touchpoint.objects.filter(status=Touchpoint.Status.ACTIVE, is_archived=False)
        .order_by("stage__position", "name", "id")
        .values_list("id", "name")
    )
    held = defaultdict(set)
    for touchpoint_id, right in (
        RightAssignment.objects.active()
        .filter(touchpoint__status=Touchpoint.Status.ACTIVE, touchpoint__is_archived=False)
        .values_list("touchpoint_id", "right")
    ):
        held[touchpoint_id].add(right)
    gaps: dict[int, list[Gap]] = defaultdict(list)
    for touchpoint_id, name in names.items():
        for right in Right:
            if right.value not in held[touchpoint_id]:
                gaps[touchpoint_id].append(
                    Gap(
                        touchpoint_id,
                        _("“%(touchpoint)s”: nobody holds the %(right)s right")
                        % {"touchpoint": name, "right": right.label},
                        vacant=True,
                    )
                )
    latest = Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period").values("period")
    kpis = (
        Kpi.objects.filter(
            is_active=True,
            touchpoint__status=Touchpoint.Status.ACTIVE,
            touchpoint__is_archived=False,
        )
        .annotate(latest_period=Subquery(latest[:1]))
        .order_by("touchpoint_id", "name", "id")
        .values_list("touchpoint_id", "name", "period", "stale_after_periods", "latest_period")
    )
    for touchpoint_id, kpi, period, stale_after, latest_period in kpis:
        if not is_stale(latest_period, period, stale_after, today):
            continue
        facts = {"touchpoint": names.get(touchpoint_id, ""), "kpi": kpi}
        text = (
            _("“%(touchpoint)s”: KPI “%(kpi)s” has never been measured") % facts
            if latest_period is None
            else _("“%(touchpoint)s”: KPI “%(kpi)s” is stale, last measured for %(period)s")
            % {**facts, "period": latest_period.isoformat()}
        )
        gaps[touchpoint_id].append(Gap(touchpoint_id, text, vacant=False))
    # In journey order, as the charter matrix shows them.
    return {tp: gaps[tp] for tp in names if gaps.get(tp)}


def _message(gaps: list[Gap], roles: list[str]) -> tuple[str, str, dict]:
    vacant = sum(1 for gap in gaps if gap.vacant)
    stale = len(gaps) - vacant
    counts = []
    if vacant:
        counts.append(ngettext("%(n)d vacant right", "%(n)d vacant rights", vacant) % {"n": vacant})
    if stale:
        counts.append(ngettext("%(n)d stale KPI", "%(n)d stale KPIs", stale) % {"n": stale})
    title = _("Charter gaps this week: %(counts)s") % {"counts": _(" and ").join(counts)}
    shown, more = capped([gap.text for gap in gaps])
    lines = [
        _("On the touchpoints you look after as %(roles)s:") % {"roles": _(", ").join(roles)},
        "",
        *(f"- {text}" for text in shown),
    ]
    if more:
        lines.append(_("…and %(n)d more on the charter page.") % {"n": more})
    lines += [
        "",
        _(
            "A vacant right is claimed by the function that should hold it; a stale KPI needs "
            "its latest values recorded."
        ),
    ]
    return title, "\n".join(str(line) for line in lines), {"vacant": vacant, "stale": stale}


def scan_charter_gaps(recorder: Recorder) -> None:
    year, week, _weekday = recorder.today.isocalendar()
    period = f"{year}-W{week:02d}"
    gaps = _gaps_by_touchpoint(recorder.today)
    if not gaps:
        return

    # Who looks after which touchpoints, and as what (function head, board chair).
    function_touchpoints: dict[int, set[int]] = defaultdict(set)
    for function_id, touchpoint_id in (
        RightAssignment.objects.active()
        .filter(touchpoint__in=list(gaps), function__is_active=True)
        .values_list("function_id", "touchpoint_id")
        .distinct()
    ):
        function_touchpoints[function_id].add(touchpoint_id)
    functions = list(
        Function.objects.filter(is_active=True, pk__in=list(function_touchpoints))
        .order_by("name")
        .values_list("id", "name", "head_id", "head__is_active")
    )
    boards = list(
        Board.objects.filter(is_active=True)
        .order_by("name")
        .values_list("id", "name", "chair_id", "chair__is_active")
    )
    scope = _scope_map([row[0] for row in boards])

    person_touchpoints: dict[int, set[int]] = defaultdict(set)
    person_roles: dict[int, list[str]] = defaultdict(list)
    groups = []  # (event suffix, follows, touchpoint ids, role) for the chat channels
    for function_id, name, head_id, head_active in functions:
        touchpoints = function_touchpoints[function_id]
        role = _("head of %(function)s") % {"function": name}
        groups.append((f"function:{function_id}", follows([], [function_id]), touchpoints, role))
        if head_id and head_active:
            person_touchpoints[head_id] |= touchpoints
            person_roles[head_id].append(role)
    for board_id, name, chair_id, chair_active in boards:
        touchpoints = scope.get(board_id, set()) & gaps.keys()
        if not touchpoints:
            continue
        role = _("chair of %(board)s") % {"board": name}
        groups.append((f"board:{board_id}", follows([board_id]), touchpoints, role))
        if chair_active:
            person_touchpoints[chair_id] |= touchpoints
            person_roles[chair_id].append(role)

    order = {tp: index for index, tp in enumerate(gaps)}

    def listed(touchpoints: set[int]) -> list[Gap]:
        return [gap for tp in sorted(touchpoints, key=order.__getitem__) for gap in gaps[tp]]

    url = reverse("charter:matrix")
    alerts = []
    for person_id, touchpoints in sorted(person_touchpoints.items()):
        title, body, counts = _message(listed(touchpoints), person_roles[person_id])
        alerts.append(
            Alert(
                event=f"charter-gaps:{period}",
                kind=Kind.CHARTER_GAPS,
                title=title,
                body=body,
                recipients=(person_id,),
                url=url,
                data={"week": period, **counts},
            )
        )
    for suffix, follow, touchpoints, role in groups:
        title, body, counts = _message(listed(touchpoints), [role])
        alerts.append(
            Alert(
                event=f"charter-gaps:{period}:{suffix}",
                kind=Kind.CHARTER_GAPS,
                title=title,
                body=body,
                recipients=(),
                url=url,
                data={"week": period, **counts},
                follows=follow,
            )
        )
    for start in range(0, len(alerts), ALERTS_PER_BATCH):
        recorder.add(alerts[start : start + ALERTS_PER_BATCH])
