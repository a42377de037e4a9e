"""Forms of the board pages. They check the shape of what was typed; the services decide
whether it is allowed and valid, and their refusals are shown on the same forms."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from boards.models import Attendance, Board, Decision, Membership
from charter.models import Claim, Conflict
from engagement.core.choices import capitalised
from engagement.org.models import Function, User
from touchpoints.models import JourneyStage, Kpi, Touchpoint

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def active_people():
    """The people a form offers: those still active in the organisation."""
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")


def active_functions():
    return Function.objects.active().order_by("name")


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone, the usual ones only (no ``Etc/`` or legacy aliases), sorted."""
    zones = {zone for zone in available_timezones() if "/" in zone and not zone.startswith("Etc/")}
    zones |= {"UTC", settings.TIME_ZONE}
    return [(zone, zone.replace("_", " ")) for zone in sorted(zones)]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.title:
            return f"{obj.display_name} · {obj.title}"
        return obj.display_name


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class TouchpointsField(forms.ModelMultipleChoiceField):
    """Touchpoints as check boxes in groups (``groups`` is set by the form)."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class KpisField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.unit})"


def group_choices(objects, key, label=lambda o: str(o)) -> list:
    """``[(group, [(pk, label), ...]), ...]`` keeping the objects' order, for grouped
    choices (check boxes under headings, or ``<optgroup>``)."""
    groups: dict = {}
    for obj in objects:
        groups.setdefault(key(obj), []).append((obj.pk, label(obj)))
    return list(groups.items())


class GroupedChecklistMixin:
    """Check boxes shown in fieldsets per group (``templates/boards/includes/checklist.html``).

    ``checklists[name]`` (``grouped(name)``) pairs each group's heading with its bound check
    boxes; the widget's own rendering would put group names in labels that label nothing."""

    @property
    def checklists(self) -> dict:
        """``{name: [(heading, [bound check box, ...]), ...]}`` for each check-box field."""
        return {
            name: self.grouped(name)
            for name, field in self.fields.items()
            if isinstance(field.widget, forms.CheckboxSelectMultiple)
        }

    def grouped(self, name):
        bound = self[name]
        widgets = list(bound.subwidgets)
        result, start = [], 0
        for group, options in bound.field.choices:
            if isinstance(options, (list, tuple)):
                result.append((group, widgets[start : start + len(options)]))
                start += len(options)
            else:
                result.append(("", widgets[start : start + 1]))
                start += 1
        return result


# --- Boards ------------------------------------------------------------------------------------

CADENCE_HELP = _(
    "How often the board meets, as a recurrence rule (RFC 5545 RRULE, as in Outlook and "
    "Google Calendar). Examples:"
    "<ul>"
    "<li><code>FREQ=WEEKLY;BYDAY=MO</code>: every Monday</li>"
    "<li><code>FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH</code>: every other week on Tuesday and "
    "Thursday</li>"
    "<li><code>FREQ=MONTHLY;BYDAY=1TU</code>: the first Tuesday of each month</li>"
    "<li><code>FREQ=MONTHLY;BYMONTHDAY=15</code>: the 15th of each month</li>"
    "</ul>"
    "The day and time to start from are set below, not in the rule."
)


