"""``manage.py snapshot_dashboard [--dry-run]``: take this week's snapshot of the dashboard's
headline figures now, as the beat does every hour (the first run of a week takes it)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from boards.models import Board
from engagement.dashboard.models import DashboardSnapshot
from engagement.dashboard.services import snapshot_take
from engagement.org.models import Function
from touchpoints.models import JourneyStage

COLUMNS = (
    ("coverage_percent", "coverage %"), ("vacant", "vacant"), ("contested", "contested"),
    ("open_conflicts", "conflicts"), ("overdue_decisions", "overdue decisions"),
    ("overdue_actions", "overdue items"), ("ceo_escalations", "for the CEO"),
)  # fmt: skip


class Command(BaseCommand):
    help = (
        "Record this week's headline figures of the dashboard for the whole organisation and "
        "each active function, journey stage and board. Once per week: a week already taken "
        "is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true",
            help="Print the figures that would be recorded; record nothing.",
        )  # fmt: skip

    def handle(self, *args, dry_run=False, **options):
        report = snapshot_take(dry_run=dry_run)
        week = f"{report.week:%G-W%V} (from Monday {report.week:%Y-%m-%d})"
        if report.already:
            self.stdout.write(f"The week {week} is already taken; nothing to do.")
            return
        if dry_run:
            self.stdout.write(f"Would record {len(report.rows)} snapshots for the week {week}:")
            self._print(report.rows)
            self.stdout.write(self.style.WARNING("Dry run: nothing was recorded."))
            return
        self.stdout.write(
            self.style.SUCCESS(f"Recorded {report.taken} snapshots for the week {week}.")
        )

    def _print(self, rows: list[DashboardSnapshot]) -> None:
        names = {
            "function": Function.objects.in_bulk([r.function_id for r in rows if r.function_id]),
            "stage": JourneyStage.objects.in_bulk([r.stage_id for r in rows if r.stage_id]),
            "board": Board.objects.in_bulk([r.board_id for r in rows if r.board_id]),
        }
        labels = []
        for row in rows:
            if row.scope == DashboardSnapshot.Scope.ALL:
                labels.append(str(row.get_scope_display()))
            else:
                thing = names[row.scope].get(getattr(row, f"{row.scope}_id"))
                labels.append(f"{row.get_scope_display()}: {thing}")
        width = max(len(label) for label in labels)
        header = "  ".join(title for _, title in COLUMNS)
        self.stdout.write(f"  {'':<{width}}  {header}")
        for label, row in zip(labels, rows, strict=True):
            cells = "  ".join(
                f"{'—' if getattr(row, name) is None else getattr(row, name):>{len(title)}}"
                for name, title in COLUMNS
            )
            self.stdout.write(f"  {label:<{width}}  {cells}")
