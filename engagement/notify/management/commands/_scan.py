"""What ``send_reminders`` and ``run_escalations`` share: run one group of scans, then say
what went out (or, with --dry-run, what would) and to whom."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from engagement.notify.delivery import deliver_pending
from engagement.notify.scanning import run_scans


class ScanCommand(BaseCommand):
    group = ""

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true",
            help="Print what would be recorded and sent, and to whom; change nothing.",
        )  # fmt: skip
        parser.add_argument(
            "--at", metavar="DATETIME",
            help="Scan as if it were this moment (ISO 8601, e.g. 2026-12-01T08:00). "
            "Only with --dry-run: the ledger records what happened, not what might.",
        )  # fmt: skip
        parser.add_argument(
            "--no-deliver", action="store_true",
            help="Record only; leave sending to the worker.",
        )  # fmt: skip

    def handle(self, *args, dry_run=False, at=None, no_deliver=False, **options):
        now = None
        if at:
            if not dry_run:
                raise CommandError("--at is only allowed with --dry-run.")
            try:
                now = parse_datetime(at)
            except ValueError:  # well formed but impossible, like 2026-02-30T08:00
                now = None
            if now is None:
                raise CommandError(f"--at {at!r} is not a date and time like 2026-12-01T08:00.")
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        report = run_scans(self.group, now=now, dry_run=dry_run)
        for name, recorder in report.recorders.items():
            verb = "would record" if dry_run else "recorded"
            count = len(recorder.planned) if dry_run else recorder.recorded
            self.stdout.write(f"{name}: {verb} {count}, {recorder.already} already recorded before")
            for planned in recorder.planned:
                self.stdout.write(
                    f"  to {planned.recipient}: {planned.title}  [{planned.dedupe_key}]"
                )
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was recorded or sent."))
            return
        if not no_deliver:
            self.stdout.write(f"Delivery: {deliver_pending()}")