class BoardForm(GroupedChecklistMixin, forms.Form):
    """A board's set-up. Who leads it (chair, sponsor), its place in the ladder and archiving
    are for administrators: for others those fields are left out and shown read-only."""

    name = forms.CharField(label=_("Name"), max_length=150)
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the board decides, and for whom. Members read it first."),
    )
    chair = PersonChoiceField(label=_("Chair"), queryset=User.objects.none())
    sponsor = PersonChoiceField(
        label=_("Executive sponsor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No sponsor"),
    )
    escalates_to = forms.ModelChoiceField(
        label=_("Escalates to"),
        queryset=Board.objects.none(),
        required=False,
        empty_label=_("Nobody: this is the top of the ladder"),
        help_text=_("The body above this one, which receives its escalations."),
    )
    cadence = forms.CharField(
        label=_("Cadence"),
        max_length=255,
        help_text=CADENCE_HELP,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=(),
        help_text=_("Meetings keep their local time in this zone across clock changes."),
    )
    starts_on = forms.DateField(
        label=_("Cadence starts on"),
        widget=DATE_WIDGET,
        help_text=_("The first day a meeting may fall on."),
    )
    start_time = forms.TimeField(
        label=_("Start time"), widget=TIME_WIDGET, help_text=_("Local time in the time zone.")
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=24 * 60, initial=60
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        required=False,
        help_text=_("A room or a video-call address; each meeting can change it."),
    )
    core_size_limit = forms.IntegerField(
        label=_("Core-group size limit"),
        min_value=1,
        initial=12,
        help_text=_(
            "The most core members who still decide well together (about a dozen). Board "
            "health warns above it."
        ),
    )
    scope_stages = forms.ModelMultipleChoiceField(
        label=_("Journey stages governed"),
        queryset=JourneyStage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every touchpoint at these stages is in the board's scope."),
    )
    scope_touchpoints = TouchpointsField(
        label=_("Touchpoints governed"),
        queryset=Touchpoint.objects.none(),
        required=False,
        help_text=_("Touchpoints the board governs besides those of the stages above."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An archived board keeps its record but no longer meets or decides."),
    )

    LEADER_FIELDS = ("chair", "sponsor", "escalates_to", "is_active")
    SCOPE_FIELDS = ("scope_stages", "scope_touchpoints")

    def __init__(self, *args, board: Board | None = None, is_admin: bool = False, **kwargs):
        self.board = board
        if board is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(board, name) for name in self.base_fields if name not in
                self.SCOPE_FIELDS
            }  # fmt: skip
            kwargs["initial"]["chair"] = board.chair_id
            kwargs["initial"]["sponsor"] = board.sponsor_id
            kwargs["initial"]["escalates_to"] = board.escalates_to_id
            kwargs["initial"]["scope_stages"] = [s.pk for s in board.scope_stages.all()]
            kwargs["initial"]["scope_touchpoints"] = [t.pk for t in board.scope_touchpoints.all()]
        else:
            kwargs.setdefault("initial", {}).setdefault("time_zone", settings.TIME_ZONE)
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()
        if is_admin:
            self.fields["chair"].queryset = active_people()
            self.fields["sponsor"].queryset = active_people()
            above = Board.objects.active().order_by("name")
            if board is not None:
                above = above.exclude(pk=board.pk)
            self.fields["escalates_to"].queryset = above
        else:
            for name in self.LEADER_FIELDS:
                del self.fields[name]
        if board is None and "is_active" in self.fields:
            del self.fields["is_active"]
        self.fields["scope_stages"].queryset = JourneyStage.objects.order_by("position", "name")
        touchpoints = list(
            Touchpoint.objects.filter(is_archived=False)
            .select_related("stage")
            .order_by("stage__position", "stage__name", "name")
        )
        self.fields["scope_touchpoints"].queryset = Touchpoint.objects.filter(is_archived=False)
        self.fields["scope_touchpoints"].choices = group_choices(
            touchpoints, key=lambda t: t.stage.name, label=lambda t: t.name
        )
        self.touchpoint_count = len(touchpoints)

    def changes(self) -> dict:
        """The set-up fields to send to the service: all of them for a new board, only those
        that changed for an existing one (so a chair's save does not touch the leaders')."""
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.SCOPE_FIELDS
        }
        if self.board is None:
            return data
        return {name: value for name, value in data.items() if getattr(self.board, name) != value}

    def scope(self) -> dict:
        return {name: list(self.cleaned_data[name]) for name in self.SCOPE_FIELDS}


class MembershipForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    function = forms.ModelChoiceField(
        label=_("Represents"),
        queryset=Function.objects.none(),
        help_text=_("The function the person speaks for on this board."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=capitalised(Membership.Role.choices),
        initial=Membership.Role.MEMBER,
        help_text=_("Core members decide and count for the quorum; advisors advise."),
    )
    is_delegate = forms.BooleanField(
        label=_("The chair's delegate"),
        required=False,
        help_text=_("May run meetings, log decisions and escalate for the chair."),
    )
    started_on = forms.DateField(
        label=_("From"), required=False, widget=DATE_WIDGET, help_text=_("Today if left empty.")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "member_%s")
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = active_people()
        self.fields["function"].queryset = active_functions()


# --- Meetings ----------------------------------------------------------------------------------


class MeetingCreateForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=24 * 60
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)

    def __init__(self, *args, board: Board, **kwargs):
        kwargs.setdefault("auto_id", "meeting_%s")
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].help_text = _("Local time in %(zone)s.") % {
            "zone": board.time_zone
        }
        self.fields["duration_minutes"].initial = board.duration_minutes
        self.fields["location"].initial = board.location


class MeetingMoveForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)

    def __init__(self, *args, zone: str = "", **kwargs):
        kwargs.setdefault("auto_id", "move_%s")
        super().__init__(*args, **kwargs)
        if zone:
            self.fields["starts_at"].help_text = _(
                "Local time in %(zone)s; the meeting keeps its length."
            ) % {"zone": zone}


