"""Forms of the summit pages. They check the shape of what was typed; the services decide
whether it is allowed and valid, and their refusals are shown on the same forms.

Choices that the page has already loaded (the board's meetings) are passed in as lists, so
rendering a form costs no query beyond its own people and functions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from boards.forms import (
    DATE_WIDGET,
    GroupedChecklistMixin,
    KpisField,
    PersonChoiceField,
    TouchpointsField,
    active_functions,
    active_people,
    group_choices,
)
from boards.models import Board, Meeting
from engagement.core.choices import capitalised
from engagement.org.models import Function, User
from summits.models import ActionItem, Capability, JourneyReview, Summit
from summits.services import DECISION_OUTCOMES
from touchpoints.models import JourneyStage, Kpi, Touchpoint

LEVEL_CHOICES = [(level, str(level)) for level in range(1, 6)]
LEVEL_HELP = _("1: hardly engaged; 5: as engaged as customers can be.")


def _level_field(label):
    return forms.TypedChoiceField(
        label=label, choices=[("", "—"), *LEVEL_CHOICES], coerce=int, help_text=LEVEL_HELP
    )


def meeting_label(meeting: Meeting, zone: str) -> str:
    """A meeting by its day and time where the board is, and its status when not scheduled."""
    local = timezone.localtime(meeting.starts_at, ZoneInfo(zone))
    label = date_format(local, "D j M Y, H:i")
    if meeting.status != Meeting.Status.SCHEDULED:
        label = f"{label} ({meeting.get_status_display()})"
    return label


def _limit_meetings(field, meetings: list[Meeting], zone: str, empty=None, accept=None) -> None:
    """Offer ``meetings``. A posted form may name any meeting of ``accept`` (the board's):
    one offered on another page (a meeting's own) is valid here too, and whether it may take
    the item is the service's to say, in words."""
    if accept is not None:
        field.queryset = accept
    else:
        field.queryset = Meeting.objects.filter(pk__in=[m.pk for m in meetings])
    choices = [(m.pk, meeting_label(m, zone)) for m in meetings]
    field.choices = ([("", empty)] if empty is not None else []) + choices


# --- Summits -----------------------------------------------------------------------------------


class SummitForm(forms.Form):
    """A summit's set-up. Who chairs it is for executives and administrators: for the chair
    the field is left out and shown read-only."""

    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the senior team is to leave with."),
    )  # fmt: skip
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_WIDGET)
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=DATE_WIDGET,
        help_text=_("The same day if left empty."),
    )  # fmt: skip
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    chair = PersonChoiceField(
        label=_("Chair"), queryset=User.objects.none(),
        help_text=_("Usually the CMO or the head of strategy, sales or service; they record "
                    "the action items."),
    )  # fmt: skip

    def __init__(self, *args, summit: Summit | None = None, may_change_chair: bool = True,
                 **kwargs):  # fmt: skip
        self.summit = summit
        if summit is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": summit.title, "purpose": summit.purpose, "starts_on": summit.starts_on,
                "ends_on": summit.ends_on, "location": summit.location, "chair": summit.chair_id,
            }  # fmt: skip
        super().__init__(*args, **kwargs)
        if may_change_chair:
            self.fields["chair"].queryset = active_people()
        else:
            del self.fields["chair"]

    def changes(self) -> dict:
        """For a new summit every field; for an existing one only those that changed (so a
        chair's save never touches who chairs)."""
        data = dict(self.cleaned_data)
        if self.summit is None:
            return data
        return {name: value for name, value in data.items() if getattr(self.summit, name) != value}


class ParticipantForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    function = forms.ModelChoiceField(
        label=_("Represents"), queryset=Function.objects.none(),
        help_text=_("The function the person speaks for; they must work in it or act for it."),
    )  # fmt: skip
    note = forms.CharField(
        label=_("Role at the summit"), max_length=200, required=False,
        help_text=_("e.g. facilitator, presents the service stage."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "participant_%s")
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = active_people()
        self.fields["function"].queryset = active_functions()


# --- The journey review and the capability plan ------------------------------------------------


class ReviewForm(GroupedChecklistMixin, forms.Form):
    """A journey stage or a touchpoint, its current and target engagement, the KPIs it rests
    on. Once recorded, what is reviewed stays; the levels, notes and evidence change."""

    stage = forms.ModelChoiceField(
        label=_("Journey stage"), queryset=JourneyStage.objects.none(), required=False,
        empty_label=_("—"), help_text=_("Review a whole stage, or choose a touchpoint below."),
    )  # fmt: skip
    touchpoint = forms.ModelChoiceField(
        label=_("Touchpoint"), queryset=Touchpoint.objects.none(), required=False,
        empty_label=_("—"), help_text=_("Or review one touchpoint."),
    )  # fmt: skip
    current_level = _level_field(_("Current engagement"))
    target_level = _level_field(_("Target engagement"))
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    kpis = KpisField(
        label=_("Evidence: KPIs"), queryset=Kpi.objects.none(), required=False,
        help_text=_("KPIs of the reviewed stage or touchpoint. Their latest value, target and "
                    "status are kept with the review as the summit saw them."),
    )  # fmt: skip

    def __init__(self, *args, review: JourneyReview | None = None, **kwargs):
        kwargs.setdefault("auto_id", "review_%s")
        if review is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "current_level": review.current_level, "target_level": review.target_level,
                "notes": review.notes, "kpis": [e.kpi_id for e in review.evidence.all()],
            }  # fmt: skip
        super().__init__(*args, **kwargs)
        kpis = Kpi.objects.active().select_related("touchpoint__stage")
        if review is None:
            self.fields["stage"].queryset = JourneyStage.objects.active().order_by("position")
            touchpoints = list(
                Touchpoint.objects.filter(is_archived=False)
                .select_related("stage")
                .order_by("stage__position", "name")
            )
            field = self.fields["touchpoint"]
            field.queryset = Touchpoint.objects.filter(is_archived=False)
            grouped = group_choices(touchpoints, key=lambda t: t.stage.name, label=lambda t: t.name)
            field.choices = [("", _("—")), *grouped]
        else:
            del self.fields["stage"]
            del self.fields["touchpoint"]
            if review.touchpoint_id:
                kpis = kpis.filter(touchpoint=review.touchpoint_id)
            else:
                kpis = kpis.filter(touchpoint__stage=review.stage_id)
        kpis = list(kpis.order_by("touchpoint__stage__position", "touchpoint__name", "name"))
        self.fields["kpis"].queryset = Kpi.objects.filter(pk__in=[k.pk for k in kpis])
        self.fields["kpis"].choices = group_choices(
            kpis,
            key=lambda k: f"{k.touchpoint.stage.name} · {k.touchpoint.name}",
            label=lambda k: f"{k.name} ({k.unit})",
        )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["kpis"] = list(data["kpis"])
        return data


class CapabilityForm(forms.Form):
    area = forms.ChoiceField(
        label=_("Capability area"), choices=capitalised(Capability.Area.choices)
    )
    sourcing = forms.ChoiceField(
        label=_("Sourced"), choices=capitalised(Capability.Sourcing.choices),
        widget=forms.RadioSelect,
    )  # fmt: skip
    partners = forms.CharField(
        label=_("Partners"), max_length=300, required=False,
        help_text=_("The external partners' names, separated by commas (none when internal)."),
    )  # fmt: skip
    gap = forms.TypedChoiceField(
        label=_("Gap"), choices=[("", "—"), *LEVEL_CHOICES], coerce=int,
        help_text=_("1: we have what we need; 5: we have almost nothing."),
    )  # fmt: skip
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none())
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, capability: Capability | None = None, **kwargs):
        kwargs.setdefault("auto_id", "capability_%s")
        if capability is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "sourcing": capability.sourcing, "partners": capability.partners,
                "gap": capability.gap, "owner": capability.owner_id, "notes": capability.notes,
            }  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_people()
        if capability is not None:
            del self.fields["area"]


# --- Action items ------------------------------------------------------------------------------


