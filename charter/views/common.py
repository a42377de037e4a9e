"""Helpers shared by the charter's pages: full page or htmx fragment."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def _is_htmx(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _render(request, template, partial, context, status=200):
    """The whole page, or only its fragment for an htmx request (varying on the header)."""
    fragment = _is_htmx(request)
    name = f"{template}#{partial}" if fragment else template
    response = render(request, template_name=name, context=context, status=status)
    if fragment:
        # Tells the page's script that a 400/403/409 answer is a fragment to show in place.
        response["HX-Form-Fragment"] = "1"
    patch_vary_headers(response, ("HX-Request",))
    return response


def _cleaned(form, name):
    return getattr(form, "cleaned_data", {}).get(name) if form.is_bound else None
