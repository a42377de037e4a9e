"""WSGI entry point, served by gunicorn in production (see gunicorn.conf.py)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from engagement.config import SettingsError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagement.settings")

try:
    application = get_wsgi_application()
except SettingsError as exc:
    sys.stderr.write(f"Configuration error: {exc}\n")
    sys.exit(2)
