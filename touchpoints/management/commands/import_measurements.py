"""``manage.py import_measurements FILE [--as USERNAME]``: record KPI values from a CSV file.

All or nothing, through the same service as the upload page: if any line cannot be recorded,
nothing is, and every such line is printed with the reason. The file format is described in
``touchpoints.imports``.
"""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from engagement.core.errors import DomainError
from touchpoints.imports import import_measurements
from touchpoints.services import RowsRejected


class Command(BaseCommand):
    help = (
        "Import KPI measurements from a CSV file (columns kpi_id, period, value[, source]), "
        "all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file, or - to read standard input.")
        parser.add_argument(
            "--as",
            dest="username",
            help="Who records the values (the audit trail names them). Defaults to the only "
            "superuser, if there is exactly one.",
        )

    def handle(self, *args, file, username=None, **options):
        actor = self._actor(username)
        data = self._read(file)
        try:
            recorded = import_measurements(actor=actor, data=data)
        except RowsRejected as exc:
            for line, reason in exc.errors:
                self.stderr.write(f"line {line}: {reason}")
            count = len(exc.errors)
            raise CommandError(
                f"{count} line{'s' if count != 1 else ''} cannot be recorded; nothing was imported."
            ) from None
        except DomainError as exc:
            raise CommandError(f"{exc.message} Nothing was imported.") from None
        kpis = len({m.kpi_id for m in recorded})
        self.stdout.write(
            self.style.SUCCESS(
                f"Recorded {len(recorded)} value{'s' if len(recorded) != 1 else ''} for "
                f"{kpis} KPI{'s' if kpis != 1 else ''} as {actor.get_username()}."
            )
        )

    def _actor(self, username):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            try:
                return users.get(username=username)
            except users.model.DoesNotExist:
                raise CommandError(
                    f"There is no active person with username {username!r}."
                ) from None
        superusers = list(users.filter(is_superuser=True)[:2])
        if len(superusers) != 1:
            raise CommandError(
                "Say who records the values with --as USERNAME "
                f"({'there is no superuser' if not superusers else 'there are several superusers'}"
                " to default to)."
            )
        return superusers[0]

    def _read(self, path) -> bytes:
        if path == "-":
            return sys.stdin.buffer.read()
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
