"""Request-layer rules that hold for every page."""

from __future__ import annotations

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.shortcuts import render
from rest_framework.views import APIView

from engagement.core.errors import DomainError


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page requires login; the API answers 401/403 itself instead of redirecting.

    Django's middleware redirects anonymous requests to the login page unless the view is
    marked ``@login_not_required``. API views are recognised by their class, not by their
    path: DRF authenticates them (session or token) and answers in the API's error format.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class DomainErrorMiddleware:
    """A domain error that reaches an HTML view is shown as a page in the product's look.

    Form views catch domain errors themselves (``DomainErrorFormMixin``) to show them next to
    the form; anything else lands here with the right status instead of a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        return render(
            request,
            "errors/domain_error.html",
            {"error": exception, "status_code": exception.status_code},
            status=exception.status_code,
        )
