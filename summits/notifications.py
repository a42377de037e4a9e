"""What the jobs tell people about summit action items: reminders, the escalation ladder, and
the owner's digest section. Registered with notify in ``SummitsConfig.ready``.

Reminders go to the owner before the due date, at the lead times of the rules. Past the due
date an open item climbs its ladder (owner → chair of the following board → its executive
sponsor → the CEO, at the rules' thresholds), one recorded rung at a time: each rung raises
``escalation_level`` on the item, adds an "escalated" line to its timeline and notifies that
rung's person, all in the chunk's transaction. Done or cancelled items are never scanned, so
the climb stops the moment the item is closed; a new due date starts it over.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat, JSONObject
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from boards.models import Board
from boards.selectors import LadderPeople, ladder_people
from engagement.notify import rules
from engagement.notify.digests import Line, Section
from engagement.notify.models import Audience, Kind, Subject
from engagement.notify.scanning import (
    Alert,
    Recorder,
    content_type_id,
    keyset_chunks,
    sql_text,
)
from engagement.org.models import Function
from summits.models import ActionItem, ActionItemUpdate

OPEN = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)
CHUNK = 1000


def _url(item_id: int) -> str:
    return reverse("summits:action_item_detail", kwargs={"pk": item_id})


def _follows(board_id, function_id) -> tuple:
    follows = []
    if board_id:
        follows.append((content_type_id(Board), board_id))
    if function_id:
        follows.append((content_type_id(Function), function_id))
    return tuple(follows)


def _in_days(days: int) -> str:
    if days == 0:
        return _("today")
    return ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}


def scan_action_item_reminders(recorder: Recorder) -> None:
    """Remind owners of open items coming due (due today or later, within the longest lead).

    Set-based: each chunk of items becomes ledger rows in one INSERT ... SELECT, so a scan
    over a million items due stays close to the one-statement floor (benchmarks/)."""
    leads = rules.reminder_leads(Subject.ACTION_ITEM)
    if not leads:
        return
    today = recorder.today
    due = ActionItem.objects.filter(
        status__in=OPEN, due_on__gte=today, due_on__lte=today + timedelta(days=max(leads))
    )
    lead, phrase = rules.reminder_lead_sql(leads, today)
    due_text = Cast("due_on", CharField())
    url = _url(0)[: -len("0/")]
    for chunk in keyset_chunks(due.values_list("id"), size=settings.NOTIFY_SCAN_CHUNK):
        items = due.filter(id__gte=chunk[0][0], id__lte=chunk[-1][0])
        recorder.add_select(
            items,
            event=Concat(
                Value("action_item:"),
                Cast("id", CharField()),
                Value(":due:"),
                due_text,
                Value(":remind:"),
                Cast(lead, CharField()),
            ),
            kind=Kind.REMINDER,
            recipient=F("owner_id"),
            title=sql_text(_("Reminder: “%(title)s” is %(when)s"), title=F("title"), when=phrase),
            body=sql_text(
                _(
                    "You own this summit action item, due on %(due)s. Record your progress "
                    "or complete it on its page."
                ),
                due=due_text,
            ),
            url=Concat(Value(url), Cast("id", CharField()), Value("/")),
            data=JSONObject(lead=lead, due_on=due_text),
            subject_type=content_type_id(ActionItem),
            expected=len(chunk),
            follows=[
                (content_type_id(Board), "board_id"),
                (content_type_id(Function), "owner_function_id"),
            ],
        )


def _audience_person(audience: str, owner_id, summit_chair_id, ladder: LadderPeople):
    if audience == Audience.OWNER:
        return owner_id
    if audience == Audience.CHAIR:
        return ladder.chair_id or summit_chair_id
    if audience == Audience.SPONSOR:
        return ladder.sponsor_id
    return ladder.ceo_id


def scan_action_item_escalations(recorder: Recorder) -> None:
    """Climb the ladder of every open item past its due date, each missed rung in turn."""
    rungs = rules.ladder(Subject.ACTION_ITEM)
    if not rungs:
        return
    today = recorder.today
    top = rungs[-1].level
    candidates = ActionItem.objects.filter(
        status__in=OPEN, due_on__lt=today, escalation_level__lt=top
    ).values_list("id")
    people = ladder_people()
    for chunk in keyset_chunks(candidates, size=CHUNK):
        _escalate_chunk(recorder, [pk for (pk,) in chunk], rungs, people)


def _escalate_chunk(recorder, ids, rungs, people) -> None:
    today = recorder.today
    subject_type = content_type_id(ActionItem)
    with transaction.atomic():
        query = ActionItem.objects.filter(id__in=ids, status__in=OPEN).order_by("id")
        if not recorder.dry_run:
            # Two scans at once: the second waits here, then reads the level the first set.
            query = query.select_for_update(of=("self",))
        rows = query.values_list(
            "id", "due_on", "owner_id", "title", "board_id", "owner_function_id",
            "escalation_level", "summit__chair_id",
        )  # fmt: skip
        alerts, raised, lines = [], defaultdict(list), []
        for pk, due_on, owner_id, title, board_id, function_id, level, chair_id in rows:
            days = rules.overdue_days(due_on, today)
            climbed = rules.rungs_due(level, days, rungs)
            if not climbed:
                continue
            ladder = people[board_id]
            for rung in climbed:
                person = _audience_person(rung.audience, owner_id, chair_id, ladder)
                alerts.append(
                    Alert(
                        event=f"action_item:{pk}:due:{due_on.isoformat()}:rung:{rung.level}",
                        kind=Kind.ESCALATION,
                        title=(
                            _("Overdue: “%(title)s” was due %(days)s ago")
                            if rung.audience == Audience.OWNER
                            else _("Escalated to you: “%(title)s” was due %(days)s ago")
                        )
                        % {
                            "title": title,
                            "days": ngettext("%(n)d day", "%(n)d days", days) % {"n": days},
                        },
                        body=_(
                            "This summit action item is overdue and has reached rung %(level)d "
                            "of its escalation ladder (%(audience)s). Complete it, re-plan it "
                            "or cancel it on its page."
                        )
                        % {"level": rung.level, "audience": Audience(rung.audience).label},
                        recipients=(person,) if person else (),
                        subject=(subject_type, pk),
                        url=_url(pk),
                        data={
                            "level": rung.level,
                            "audience": rung.audience,
                            "days_overdue": days,
                            "due_on": due_on.isoformat(),
                        },
                        follows=_follows(board_id, function_id),
                    )
                )
                lines.append(
                    ActionItemUpdate(
                        item_id=pk, kind=ActionItemUpdate.Kind.ESCALATED, author=None,
                        created_at=recorder.now,
                        note=_("Rung %(level)d: %(audience)s, %(days)s overdue.")
                        % {
                            "level": rung.level,
                            "audience": Audience(rung.audience).label,
                            "days": ngettext("%(n)d day", "%(n)d days", days) % {"n": days},
                        },
                    )
                )  # fmt: skip
            raised[climbed[-1].level].append(pk)
        recorder.add(alerts)
        if recorder.dry_run or not raised:
            return
        for level, pks in raised.items():
            ActionItem.objects.filter(id__in=pks, escalation_level__lt=level).update(
                escalation_level=level, escalated_at=recorder.now
            )
        ActionItemUpdate.objects.bulk_create(lines)


def owner_section(person, *, since, now, previous) -> Section | None:
    """The person's open items due within a week or overdue, soonest first."""
    from django.utils import timezone

    today = timezone.localdate(now)
    items = list(
        ActionItem.objects.filter(
            owner=person, status__in=OPEN, due_on__lte=today + timedelta(days=7)
        )
        .order_by("due_on", "id")
        .values_list("id", "title", "due_on")[:50]
    )
    if not items:
        return None
    lines = []
    for pk, title, due_on in items:
        days = (due_on - today).days
        when = (
            _("%(n)d days overdue") % {"n": -days}
            if days < 0
            else _("due %(when)s") % {"when": _in_days(days)}
        )
        lines.append(Line(f"{title} ({when})", _url(pk)))
    return Section(_("Your summit action items due"), lines)
