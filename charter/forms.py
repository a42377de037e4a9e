"""Forms of the charter pages. They only parse what was typed; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from charter.models import Right
from engagement.org.models import Function


class ClaimForm(forms.Form):
    right = forms.ChoiceField(
        label=_("Right"), choices=[(value, capfirst(label)) for value, label in Right.choices]
    )
    function = forms.ModelChoiceField(
        label=_("For function"),
        queryset=None,
        empty_label=None,
        help_text=_("Only the functions you act for (as head or delegate)."),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this function should hold the right. Deciders read it."),
    )

    def __init__(self, *args, functions, **kwargs):
        kwargs.setdefault("auto_id", "claim_%s")
        super().__init__(*args, **kwargs)
        self.fields["function"].queryset = functions


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("Why is it rejected?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The claimant reads this."),
    )


class ResolveForm(forms.Form):
    winner = forms.ModelChoiceField(
        label=_("The right goes to"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
    )
    rationale = forms.CharField(
        label=_("Rationale for the decision"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, conflict, **kwargs):
        kwargs.setdefault("auto_id", f"resolve_{conflict.pk}_%s")
        super().__init__(*args, **kwargs)
        self.fields["winner"].queryset = Function.objects.filter(
            pk__in=(conflict.holder_function_id, conflict.claimant_function_id)
        )
        # The two sides are already loaded with the conflict: no query to list them.
        holder, claimant = conflict.holder_function, conflict.claimant_function
        self.fields["winner"].choices = [
            (holder.pk, _("%(name)s, which holds it now") % {"name": holder.name}),
            (claimant.pk, _("%(name)s, which claims it") % {"name": claimant.name}),
        ]


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("Charter on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Who held each right at the end of that day."),
    )
