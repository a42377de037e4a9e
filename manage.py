#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagement.settings")
    from django.core.management import execute_from_command_line

    from engagement.config import SettingsError

    try:
        execute_from_command_line(sys.argv)
    except SettingsError as exc:
        # One line saying what to set, not a traceback through the settings module.
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
