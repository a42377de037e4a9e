"""Reminders before something comes due: decisions to carry out, claims waiting for a
decision, and meetings in the next 24 hours.

A reminder's event names the due date (or the meeting's start), so a decision superseded by
one due later, or a meeting moved, is reminded again; the lead time in the key means each lead
is sent once, and a scanner that was down sends the tightest lead it missed, once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Coalesce, Concat, JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from boards.models import AgendaItem, Board, Decision, Meeting, Membership
from boards.notifications.common import (
    CHUNK,
    delegates_of,
    executive_ids,
    follows,
    governing_boards,
    start_of,
)
from boards.selectors import ladder_people
from charter.models import Claim, Right
from engagement.notify import rules
from engagement.notify.models import Kind, Subject
from engagement.notify.scanning import (
    Alert,
    Recorder,
    content_type_id,
    keyset_chunks,
    sql_text,
)
from engagement.org.models import Function

# --- Decisions ---------------------------------------------------------------------------------


def scan_decision_reminders(recorder: Recorder) -> None:
    """Remind the owner (or, with no owner named, the owner function's head) of a decision
    still to be carried out, at the rules' lead times before its due date.

    Set-based, like the action items' reminders: one INSERT ... SELECT per chunk."""
    leads = rules.reminder_leads(Subject.DECISION)
    if not leads:
        return
    today = recorder.today
    due = Decision.objects.annotate(
        reminded=Coalesce("owner_id", "owner_function__head_id")
    ).filter(
        status__in=Decision.PENDING_STATUSES,
        due_on__gte=today,
        due_on__lte=today + timedelta(days=max(leads)),
        reminded__isnull=False,  # nobody to remind: no owner, and no head of the function
    )
    lead, phrase = rules.reminder_lead_sql(leads, today)
    due_on = Cast("due_on", CharField())
    url = reverse("boards:decision_detail", kwargs={"pk": 0})[: -len("0/")]
    for chunk in keyset_chunks(due.values_list("id"), size=settings.NOTIFY_SCAN_CHUNK):
        recorder.add_select(
            due.filter(id__gte=chunk[0][0], id__lte=chunk[-1][0]),
            event=Concat(
                Value("decision:"),
                Cast("id", CharField()),
                Value(":due:"),
                due_on,
                Value(":remind:"),
                Cast(lead, CharField()),
            ),
            kind=Kind.REMINDER,
            recipient=F("reminded"),
            title=sql_text(_("Reminder: “%(title)s” is %(when)s"), title=F("title"), when=phrase),
            body=sql_text(
                _(
                    "%(board)s decided this and it is yours to carry out by %(due)s. "
                    "When it is done, mark it as carried out on its page; if it cannot be "
                    "done in time, ask the board to supersede it with a new date."
                ),
                board=F("board__name"),
                due=due_on,
            ),
            url=Concat(Value(url), Cast("id", CharField()), Value("/")),
            data=JSONObject(lead=lead, due_on=due_on, board=F("board_id")),
            subject_type=content_type_id(Decision),
            expected=len(chunk),
            follows=[
                (content_type_id(Board), "board_id"),
                (content_type_id(Function), "owner_function_id"),
            ],
        )


# --- Claims waiting for approval ---------------------------------------------------------------


def scan_claim_reminders(recorder: Recorder) -> None:
    """Remind whoever may decide a claim waiting for approval that it is coming due.

    A claim is due ``NOTIFY_CLAIM_DECISION_DAYS`` after the day it was made. Who decides
    follows ``charter.permissions.can_decide_claim``: the chairs and delegates of the active
    boards governing the touchpoint (``boards.permissions.governs``), and executives and
    administrators. The reminder goes to the board leaders, whose job it is; only when no
    active board governs the touchpoint does it go to the executives instead. Administrators
    may decide too, but to put the record right, not as the claim's deciders: they are not
    reminded.
    """
    leads = rules.reminder_leads(Subject.CLAIM)
    if not leads:
        return
    today = recorder.today
    allowed = timedelta(days=settings.NOTIFY_CLAIM_DECISION_DAYS)
    # Due between today and the longest lead: made on or after (today - allowed), and before
    # the day after (today - allowed + longest lead).
    candidates = Claim.objects.filter(
        status=Claim.Status.PENDING,
        created_at__gte=start_of(today - allowed),
        created_at__lt=start_of(today - allowed + timedelta(days=max(leads) + 1)),
    ).values_list(
        "id", "created_at", "touchpoint_id", "touchpoint__stage_id", "touchpoint__name",
        "right", "function_id", "function__name",
    )  # fmt: skip
    subject_type = content_type_id(Claim)
    people = ladder_people()
    executives = executive_ids()
    for chunk in keyset_chunks(candidates, size=CHUNK):
        governing = governing_boards({row[2]: row[3] for row in chunk})
        delegates = delegates_of(set().union(*governing.values()), today)
        alerts = []
        for pk, created_at, tp_id, _stage, tp_name, right, function_id, function_name in chunk:
            due_on = timezone.localdate(created_at) + allowed
            lead = rules.reminder_lead(due_on, today, leads)
            if lead is None:
                continue
            boards = sorted(governing.get(tp_id, ()))
            deciders = {people[b].chair_id for b in boards if b in people}
            for board_id in boards:
                deciders |= delegates.get(board_id, set())
            deciders.discard(None)
            recipients = tuple(sorted(deciders)) if deciders else tuple(executives)
            alerts.append(
                Alert(
                    event=f"claim:{pk}:due:{due_on.isoformat()}:remind:{lead}",
                    kind=Kind.REMINDER,
                    title=_(
                        "Reminder: %(function)s's claim to the %(right)s right of “%(touchpoint)s” "
                        "waits for your decision (%(due)s)"
                    )
                    % {
                        "function": function_name,
                        "right": Right(right).label,
                        "touchpoint": tp_name,
                        "due": rules.due_text((due_on - today).days),
                    },
                    body=_(
                        "%(function)s claimed this vacant right on %(made)s and it needs "
                        "approval. Approve or reject it on the claim's page, saying why, by "
                        "%(due)s."
                    )
                    % {
                        "function": function_name,
                        "made": timezone.localdate(created_at).isoformat(),
                        "due": due_on.isoformat(),
                    },
                    recipients=recipients,
                    subject=(subject_type, pk),
                    url=reverse("charter:claim_detail", kwargs={"pk": pk}),
                    data={"lead": lead, "due_on": due_on.isoformat(), "boards": boards},
                    follows=follows(boards, [function_id]),
                )
            )
        recorder.add(alerts)


# --- Meetings in the next 24 hours -------------------------------------------------------------


def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def scan_meeting_reminders(recorder: Recorder) -> None:
    """Tell the members of a board (and its chair) about a meeting starting within 24 hours,
    with its agenda. Keyed by the start, so a meeting moved is announced again; a cancelled
    or held meeting is not announced."""
    now = recorder.now
    candidates = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED,
        board__is_active=True,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(hours=24),
    ).values_list(
        "id", "starts_at", "ends_at", "location", "board_id", "board__name", "board__chair_id",
        "board__time_zone", "board__location",
    )  # fmt: skip
    subject_type = content_type_id(Meeting)
    for chunk in keyset_chunks(candidates, size=CHUNK):
        agendas = defaultdict(list)
        for meeting_id, title in (
            AgendaItem.objects.filter(meeting__in=[r[0] for r in chunk])
            .order_by("meeting_id", "position", "id")
            .values_list("meeting_id", "title")
        ):
            agendas[meeting_id].append(title)
        days = {r[0]: timezone.localdate(r[1]) for r in chunk}
        members = defaultdict(list)
        for board_id, person_id, started_on, ended_on in (
            Membership.objects.filter(
                board__in={r[4] for r in chunk},
                person__is_active=True,
                started_on__lte=max(days.values()),
            )
            .exclude(ended_on__lt=min(days.values()))
            .order_by("id")
            .values_list("board_id", "person_id", "started_on", "ended_on")
        ):
            members[board_id].append((person_id, started_on, ended_on))
        alerts = []
        for pk, starts_at, ends_at, location, board_id, board_name, chair_id, zone, place in chunk:
            day = days[pk]
            people = [chair_id] + [
                person
                for person, started_on, ended_on in members[board_id]
                if started_on <= day and (ended_on is None or ended_on >= day)
            ]
            local = timezone.localtime(starts_at, _zone(zone))
            local_end = timezone.localtime(ends_at, _zone(zone))
            agenda = agendas.get(pk, [])
            lines = [
                _("%(board)s meets on %(date)s, %(start)s to %(end)s (%(zone)s)%(where)s.")
                % {
                    "board": board_name,
                    "date": f"{local:%A %d %B %Y}",
                    "start": f"{local:%H:%M}",
                    "end": f"{local_end:%H:%M}",
                    "zone": zone,
                    "where": (_(", at %(place)s") % {"place": location or place})
                    if (location or place)
                    else "",
                },
                "",
            ]
            if agenda:
                lines.append(_("Agenda:"))
                lines += [f"{n}. {title}" for n, title in enumerate(agenda, 1)]
            else:
                lines.append(_("No agenda has been set yet."))
            alerts.append(
                Alert(
                    event=f"meeting:{pk}:at:{starts_at.isoformat()}",
                    kind=Kind.MEETING,
                    title=_("Meeting: %(board)s, %(date)s at %(time)s")
                    % {"board": board_name, "date": f"{local:%a %d %b}", "time": f"{local:%H:%M}"},
                    body="\n".join(str(line) for line in lines),
                    recipients=tuple(dict.fromkeys(p for p in people if p)),
                    subject=(subject_type, pk),
                    url=reverse("boards:meeting_detail", kwargs={"pk": pk}),
                    data={
                        "board": board_id,
                        "starts_at": starts_at.isoformat(),
                        "agenda": agenda,
                    },
                    follows=follows([board_id]),
                )
            )
        recorder.add(alerts)
