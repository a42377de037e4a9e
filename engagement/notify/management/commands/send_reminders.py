from engagement.notify.management.commands._scan import ScanCommand


class Command(ScanCommand):
    help = (
        "Record the reminders due by now (decisions, action items, claims, meetings tomorrow, "
        "charter gaps, digests) and send them. Safe to run again: nothing goes out twice."
    )
    group = "reminders"
