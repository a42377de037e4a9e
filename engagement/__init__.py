"""Customer-engagement governance: the Django project package."""

from engagement.celery import app as celery_app

__all__ = ["celery_app"]
