"""Start-up checks for the production processes: can we reach what we depend on?

Each function returns ``None`` when all is well, or one line saying what is wrong and what to
set. gunicorn (``gunicorn.conf.py``), the Celery worker and scheduler (``engagement.celery``)
and ``manage.py check --deploy`` call them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from kombu.utils.url import maybe_sanitize_url


def broker_problem(timeout: float = 5.0) -> str | None:
    from engagement.celery import app

    url = settings.CELERY_BROKER_URL
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # kombu raises a transport-specific family of errors
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return (
            f"cannot reach the Celery broker at {maybe_sanitize_url(url)} ({reason}); "
            "start it or set CELERY_BROKER_URL to a reachable broker"
        )
    return None


def database_problem() -> str | None:
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"cannot reach the database ({reason}); start it or set DATABASE_URL"
    return None
