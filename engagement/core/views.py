"""Pages of the core: the home page, the health endpoint, and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from engagement.core.preflight import database_problem
from engagement.org.roles import roles_for


@require_GET
def home(request):
    """Where a signed-in person lands: executives on their dashboard, everyone else
    (administrators included) on their own work. The pages belong to the dashboard app,
    above the core, so they are named, not imported."""
    if roles_for(request.user).is_executive:
        return redirect("dashboard:dashboard")
    return redirect("dashboard:my_work")


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers and orchestrators: the process answers and the database
    is reachable. Public on purpose, and says nothing about the data."""
    problem = database_problem()
    if problem:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: usually an expired page. Say so plainly."""
    return render(request, "errors/403_csrf.html", {"reason": reason}, status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # No context processors that touch the database: the error may be the database.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("errors/500.html").render())
