"""System checks that only matter in production (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_broker_reachable(app_configs=None, **kwargs):
    """In production the broker must answer, or reminders and escalations silently stop."""
    from engagement.core.preflight import broker_problem

    if settings.DEBUG or settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    problem = broker_problem(timeout=3)
    if problem:
        return [Error(problem, id="engagement.E001")]
    return []


@register(Tags.security, deploy=True)
def check_broker_is_shared(app_configs=None, **kwargs):
    if settings.DEBUG or not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return []
    return [
        Warning(
            "CELERY_BROKER_URL is the filesystem broker, which only works when the web "
            "server, the worker and the scheduler share one disk.",
            hint="Set CELERY_BROKER_URL=redis://HOST:6379/0 in production.",
            id="engagement.W001",
        )
    ]
