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

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from boards.models import Decision, Meeting
from boards.notifications.common import (
    CHUNK,
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
from engagement.notify.scanning import (
    Alert,
    Recorder,
    Step,
    climb_ladders,
    content_type_id,
    keyset_chunks,
)

# A meeting is "missed" this long after its end without being held or cancelled: time for
# the chair to record it the same day.
MISSED_AFTER = timedelta(hours=12)
# Only meetings that ended at most this long ago are alerted. Older ones ended before this
# alert existed and were never flagged; telling chairs about last year's meetings all at once
# on the day it is switched on would bury the ones that matter.
MISSED_WITHIN = timedelta(days=30)


def _audit_lines(verb: str, subject_type: int, now, steps: list[Step]) -> list[AuditEvent]:
    """The audit lines of the rungs climbed, one per step.

    Written in bulk with the chunk's other changes, in its transaction, by the system (no
    actor): ``record_event`` writes one row per call, which would make a scan's cost grow
    with the number of items."""
    return [
        AuditEvent(
            occurred_at=now,
            actor=None,
            verb=verb,
            content_type_id=subject_type,
            object_id=str(step.row["id"]),
            object_repr=(step.row.get("title") or _label(step.row))[:200],
            before={"escalation_level": step.level_before},
            after={
                "escalation_level": step.rung.level,
                "audience": step.rung.audience,
                "days": step.days,
            },
        )
        for step in steps
    ]


# --- Decisions ---------------------------------------------------------------------------------


def scan_decision_escalations(recorder: Recorder) -> None:
    rungs = rules.ladder(Subject.DECISION)
    if not rungs:
        return
    today = recorder.today
    candidates = Decision.objects.filter(
        status__in=Decision.PENDING_STATUSES,
        due_on__lt=today,
        escalation_level__lt=rungs[-1].level,
    )
    people = ladder_people()
    subject_type = content_type_id(Decision)

    def alert(step: Step) -> Alert:
        row, rung = step.row, step.rung
        ladder = people.get(row["board_id"])
        person = {
            Audience.OWNER: row["owner_id"] or row["owner_function__head_id"],
            Audience.CHAIR: ladder.chair_id if ladder else None,
            Audience.SPONSOR: ladder.sponsor_id if ladder else None,
            Audience.CEO: ladder.ceo_id if ladder else None,
        }.get(rung.audience)
        title = (
            _("Overdue: “%(title)s” is %(days)s overdue")
            if rung.audience == Audience.OWNER
            else _("Escalated to you: “%(title)s” is %(days)s overdue")
        )
        return Alert(
            event=f"decision:{row['id']}:due:{row['due_on'].isoformat()}:rung:{rung.level}",
            kind=Kind.ESCALATION,
            title=title % {"title": row["title"], "days": rules.days_text(step.days)},
            body=_(
                "%(board)s's decision was due on %(due)s and is not carried out. "
                "It has reached rung %(level)d of its escalation ladder "
                "(%(audience)s). Have it carried out and marked so on its page, "
                "or have the board supersede it with a new date."
            )
            % {
                "board": row["board__name"],
                "due": row["due_on"].isoformat(),
                "level": rung.level,
                "audience": Audience(rung.audience).label,
            },
            recipients=(person,) if person else (),
            subject=(subject_type, row["id"]),
            url=reverse("boards:decision_detail", kwargs={"pk": row["id"]}),
            data={
                "level": rung.level,
                "audience": rung.audience,
                "days_overdue": step.days,
                "due_on": row["due_on"].isoformat(),
                "board": row["board_id"],
            },
            follows=follows([row["board_id"]], [row["owner_function_id"]]),
        )

    for chunk in keyset_chunks(candidates.values_list("id"), size=CHUNK):
        climb_ladders(
            recorder,
            candidates.filter(id__in=[pk for (pk,) in chunk]),
            fields=("due_on", "title", "owner_id", "owner_function__head_id",
                    "owner_function_id", "board_id", "board__name"),
            rungs=rungs,
            days_of=lambda row: rules.overdue_days(row["due_on"], today),
            alerts_for=lambda steps: [alert(step) for step in steps],
            raised=lambda rung: {"escalated_to": rung.audience},
            record=lambda steps: AuditEvent.objects.bulk_create(
                _audit_lines("decision.ladder_rung", subject_type, recorder.now, steps)
            ),
        )  # fmt: skip


# --- Charter conflicts -------------------------------------------------------------------------


def scan_conflict_escalations(recorder: Recorder) -> None:
    """Open conflicts climb their ladder by days since they opened (``since_due=False``)."""
    rungs = rules.ladder(Subject.CONFLICT)
    if not rungs:
        return
    today = recorder.today
    # Only conflicts open at least as long as the lowest threshold can have reached a rung:
    # opened before the day after (today - that threshold).
    first = min(rung.after_days for rung in rungs)
    opened_by = start_of(today - timedelta(days=first - 1))
    candidates = Conflict.objects.filter(
        status=Conflict.Status.OPEN, escalation_level__lt=rungs[-1].level, opened_at__lt=opened_by
    )
    people = ladder_people()
    top_chairs = top_board_chairs()
    subject_type = content_type_id(Conflict)

    def alerts_for(steps: list[Step]) -> list[Alert]:
        governing = governing_boards(
            {step.row["touchpoint_id"]: step.row["touchpoint__stage_id"] for step in steps}
        )
        return [alert(step, sorted(governing.get(step.row["touchpoint_id"], ()))) for step in steps]

    def alert(step: Step, boards: list[int]) -> Alert:
        row, rung = step.row, step.rung
        ladders = [people[b] for b in boards if b in people]
        if rung.audience == Audience.OWNER:
            persons = [row["holder_function__head_id"], row["claimant_function__head_id"]]
        elif rung.audience == Audience.CHAIR:
            persons = [ladder.chair_id for ladder in ladders]
        elif rung.audience == Audience.SPONSOR:
            persons = [ladder.sponsor_id for ladder in ladders]
        else:
            # No board governs the touchpoint: the chair of the top of the ladder.
            persons = [ladder.ceo_id for ladder in ladders] or top_chairs
        return Alert(
            event=f"conflict:{row['id']}:rung:{rung.level}",
            kind=Kind.ESCALATION,
            title=_("Escalated to you: conflict open for %(days)s — %(label)s")
            % {"days": rules.days_text(step.days), "label": _label(row)},
            body=_(
                "This charter conflict opened on %(opened)s and is still open. It "
                "has reached rung %(level)d of its escalation ladder "
                "(%(audience)s). A board governing the touchpoint resolves it with a "
                "decision that names the function keeping the right."
            )
            % {
                "opened": timezone.localdate(row["opened_at"]).isoformat(),
                "level": rung.level,
                "audience": Audience(rung.audience).label,
            },
            recipients=tuple(dict.fromkeys(p for p in persons if p)),
            subject=(subject_type, row["id"]),
            url=reverse("charter:conflict_detail", kwargs={"pk": row["id"]}),
            data={
                "level": rung.level,
                "audience": rung.audience,
                "days_open": step.days,
                "boards": boards,
            },
            follows=follows(boards, [row["holder_function_id"], row["claimant_function_id"]]),
        )

    for chunk in keyset_chunks(candidates.values_list("id"), size=CHUNK):
        climb_ladders(
            recorder,
            candidates.filter(id__in=[pk for (pk,) in chunk]),
            fields=("opened_at", "right", "touchpoint_id", "touchpoint__stage_id",
                    "touchpoint__name", "holder_function_id", "holder_function__name",
                    "holder_function__head_id", "claimant_function_id",
                    "claimant_function__name", "claimant_function__head_id"),
            rungs=rungs,
            days_of=lambda row: (today - timezone.localdate(row["opened_at"])).days,
            since_due=False,
            alerts_for=alerts_for,
            record=lambda steps: AuditEvent.objects.bulk_create(
                _audit_lines("conflict.ladder_rung", subject_type, recorder.now, steps)
            ),
        )  # fmt: skip


def _label(row: dict) -> str:
    return _("%(claimant)s vs %(holder)s: the %(right)s right of “%(touchpoint)s”") % {
        "claimant": row["claimant_function__name"],
        "holder": row["holder_function__name"],
        "right": Right(row["right"]).label,
        "touchpoint": row["touchpoint__name"],
    }


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