class ActionItemForm(GroupedChecklistMixin, forms.Form):
    """Record an action item (all fields), or edit one (``item``: title, description,
    priority and touchpoints; the due date and the owner move by re-planning)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What done looks like."),
    )  # fmt: skip
    owner = PersonChoiceField(
        label=_("Owner"), queryset=User.objects.none(),
        help_text=_("The person who carries it out; they work in or act for the function."),
    )  # fmt: skip
    owner_function = forms.ModelChoiceField(
        label=_("Owner function"), queryset=Function.objects.none()
    )
    due_on = forms.DateField(
        label=_("Due on"), widget=DATE_WIDGET,
        help_text=_("Not before the summit, and not in the past."),
    )  # fmt: skip
    priority = forms.ChoiceField(
        label=_("Priority"), choices=capitalised(ActionItem.Priority.choices),
        initial=ActionItem.Priority.MEDIUM,
    )  # fmt: skip
    board = forms.ModelChoiceField(
        label=_("Followed up by"), queryset=Board.objects.none(),
        help_text=_("The board in whose backlog the item sits until it is done."),
    )  # fmt: skip
    touchpoints = TouchpointsField(
        label=_("Touchpoints"), queryset=Touchpoint.objects.none(), required=False,
        help_text=_("The touchpoints the item changes."),
    )  # fmt: skip

    CREATE_ONLY = ("owner", "owner_function", "due_on", "board")

    def __init__(self, *args, item: ActionItem | None = None, **kwargs):
        kwargs.setdefault("auto_id", "item_%s")
        self.item = item
        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": item.title, "description": item.description, "priority": item.priority,
                "touchpoints": [t.pk for t in item.touchpoints.all()],
            }  # fmt: skip
        super().__init__(*args, **kwargs)
        if item is None:
            self.fields["owner"].queryset = active_people()
            self.fields["owner_function"].queryset = active_functions()
            self.fields["board"].queryset = Board.objects.active().order_by("name")
        else:
            for name in self.CREATE_ONLY:
                del self.fields[name]
        touchpoints = list(
            Touchpoint.objects.filter(is_archived=False)
            .select_related("stage")
            .order_by("stage__position", "stage__name", "name")
        )
        field = self.fields["touchpoints"]
        field.queryset = Touchpoint.objects.filter(is_archived=False)
        field.choices = group_choices(
            touchpoints, key=lambda t: t.stage.name, label=lambda t: t.name
        )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["touchpoints"] = list(data["touchpoints"])
        return data


class StartForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}), help_text=_("How you will go about it."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "start_%s")
        super().__init__(*args, **kwargs)


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    completed_on = forms.DateField(
        label=_("Completed on"), required=False, widget=DATE_WIDGET,
        help_text=_("Today if left empty. Done after the due date counts as late."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "complete_%s")
        super().__init__(*args, **kwargs)


class ProgressForm(forms.Form):
    note = forms.CharField(
        label=_("Progress"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What has happened since the last update; it goes on the timeline."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "progress_%s")
        super().__init__(*args, **kwargs)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"), max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "cancel_%s")
        super().__init__(*args, **kwargs)


class ReplanForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it re-planned?"), max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    due_on = forms.DateField(
        label=_("New due date"), required=False, widget=DATE_WIDGET,
        help_text=_("Leave empty to keep the due date."),
    )  # fmt: skip
    owner = PersonChoiceField(
        label=_("New owner"), queryset=User.objects.none(), required=False,
        empty_label=_("Keep the owner"),
    )  # fmt: skip
    owner_function = forms.ModelChoiceField(
        label=_("New owner function"), queryset=Function.objects.none(), required=False,
        empty_label=_("Keep the function"),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "replan_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_people()
        self.fields["owner_function"].queryset = active_functions()


DECISION_LABELS = {
    "complete": _("Close it as done"),
    "cancel": _("Cancel it"),
    "replan": _("Re-plan it (new due date or owner)"),
}


class DecideForm(forms.Form):
    """A decision of the board that follows the item up: close, cancel or re-plan it."""

    outcome = forms.ChoiceField(
        label=_("The board decides to"), widget=forms.RadioSelect,
        choices=[(value, DECISION_LABELS[value]) for value in DECISION_OUTCOMES],
    )  # fmt: skip
    rationale = forms.CharField(
        label=_("Rationale"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why: the facts that decided it. It goes into the board's decision log."),
    )  # fmt: skip
    title = forms.CharField(
        label=_("Decision title"), max_length=200, required=False,
        help_text=_("Leave empty to name it after the item."),
    )  # fmt: skip
    meeting = forms.ModelChoiceField(
        label=_("Taken in the meeting of"), queryset=Meeting.objects.none(), required=False,
        help_text=_("The board's meetings whose minutes are not yet approved."),
    )  # fmt: skip
    due_on = forms.DateField(
        label=_("New due date"), required=False, widget=DATE_WIDGET,
        help_text=_("When re-planning."),
    )  # fmt: skip
    owner = PersonChoiceField(
        label=_("New owner"), queryset=User.objects.none(), required=False,
        empty_label=_("Keep the owner"), help_text=_("When re-planning."),
    )  # fmt: skip
    owner_function = forms.ModelChoiceField(
        label=_("New owner function"), queryset=Function.objects.none(), required=False,
        empty_label=_("Keep the function"),
    )  # fmt: skip
    completed_on = forms.DateField(
        label=_("Completed on"), required=False, widget=DATE_WIDGET,
        help_text=_("When closing as done; today if left empty."),
    )  # fmt: skip

    def __init__(self, *args, meetings: list[Meeting], zone: str, accept=None, **kwargs):
        kwargs.setdefault("auto_id", "decide_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_people()
        self.fields["owner_function"].queryset = active_functions()
        _limit_meetings(
            self.fields["meeting"], meetings, zone, empty=_("Outside a meeting"), accept=accept
        )


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("Meeting"), queryset=Meeting.objects.none(), empty_label=None,
        help_text=_("The board's next scheduled meetings."),
    )  # fmt: skip
    notes = forms.CharField(
        label=_("Notes for the agenda"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty to use the item's description."),
    )  # fmt: skip

    def __init__(self, *args, meetings: list[Meeting], zone: str, accept=None, **kwargs):
        kwargs.setdefault("auto_id", "agenda_%s")
        super().__init__(*args, **kwargs)
        _limit_meetings(self.fields["meeting"], meetings, zone, accept=accept)
