"""The Celery application, wired the standard way for Django.

Settings come from ``django.conf:settings`` under the ``CELERY_`` namespace; tasks are found in
each installed app's ``tasks.py``. Outside DEBUG the worker and the scheduler refuse to start
when the broker cannot be reached, with one line saying what to set, rather than retrying
forever in silence.
"""

import os
import sys

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagement.settings")

app = Celery("engagement")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_unreachable_broker(sender=None, **kwargs):
    from django.conf import settings

    from engagement.core.preflight import broker_problem

    if settings.DEBUG:
        return
    problem = broker_problem()
    if problem:
        # The real stderr: Celery redirects sys.stderr into its logger once it starts.
        sys.__stderr__.write(f"Configuration error: {problem}\n")
        sys.__stderr__.flush()
        os._exit(2)
