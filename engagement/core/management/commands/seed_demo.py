"""Build the demo data: ``manage.py seed_demo``.

Each app that has demo data offers ``<app>.demo.seed(stdout=...)``; they run in the order of
``INSTALLED_APPS`` (lowest layer first), in one transaction, so a failure leaves nothing half
built. Every seeder is idempotent: running the command twice leaves the same data.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create (or bring back to its known state) the demo organisation and print logins."

    def handle(self, *args, **options):
        logins = []
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name == f"{config.name}.demo":
                        continue
                    raise
                logins.extend(module.seed(stdout=self.stdout) or [])
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in as:"))
        width = max(len(username) for username, _, _ in logins) if logins else 0
        for username, password, role in logins:
            self.stdout.write(f"  {username:<{width}}  password {password}  — {role}")
