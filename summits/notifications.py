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

from datetime import timedelta

from django.conf import settings
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat, JSONObject
from django.urls import reverse
from django.utils.translation import gettext as _

from boards.models import Board
from boards.notifications.common import follows
from boards.selectors import LadderPeople, ladder_people
from engagement.notify import rules
from engagement.notify.digests import Line, Section
from engagement.notify.models import Audience, Kind, Subject
from engagement.notify.scanning import (
    Alert,
    Recorder,
    Step,
    climb_ladders,
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
    candidates = ActionItem.objects.filter(
        status__in=OPEN, due_on__lt=today, escalation_level__lt=rungs[-1].level
    )
    people = ladder_people()
    subject_type = content_type_id(ActionItem)

    def alert(step: Step) -> Alert:
        row, rung = step.row, step.rung
        person = _audience_person(
            rung.audience, row["owner_id"], row["summit__chair_id"], people[row["board_id"]]
        )
        title = (
            _("Overdue: “%(title)s” was due %(days)s ago")
            if rung.audience == Audience.OWNER
            else _("Escalated to you: “%(title)s” was due %(days)s ago")
        )
        return Alert(
            event=f"action_item:{row['id']}:due:{row['due_on'].isoformat()}:rung:{rung.level}",
            kind=Kind.ESCALATION,
            title=title % {"title": row["title"], "days": rules.days_text(step.days)},
            body=_(
                "This summit action item is overdue and has reached rung %(level)d of its "
                "escalation ladder (%(audience)s). Complete it, re-plan it or cancel it on its "
                "page."
            )
            % {"level": rung.level, "audience": Audience(rung.audience).label},
            recipients=(person,) if person else (),
            subject=(subject_type, row["id"]),
            url=_url(row["id"]),
            data={
                "level": rung.level,
                "audience": rung.audience,
                "days_overdue": step.days,
                "due_on": row["due_on"].isoformat(),
            },
            follows=follows([row["board_id"]], [row["owner_function_id"]]),
        )

    def timeline(steps: list[Step]) -> None:
        ActionItemUpdate.objects.bulk_create(
            ActionItemUpdate(
                item_id=step.row["id"],
                kind=ActionItemUpdate.Kind.ESCALATED,
                author=None,
                created_at=recorder.now,
                note=_("Rung %(level)d: %(audience)s, %(days)s overdue.")
                % {
                    "level": step.rung.level,
                    "audience": Audience(step.rung.audience).label,
                    "days": rules.days_text(step.days),
                },
            )
            for step in steps
        )

    for chunk in keyset_chunks(candidates.values_list("id"), size=CHUNK):
        climb_ladders(
            recorder,
            candidates.filter(id__in=[pk for (pk,) in chunk]),
            fields=("due_on", "owner_id", "title", "board_id", "owner_function_id",
                    "summit__chair_id"),
            rungs=rungs,
            days_of=lambda row: rules.overdue_days(row["due_on"], today),
            alerts_for=lambda steps: [alert(step) for step in steps],
            record=timeline,
        )  # fmt: skip


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
        when = rules.due_text((due_on - today).days)
        lines.append(Line(f"{title} ({when})", _url(pk)))
    return Section(_("Your summit action items due"), lines)
