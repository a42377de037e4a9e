"""gunicorn settings for production (read automatically from the working directory).

Before any worker starts, the master checks it can reach the database and the Celery broker
and stops with one line saying what to set if not.
"""

import multiprocessing
import os
import sys

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8)))
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagement.settings")
    import django

    from engagement.config import SettingsError

    try:
        django.setup()
    except SettingsError as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)

    from django.conf import settings

    from engagement.core.preflight import broker_problem, database_problem

    problem = database_problem() or (None if settings.DEBUG else broker_problem())
    if problem:
        sys.stderr.write(f"Configuration error: {problem}\n")
        sys.exit(2)
