"""A person's own work: what they hold, owe and are waited on for (``dashboard:my_work``)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from engagement.dashboard.work import work_summary


@require_GET
def my_work(request):
    """Where everyone but an executive lands: the rights their functions hold and the claims
    waiting, the decisions and action items due, their boards' next meetings, unread
    notifications and, for administrators, the background jobs."""
    return render(request, "dashboard/my_work.html", {"work": work_summary(user=request.user)})