class MeetingNotesForm(forms.Form):
    minutes_notes = forms.CharField(
        label=_("Chair's notes for the minutes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Anything the record does not show: discussion, actions agreed."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "notes_%s")
        super().__init__(*args, **kwargs)


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Members and their calendars see this."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "cancel_%s")
        super().__init__(*args, **kwargs)


class AgendaItemForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to name it after what it is about."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=1, max_value=24 * 60, initial=10
    )
    presenter = PersonChoiceField(
        label=_("Presenter"), queryset=User.objects.none(), required=False, empty_label=_("—")
    )
    touchpoint = forms.ModelChoiceField(
        label=_("Touchpoint"), queryset=Touchpoint.objects.none(), required=False
    )
    conflict = forms.ModelChoiceField(
        label=_("Charter conflict"), queryset=Conflict.objects.none(), required=False
    )
    claim = forms.ModelChoiceField(
        label=_("Claim waiting for approval"), queryset=Claim.objects.none(), required=False
    )
    decision = forms.ModelChoiceField(
        label=_("Decision to review"), queryset=Decision.objects.none(), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, people, touchpoints, conflicts, claims, decisions, **kwargs):
        """Choices come as lists the page has already loaded: no query to render them."""
        kwargs.setdefault("auto_id", "agenda_%s")
        super().__init__(*args, **kwargs)
        self._limit("presenter", User, people, lambda p: p.display_name)
        self._limit("touchpoint", Touchpoint, touchpoints, lambda t: t.name)
        self._limit("conflict", Conflict, conflicts, _conflict_label)
        self._limit("claim", Claim, claims, _claim_label)
        self._limit("decision", Decision, decisions, lambda d: d.title)

    def _limit(self, name, model, objects, label):
        field = self.fields[name]
        field.queryset = model.objects.filter(pk__in=[o.pk for o in objects])
        field.choices = [("", _("—"))] + [(o.pk, label(o)) for o in objects]
        if not objects:
            field.widget.attrs["disabled"] = True


def _conflict_label(conflict) -> str:
    return _("%(claimant)s vs %(holder)s: %(right)s of %(touchpoint)s") % {
        "claimant": conflict.claimant_function.name,
        "holder": conflict.holder_function.name,
        "right": conflict.get_right_display(),
        "touchpoint": conflict.touchpoint.name,
    }


def _claim_label(claim) -> str:
    return _("%(function)s claims %(right)s of %(touchpoint)s") % {
        "function": claim.function.name,
        "right": claim.get_right_display(),
        "touchpoint": claim.touchpoint.name,
    }


class AttendanceForm(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.none())
    status = forms.ChoiceField(choices=Attendance.Status.choices)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(pk__in=[p.pk for p in people])


# --- Decisions ---------------------------------------------------------------------------------


