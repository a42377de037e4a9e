"""What the jobs tell people about boards and the charter: reminders, escalation ladders,
missed meetings, weekly charter gaps, and the owner's, chair's and executive's digest sections.

Registered with notify in ``BoardsConfig.ready`` (``register``). The charter's scanners live
here rather than in the charter app because their audiences (the chairs of the boards that
govern a touchpoint, the top of a board's ladder) are the boards' to know, and boards sit above
the charter.

Every scanner reads what is due *by now* and not yet recorded, in keyset chunks, and records
its alerts under event keys that say which occurrence they are about (a decision's due date,
a meeting's start), so a second run, or two schedulers, record nothing new, and a scanner that
was down catches up. Each scan costs a fixed number of queries per chunk, whatever the number
of items (pinned in ``boards/tests/test_notifications.py``).
"""

from __future__ import annotations


def register() -> None:
    from boards.notifications import digests, escalations, gaps, reminders
    from engagement.notify.digests import sections
    from engagement.notify.scanning import scanners

    scanners.register("reminders", "decisions", reminders.scan_decision_reminders)
    scanners.register("reminders", "claims", reminders.scan_claim_reminders)
    scanners.register("reminders", "meetings", reminders.scan_meeting_reminders)
    scanners.register("reminders", "charter-gaps", gaps.scan_charter_gaps)
    scanners.register("escalations", "decisions", escalations.scan_decision_escalations)
    scanners.register("escalations", "conflicts", escalations.scan_conflict_escalations)
    scanners.register("escalations", "cadence", escalations.scan_missed_meetings)

    sections.register("owner-decisions", digests.owner_section, order=10)
    sections.register("chair", digests.chair_section, order=30)
    sections.register("executive", digests.executive_section, order=40)
