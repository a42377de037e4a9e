from engagement.notify.management.commands._scan import ScanCommand


class Command(ScanCommand):
    help = (
        "Climb the escalation ladders of overdue decisions, action items and conflicts, alert "
        "boards that missed a meeting, and send the alerts. Safe to run again."
    )
    group = "escalations"