class DecisionForm(GroupedChecklistMixin, forms.Form):
    """Log a decision: what, why, who carries it out by when, and the facts considered.

    With a conflict, the winner says which function the right goes to."""

    title = forms.CharField(label=_("Decision"), max_length=200)
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why: the facts and arguments that decided it."),
    )
    winner = forms.ModelChoiceField(
        label=_("The right goes to"),
        queryset=Function.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        required=False,
    )
    outcome = forms.CharField(
        label=_("What will be done"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = PersonChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No one yet"),
        help_text=_("The person who carries it out."),
    )
    owner_function = forms.ModelChoiceField(
        label=_("Owner function"),
        queryset=Function.objects.none(),
        required=False,
        empty_label=_("No function"),
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE_WIDGET)
    touchpoints = TouchpointsField(
        label=_("Touchpoints"),
        queryset=Touchpoint.objects.none(),
        required=False,
        help_text=_("The touchpoints the decision is about; the board's own come first."),
    )
    kpis = KpisField(
        label=_("KPIs considered"),
        queryset=Kpi.objects.none(),
        required=False,
        help_text=_(
            "Their latest value, target and status are kept with the decision as the facts "
            "it was taken on."
        ),
    )
    conflict = forms.ModelChoiceField(
        queryset=Conflict.objects.none(), required=False, widget=forms.HiddenInput
    )
    meeting = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args, scope: list, others: list, kpis: list, conflict: Conflict | None = None,
        with_subject: bool = True, **kwargs,
    ):  # fmt: skip
        """``scope`` and ``others``: touchpoints (in the board's scope, and the rest);
        ``kpis``: the active KPIs offered, with their touchpoint loaded."""
        kwargs.setdefault("auto_id", "decision_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_people()
        self.fields["owner_function"].queryset = active_functions()
        touchpoints = self.fields["touchpoints"]
        touchpoints.queryset = Touchpoint.objects.filter(is_archived=False)
        groups = []
        if scope:
            groups.append((_("Governed by this board"), [(t.pk, t.name) for t in scope]))
        if others:
            groups.append((_("Other touchpoints"), [(t.pk, t.name) for t in others]))
        touchpoints.choices = groups
        self.fields["kpis"].queryset = Kpi.objects.filter(pk__in=[k.pk for k in kpis])
        self.fields["kpis"].choices = group_choices(
            kpis, key=lambda k: k.touchpoint.name, label=lambda k: f"{k.name} ({k.unit})"
        )
        self.conflict = conflict
        if conflict is not None:
            self.fields["conflict"].queryset = Conflict.objects.filter(pk=conflict.pk)
            winner = self.fields["winner"]
            winner.required = True
            winner.queryset = Function.objects.filter(
                pk__in=(conflict.holder_function_id, conflict.claimant_function_id)
            )
            winner.choices = [
                (
                    conflict.holder_function_id,
                    _("%(name)s, which holds it now") % {"name": conflict.holder_function.name},
                ),
                (
                    conflict.claimant_function_id,
                    _("%(name)s, which claims it") % {"name": conflict.claimant_function.name},
                ),
            ]
        else:
            del self.fields["winner"]
            del self.fields["conflict"]
        if not with_subject:
            self.fields.pop("conflict", None)
            self.fields.pop("winner", None)
            del self.fields["meeting"]

    def service_fields(self) -> dict:
        """Keyword arguments for ``services.decision_log`` (the board, meeting and conflict
        objects are added by the view)."""
        data = self.cleaned_data
        fields = {
            "title": data["title"],
            "rationale": data["rationale"],
            "outcome": data["outcome"],
            "owner": data["owner"],
            "owner_function": data["owner_function"],
            "due_on": data["due_on"],
            "touchpoints": list(data["touchpoints"]),
            "kpis": list(data["kpis"]),
        }
        if "winner" in self.fields:
            fields["winner"] = data["winner"]
        return fields


# --- Escalations -------------------------------------------------------------------------------


class EscalationForm(forms.Form):
    to_board = forms.ModelChoiceField(
        label=_("Escalate to"), queryset=Board.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=_("Subject"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the decision's or the conflict's name."),
    )
    reason = forms.CharField(
        label=_("Why does this go to the body above?"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the board could not settle, and what it needs from above."),
    )

    def __init__(self, *args, above: list[Board], needs_title: bool, **kwargs):
        kwargs.setdefault("auto_id", "escalation_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["to_board"]
        field.queryset = Board.objects.filter(pk__in=[b.pk for b in above])
        field.choices = [
            (board.pk, _("%(name)s (next above)") % {"name": board.name} if i == 0 else board.name)
            for i, board in enumerate(above)
        ]
        if needs_title:
            self.fields["title"].required = True
            self.fields["title"].help_text = ""


class EscalationResolveForm(forms.Form):
    title = forms.CharField(
        label=_("Decision"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the escalation's subject."),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The board that raised it reads this as the answer."),
    )
    winner = forms.ModelChoiceField(
        label=_("The right goes to"),
        queryset=Function.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(
        label=_("What will be done"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = PersonChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("No one yet")
    )
    owner_function = forms.ModelChoiceField(
        label=_("Owner function"),
        queryset=Function.objects.none(),
        required=False,
        empty_label=_("No function"),
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, conflict: Conflict | None = None, **kwargs):
        kwargs.setdefault("auto_id", "resolve_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_people()
        self.fields["owner_function"].queryset = active_functions()
        if conflict is None:
            del self.fields["winner"]
            return
        winner = self.fields["winner"]
        winner.queryset = Function.objects.filter(
            pk__in=(conflict.holder_function_id, conflict.claimant_function_id)
        )
        winner.choices = [
            (
                conflict.holder_function_id,
                _("%(name)s, which holds it now") % {"name": conflict.holder_function.name},
            ),
            (
                conflict.claimant_function_id,
                _("%(name)s, which claims it") % {"name": conflict.claimant_function.name},
            ),
        ]


class EscalationReturnForm(forms.Form):
    response = forms.CharField(
        label=_("Why does it go back?"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The board that raised it reads this."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "return_%s")
        super().__init__(*args, **kwargs)
