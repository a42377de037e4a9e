"""The search page (``dashboard:search``): touchpoints, boards, decisions, action items and
people matching the words typed, each kind with its total and a link to its own list."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from engagement.core.errors import Invalid
from engagement.dashboard import search as searching


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        help_text=_("Every word must appear in a name, title or text; any case."),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "maxlength": searching.MAX_LENGTH,
                "spellcheck": "false",
            }
        ),
    )

    def clean_q(self):
        try:
            return searching.clean_query(self.cleaned_data["q"])
        except Invalid as exc:
            raise ValidationError(exc.message, code="invalid") from None


@require_GET
def search(request):
    """Nothing is searched until at least two characters are typed: an empty box shows how
    to search; too short or too long a query is a 400 saying why."""
    typed = request.GET.get("q", "")
    form = SearchForm(request.GET if typed.strip() else None)
    results, status = None, 200
    if form.is_bound:
        if form.is_valid():
            results = searching.search(user=request.user, query=form.cleaned_data["q"])
        else:
            status = 400
    return render(
        request,
        "dashboard/search.html",
        {"form": form, "results": results, "min_length": searching.MIN_LENGTH},
        status=status,
    )
