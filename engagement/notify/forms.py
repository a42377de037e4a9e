"""The preferences form: one choice per kind of notification, and the digest's frequency. It
checks the shape of what was chosen; the service decides whether the choice holds together
(a kind held for a digest that never goes out), and its refusal is shown on this form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.core.choices import capitalised
from engagement.notify.models import Preference
from engagement.notify.services import CHOOSABLE_KINDS, KIND_NAMES

DELIVERY_HELP = {
    "reminder": _("Decisions, action items and claims coming due that you own."),
    "meeting": _("Meetings of your boards tomorrow, with their agenda."),
    "escalation": _("Overdue items and conflicts that reached you on their ladder."),
    "cadence": _("Planned meetings of boards you chair or sponsor that were not held."),
    "charter_gaps": _("Weekly: rights nobody holds and stale KPIs where you are responsible."),
}


class PreferenceForm(forms.Form):
    """``initial`` is the person's preference (see ``from_preference``)."""

    digest = forms.ChoiceField(
        label=_("Digest"),
        choices=capitalised(Preference.Frequency),
        widget=forms.RadioSelect,
        help_text=_("One e-mail gathering what you chose to receive in the digest."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = {}
        for kind in CHOOSABLE_KINDS:
            kinds[kind] = forms.ChoiceField(
                label=KIND_NAMES[kind],
                choices=capitalised(Preference.Delivery),
                widget=forms.RadioSelect,
                help_text=DELIVERY_HELP.get(kind, ""),
            )
        # The kinds first, in the order they are listed; the digest's frequency last.
        self.fields = {**kinds, "digest": self.fields["digest"]}

    @classmethod
    def initial_for(cls, preference: Preference, deliveries: dict[str, str]) -> dict:
        return {**deliveries, "digest": preference.digest}

    @property
    def kind_fields(self):
        return [self[kind] for kind in CHOOSABLE_KINDS]

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "deliveries": {kind: data[kind] for kind in CHOOSABLE_KINDS},
            "digest": data["digest"],
        }
