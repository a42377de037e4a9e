"""Escalation ladders and missed meetings.

A decision still to be carried out past its due date climbs its ladder (owner → board chair →
executive sponsor → CEO, at the rules' thresholds in days overdue); a charter conflict left
open climbs its own (board chair, then CEO, in days since it opened). The climb is one rung
at a time and none is skipped: a scanner that was down climbs every missed rung in one pass,
each recorded. Per chunk, in one transaction: lock the rows, re-read their level, record one
alert per rung climbed, raise the level on the item (one UPDATE per level reached) and write
one audit event per rung. A rung with nobody on it (no sponsor named) is still climbed and
recorded. A decision carried out, superseded or escalated by hand, and a conflict resolved or
withdrawn, leave the candidates, so the climb stops there.

A meeting still "scheduled" 12 hours after it should have ended was neither held nor
cancelled: its board's chair and sponsor are told, once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from boards.models import Decision, Meeting
from boards.notifications.common import (
    CHUNK,
    days_text,
    follows,
    governing_boards,
    start_of,
    top_board_chairs,
)
from boards.selectors import ladder_people
from charter.models import Conflict, Right
from engagement.audit.models import AuditEvent
from engagement.notify import rules
from engagement.notify.models import Audience, Kind, Subject
from engagement.notify.scanning import Alert, Recorder, content_type_id, keyset_chunks

# A meeting is "missed" this long after its end without being held or cancelled: time for
# the chair to record it the same day.
MISSED_AFTER = timedelta(hours=12)
# Only meetings that ended at most this long ago are alerted. Older ones ended before this
# alert existed and were never flagged; telling chairs about last year's meetings all at once
# on the day it is switched on would bury the ones that matter.
MISSED_WITHIN = timedelta(days=30)


def _audit_lines(verb: str, subject_type: int, now, climbs) -> list[AuditEvent]:
    """The audit lines of the rungs climbed, (id, title, level before, rung, days) each.

    Written in bulk with the chunk's other changes, in its transaction, by the system (no
    actor): ``record_event`` writes one row per call, which would make a scan's cost grow
    with the number of items."""
    return [
        AuditEvent(
            occurred_at=now,
            actor=None,
            verb=verb,
            content_type_id=subject_type,
            object_id=str(pk),
            object_repr=title[:200],
            before={"escalation_level": level_from},
            after={"escalation_level": rung.level, "audience": rung.audience, "days": days},
        )
        for pk, title, level_from, rung, days in climbs
    ]


# --- Decisions ---------------------------------------------------------------------------------


def scan_decision_escalations(recorder: Recorder) -> None:
    rungs = rules.ladder(Subject.DECISION)
    if not rungs:
        return
    top = rungs[-1].level
    candidates = Decision.objects.filter(
        status__in=Decision.PENDING_STATUSES,
        due_on__lt=recorder.today,
        escalation_level__lt=top,
    ).values_list("id")
    people = ladder_people()
    for chunk in keyset_chunks(candidates, size=CHUNK):
        _escalate_decisions(recorder, [pk for (pk,) in chunk], rungs, people)


def _escalate_decisions(recorder: Recorder, ids: list[int], rungs, people) -> None:
    today = recorder.today
    subject_type = content_type_id(Decision)
    with transaction.atomic():
        query = Decision.objects.filter(
            id__in=ids, status__in=Decision.PENDING_STATUSES, due_on__lt=today
        ).order_by("id")
        if not recorder.dry_run:
            # A second scan running at once waits here, then reads the level the first set.
            query = query.select_for_update(of=("self",))
        rows = query.values_list(
            "id", "due_on", "title", "escalation_level", "owner_id", "owner_function__head_id",
            "owner_function_id", "board_id", "board__name",
        )  # fmt: skip
        alerts, raised, climbs = [], defaultdict(list), []
        for pk, due_on, title, level, owner_id, head_id, function_id, board_id, board in rows:
            days = rules.overdue_days(due_on, today)
            climbed = rules.rungs_due(level, days, rungs)
            ladder = people.get(board_id)
            previous = level
            for rung in climbed:
                person = {
                    Audience.OWNER: owner_id or head_id,
                    Audience.CHAIR: ladder.chair_id if ladder else None,
                    Audience.SPONSOR: ladder.sponsor_id if ladder else None,
                    Audience.CEO: ladder.ceo_id if ladder else None,
                }.get(rung.audience)
                alerts.append(
                    Alert(
                        event=f"decision:{pk}:due:{due_on.isoformat()}:rung:{rung.level}",
                        kind=Kind.ESCALATION,
                        title=(
                            _("Overdue: “%(title)s” is %(days)s overdue")
                            if rung.audience == Audience.OWNER
                            else _("Escalated to you: “%(title)s” is %(days)s overdue")
                        )
                        % {"title": title, "days": days_text(days)},
                        body=_(
                            "%(board)s's decision was due on %(due)s and is not carried out. "
                            "It has reached rung %(level)d of its escalation ladder "
                            "(%(audience)s). Have it carried out and marked so on its page, "
                            "or have the board supersede it with a new date."
                        )
                        % {
                            "board": board,
                            "due": due_on.isoformat(),
                            "level": rung.level,
                            "audience": Audience(rung.audience).label,
                        },
                        recipients=(person,) if person else (),
                        subject=(subject_type, pk),
                        url=reverse("boards:decision_detail", kwargs={"pk": pk}),
                        data={
                            "level": rung.level,
                            "audience": rung.audience,
                            "days_overdue": days,
                            "due_on": due_on.isoformat(),
                            "board": board_id,
                        },
                        follows=follows([board_id], [function_id]),
                    )
                )
                climbs.append((pk, title, previous, rung, days))
                previous = rung.level
            if climbed:
                raised[(climbed[-1].level, climbed[-1].audience)].append(pk)
        recorder.add(alerts)
        if recorder.dry_run or not raised:
            return
        for (level, audience), pks in raised.items():
            Decision.objects.filter(id__in=pks, escalation_level__lt=level).update(
                escalation_level=level, escalated_at=recorder.now, escalated_to=audience
            )
        AuditEvent.objects.bulk_create(
            _audit_lines("decision.ladder_rung", subject_type, recorder.now, climbs)
        )


# --- Charter conflicts -------------------------------------------------------------------------


def scan_conflict_escalations(recorder: Recorder) -> None:
    """Open conflicts climb their ladder by days since they opened (``since_due=False``)."""
    rungs = rules.ladder(Subject.CONFLICT)
    if not rungs:
        return
    top = rungs[-1].level
    # Only conflicts open at least as long as the lowest threshold can have reached a rung:
    # opened before the day after (today - that threshold).
    first = min(rung.after_days for rung in rungs)
    opened_by = start_of(recorder.today - timedelta(days=first - 1))
    candidates = Conflict.objects.filter(
        status=Conflict.Status.OPEN, escalation_level__lt=top, opened_at__lt=opened_by
    ).values_list("id")
    people = ladder_people()
    top_chairs = top_board_chairs()
    for chunk in keyset_chunks(candidates, size=CHUNK):
        _escalate_conflicts(recorder, [pk for (pk,) in chunk], rungs, people, top_chairs)


def _escalate_conflicts(recorder: Recorder, ids, rungs, people, top_chairs) -> None:
    today = recorder.today
    subject_type = content_type_id(Conflict)
    with transaction.atomic():
        query = Conflict.objects.filter(id__in=ids, status=Conflict.Status.OPEN).order_by("id")
        if not recorder.dry_run:
            query = query.select_for_update(of=("self",))
        rows = list(
            query.values_list(
                "id", "opened_at", "escalation_level", "right", "touchpoint_id",
                "touchpoint__stage_id", "touchpoint__name", "holder_function_id",
                "holder_function__name", "holder_function__head_id", "claimant_function_id",
                "claimant_function__name", "claimant_function__head_id",
            )
        )  # fmt: skip
        governing = governing_boards({row[4]: row[5] for row in rows})
        alerts, raised, climbs = [], defaultdict(list), []
        for row in rows:
            (pk, opened_at, level, right, tp_id, _stage, tp_name, holder_id, holder,
             holder_head, claimant_id, claimant, claimant_head) = row  # fmt: skip
            days = (today - timezone.localdate(opened_at)).days
            climbed = rules.rungs_due(level, days, rungs, since_due=False)
            boards = sorted(governing.get(tp_id, ()))
            ladders = [people[b] for b in boards if b in people]
            previous = level
            label = _("%(claimant)s vs %(holder)s: the %(right)s right of “%(touchpoint)s”") % {
                "claimant": claimant,
                "holder": holder,
                "right": Right(right).label,
                "touchpoint": tp_name,
            }
            for rung in climbed:
                if rung.audience == Audience.OWNER:
                    persons = [holder_head, claimant_head]
                elif rung.audience == Audience.CHAIR:
                    persons = [ladder.chair_id for ladder in ladders]
                elif rung.audience == Audience.SPONSOR:
                    persons = [ladder.sponsor_id for ladder in ladders]
                else:
                    # No board governs the touchpoint: the chair of the top of the ladder.
                    persons = [ladder.ceo_id for ladder in ladders] or top_chairs
                alerts.append(
                    Alert(
                        event=f"conflict:{pk}:rung:{rung.level}",
                        kind=Kind.ESCALATION,
                        title=_("Escalated to you: conflict open for %(days)s — %(label)s")
                        % {"days": days_text(days), "label": label},
                        body=_(
                            "This charter conflict opened on %(opened)s and is still open. It "
                            "has reached rung %(level)d of its escalation ladder "
                            "(%(audience)s). A board governing the touchpoint resolves it with a "
                            "decision that names the function keeping the right."
                        )
                        % {
                            "opened": timezone.localdate(opened_at).isoformat(),
                            "level": rung.level,
                            "audience": Audience(rung.audience).label,
                        },
                        recipients=tuple(dict.fromkeys(p for p in persons if p)),
                        subject=(subject_type, pk),
                        url=reverse("charter:conflict_detail", kwargs={"pk": pk}),
                        data={
                            "level": rung.level,
                            "audience": rung.audience,
                            "days_open": days,
                            "boards": boards,
                        },
                        follows=follows(boards, [holder_id, claimant_id]),
                    )
                )
                climbs.append((pk, label, previous, rung, days))
                previous = rung.level
            if climbed:
                raised[climbed[-1].level].append(pk)
        recorder.add(alerts)
        if recorder.dry_run or not raised:
            return
        for level, pks in raised.items():
            Conflict.objects.filter(id__in=pks, escalation_level__lt=level).update(
                escalation_level=level, escalated_at=recorder.now
            )
        AuditEvent.objects.bulk_create(
            _audit_lines("conflict.ladder_rung", subject_type, recorder.now, climbs)
        )


# --- Missed meetings ---------------------------------------------------------------------------


def scan_missed_meetings(recorder: Recorder) -> None:
    """A board's meeting that ended over 12 hours ago and is still scheduled: tell its chair
    and executive sponsor, once per meeting."""
    now = recorder.now
    candidates = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED,
        board__is_active=True,
        ends_at__lt=now - MISSED_AFTER,
        ends_at__gte=now - MISSED_WITHIN,
    ).values_list(
        "id", "starts_at", "board_id", "board__name", "board__chair_id", "board__sponsor_id"
    )
    subject_type = content_type_id(Meeting)
    for chunk in keyset_chunks(candidates, size=CHUNK):
        alerts = []
        for pk, starts_at, board_id, board, chair_id, sponsor_id in chunk:
            when = timezone.localtime(starts_at)
            alerts.append(
                Alert(
                    event=f"cadence:meeting:{pk}",
                    kind=Kind.CADENCE,
                    title=_("Missed meeting: %(board)s, %(date)s was neither held nor cancelled")
                    % {"board": board, "date": f"{when:%a %d %b %Y}"},
                    body=_(
                        "The meeting of %(board)s planned for %(date)s at %(time)s is still "
                        "marked as scheduled. If it took place, record it as held (with its "
                        "attendance and minutes); if not, cancel it and say why, so the board's "
                        "record and its health stay true."
                    )
                    % {"board": board, "date": f"{when:%A %d %B %Y}", "time": f"{when:%H:%M}"},
                    recipients=tuple(dict.fromkeys(p for p in (chair_id, sponsor_id) if p)),
                    subject=(subject_type, pk),
                    url=reverse("boards:meeting_detail", kwargs={"pk": pk}),
                    data={"board": board_id, "starts_at": starts_at.isoformat()},
                    follows=follows([board_id]),
                )
            )
        recorder.add(alerts)
