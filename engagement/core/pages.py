"""Helpers every app's pages share: the whole page or an htmx fragment, a service's refusal
shown on a form, and a safe way back after a button posted from another page. Views are never
imported across apps; these helpers live here so they are written once."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from engagement.core.errors import DomainError


def is_htmx(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_page(request, template, partial, context, status=200, *, fragment=None):
    """The whole page, or only its ``partial`` for an htmx request (varying on the header).

    A fragment answer carries ``HX-Form-Fragment`` so the page's script swaps a 400/403/409
    answer in place like a success (see ``includes/htmx_config.html``)."""
    fragment = is_htmx(request) if fragment is None else fragment
    name = f"{template}#{partial}" if fragment and partial else template
    context = {**context, "fragment": fragment}
    response = render(request, template_name=name, context=context, status=status)
    if fragment:
        response["HX-Form-Fragment"] = "1"
    patch_vary_headers(response, ("HX-Request",))
    return response


def form_error(form, exc: DomainError) -> int:
    """Show a service's refusal on the form: on its field when it names one of the form's,
    else at the top. Returns the status to answer with."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    return exc.status_code


def back(request, fallback: str):
    """Where a button posted from another page (a board's or a meeting's) sends the person
    back to: ``next`` when it is a page of this site, else ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)
