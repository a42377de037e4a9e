"""Forms of the touchpoint pages. They check the shape of the input; the services decide
whether the change is allowed and valid, and their errors are shown on the same forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.core.choices import capitalised
from engagement.org.models import User
from touchpoints.models import Channel, JourneyStage, Kpi, Touchpoint

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.username})"


def _with_current(queryset, current_pk):
    """The active choices, plus the one already chosen even if it has since been retired."""
    if current_pk is None:
        return queryset.filter(is_active=True)
    return queryset.filter(is_active=True) | queryset.filter(pk=current_pk)


class TouchpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    stage = forms.ModelChoiceField(
        label=_("Journey stage"), queryset=JourneyStage.objects.none(), empty_label=None
    )
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.none())
    segment = forms.CharField(
        label=_("Customer segment"),
        max_length=100,
        required=False,
        help_text=_("The customers this touchpoint serves, e.g. 'small business'."),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=capitalised(Touchpoint.Priority), initial="medium"
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=capitalised(Touchpoint.Status), initial="planned"
    )
    data_steward = PersonChoiceField(
        label=_("Data steward"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No one yet"),
        help_text=_("Keeps the touchpoint's KPIs and measurements true, and may edit it."),
    )
    is_archived = forms.BooleanField(
        label=_("Archived"),
        required=False,
        help_text=_("An archived touchpoint leaves the lists but keeps its history."),
    )

    def __init__(self, *args, touchpoint: Touchpoint | None = None, can_archive=False, **kwargs):
        self.touchpoint = touchpoint
        if touchpoint is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(touchpoint, name) for name in self.changeable()}
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = _with_current(
            JourneyStage.objects.order_by("position", "name"),
            touchpoint.stage_id if touchpoint else None,
        )
        self.fields["channel"].queryset = _with_current(
            Channel.objects.order_by("name"), touchpoint.channel_id if touchpoint else None
        )
        steward_id = touchpoint.data_steward_id if touchpoint else None
        people = User.objects.order_by("last_name", "first_name", "username")
        self.fields["data_steward"].queryset = _with_current(people, steward_id)
        if touchpoint is None or not can_archive:
            del self.fields["is_archived"]

    @staticmethod
    def changeable() -> tuple[str, ...]:
        return (
            "name", "description", "stage", "channel", "segment", "priority", "status",
            "data_steward", "is_archived",
        )  # fmt: skip

    def changes(self) -> dict:
        """What the person changed, for the update service (which refuses, say, a retired
        stage only when the stage is being changed)."""
        data = {name: self.cleaned_data[name] for name in self.changeable() if name in self.fields}
        if self.touchpoint is None:
            return data
        return {
            name: value for name, value in data.items() if getattr(self.touchpoint, name) != value
        }


class MeasurementForm(forms.Form):
    period = forms.DateField(
        label=_("Period"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=_("Any day in the period; the value is recorded for the period's first day."),
    )
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=4)
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("Where the figure comes from, e.g. the CRM report's name."),
    )

    def __init__(self, *args, kpi=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kpi is not None:
            self.fields["value"].label = _("Value (%(unit)s)") % {"unit": kpi.unit}
            self.fields["value"].widget.attrs["step"] = "any"


class MeasurementImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns kpi_id, period (YYYY-MM-DD) and value, and optionally source; the first "
            "line names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB; split it.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class KpiForm(forms.Form):
    """A KPI's definition. On edit, only the fields that changed are sent to the service."""

    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.CharField(
        label=_("Unit"), max_length=30, help_text=_("e.g. %, seconds, score, stars")
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=capitalised(Kpi.Direction), initial="higher"
    )
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=4)
    at_risk_threshold = forms.DecimalField(
        label=_("At-risk threshold"),
        max_digits=14,
        decimal_places=4,
        required=False,
        help_text=_(
            "The worst value still counted as at risk rather than off target: "
            "below the target when higher is better, above it when lower is better."
        ),
    )
    period = forms.ChoiceField(
        label=_("Measured"), choices=capitalised(Kpi.Period), initial="monthly"
    )
    stale_after_periods = forms.IntegerField(
        label=_("Stale after (periods)"),
        min_value=1,
        max_value=120,
        initial=2,
        help_text=_("With no value in this many periods the KPI counts as stale."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("Retire a KPI instead of deleting it; its values stay on record."),
    )

    def __init__(self, *args, kpi=None, **kwargs):
        self.kpi = kpi
        if kpi is not None:
            kwargs.setdefault("initial", {name: getattr(kpi, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        for name in ("target", "at_risk_threshold"):
            self.fields[name].widget.attrs["step"] = "any"

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        if self.kpi is None:
            return data
        return {name: value for name, value in data.items() if getattr(self.kpi, name) != value}
