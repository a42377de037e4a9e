"""Summits in the admin: saves and actions go through the services, with their rules and
audit events; a refusal is shown on the form and saves nothing; the record is never deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from boards.tests.factories import BoardFactory, MeetingFactory
from engagement.audit.models import AuditEvent
from engagement.org.tests.factories import UserFactory
from summits import services
from summits.models import (
    ActionItem,
    ActionItemUpdate,
    Capability,
    JourneyReview,
    Participant,
    ReviewEvidence,
    Summit,
)
from summits.tests.factories import ActionItemFactory, SummitFactory
from touchpoints.tests.factories import KpiFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def own_summit(admin_user):
    """A summit in planning the administrator chairs, so the chair's saves are theirs."""
    return SummitFactory(title="Admin's summit", chair=admin_user)


@pytest.fixture
def record(summit, summit_chair, participant, item, member, touchpoint):
    """Someone else's summit with a participant, a reviewed stage with KPI evidence, a
    capability, and an action item with a timeline."""
    kpi = KpiFactory(touchpoint=touchpoint, name="First-contact resolution")
    MeasurementFactory(kpi=kpi)
    review = services.review_add(
        actor=summit_chair, summit=summit, stage=touchpoint.stage, current_level=2,
        target_level=4, notes="Billing calls", kpis=[kpi],
    )  # fmt: skip
    capability = services.capability_add(
        actor=summit_chair, summit=summit, area=Capability.Area.DATA,
        sourcing=Capability.Sourcing.EXTERNAL, partners="Aurora Analytics", gap=4,
        owner=member,
    )  # fmt: skip
    services.action_item_start(actor=member, item=item)
    return {
        "summit": summit,
        "participant": Participant.objects.get(summit=summit),
        "journeyreview": review,
        "reviewevidence": review.evidence.get(),
        "capability": capability,
        "actionitem": item,
        "actionitemupdate": item.updates.order_by("pk").last(),
    }


MODELS = (
    "summit",
    "participant",
    "journeyreview",
    "reviewevidence",
    "capability",
    "actionitem",
    "actionitemupdate",
)
EDITABLE = ("summit", "participant", "journeyreview", "capability", "actionitem")
READ_ONLY = ("reviewevidence", "actionitemupdate")


def _management(*prefixes, **counts) -> dict:
    data = {}
    for prefix in prefixes:
        total = counts.get(prefix, 0)
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(total),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _errors(response) -> dict:
    """The main form's errors on a re-rendered admin page, by field ("__all__" above it)."""
    return response.context["adminform"].form.errors


# --- Pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_changelists_and_change_pages_render(admin_client, record, model):
    changelist = admin_client.get(reverse(f"admin:summits_{model}_changelist") + "?q=e")
    assert changelist.status_code == 200
    change = admin_client.get(reverse(f"admin:summits_{model}_change", args=[record[model].pk]))
    assert change.status_code == 200


@pytest.mark.parametrize("model", EDITABLE)
def test_add_pages_render(admin_client, model):
    assert admin_client.get(reverse(f"admin:summits_{model}_add")).status_code == 200


@pytest.mark.parametrize(
    "url, query",
    [
        ("admin:summits_actionitem_changelist", "?due=overdue"),
        ("admin:summits_actionitem_changelist", "?due=soon&status__exact=in_progress"),
        ("admin:summits_actionitem_changelist", "?due=closed&priority__exact=high"),
        ("admin:summits_actionitem_changelist", "?o=6"),  # by due date
        ("admin:summits_summit_changelist", "?status__exact=planning&o=8"),  # by items
        ("admin:summits_journeyreview_changelist", "?o=6"),  # by evidence
        ("admin:summits_actionitemupdate_changelist", "?kind__exact=started"),
    ],
)
def test_filters_and_orderings(admin_client, record, url, query):
    assert admin_client.get(reverse(url) + query).status_code == 200


def test_the_summit_list_shows_counts_and_completion(admin_client, summit):
    today = timezone.localdate()
    ActionItemFactory(summit=summit, status="done", completed_on=today)
    ActionItemFactory(summit=summit, due_on=today - timedelta(days=1))  # overdue
    ActionItemFactory(summit=summit, status="cancelled")
    page = admin_client.get(reverse("admin:summits_summit_changelist")).content.decode()
    assert '<td class="field-item_count">3</td>' in page
    assert '<td class="field-overdue_count">1</td>' in page
    assert '<td class="field-completion_rate">50 %</td>' in page  # cancelled left out
    change = admin_client.get(reverse("admin:summits_summit_change", args=[summit.pk]))
    assert "1 done on time, 0 done late, 0 open, 1 overdue, 1 cancelled" in change.content.decode()


def test_the_action_item_list_flags_overdue_items(admin_client, item):
    ActionItem.objects.filter(pk=item.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    page = admin_client.get(reverse("admin:summits_actionitem_changelist") + "?due=overdue")
    assert item.title in page.content.decode()
    assert 'alt="True"' in page.content.decode()  # the overdue column


# --- Saves through the services ----------------------------------------------------------------


def _summit_form(chair, **overrides) -> dict:
    data = {
        "title": "Customer-engagement summit 2027",
        "purpose": "Walk the journey.",
        "starts_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "ends_on": "",
        "location": "Head office",
        "chair": chair.pk,
        **_management("participants"),
    }
    data.update(overrides)
    return data


def test_a_summit_called_in_the_admin_goes_through_the_services(
    admin_client, admin_user, executive, member, function
):
    data = _summit_form(
        executive,
        **_management("participants", participants=1),
        **{
            "participants-0-person": member.pk,
            "participants-0-function": function.pk,
            "participants-0-note": "Presents the journey",
        },
    )
    response = admin_client.post(reverse("admin:summits_summit_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    summit = Summit.objects.get(title="Customer-engagement summit 2027")
    assert (summit.chair, summit.created_by, summit.status) == (executive, admin_user, "planning")
    assert summit.ends_on == summit.starts_on  # a one-day summit, as the service sets it
    assert summit.participants.get().person == member
    verbs = set(AuditEvent.objects.filter(actor=admin_user).values_list("verb", flat=True))
    assert {"summit.created", "participant.added"} <= verbs


def test_a_participant_who_does_not_work_for_the_function_is_refused_on_the_form(
    admin_client, admin_user, executive, outsider, function
):
    data = _summit_form(
        executive,
        **_management("participants", participants=1),
        **{"participants-0-person": outsider.pk, "participants-0-function": function.pk},
    )
    response = admin_client.post(reverse("admin:summits_summit_add"), data)
    assert response.status_code == 200
    assert "neither works in nor acts for Marketing" in str(_errors(response)["__all__"])
    # The service refused in the same transaction as the summit: nothing is saved.
    assert not Summit.objects.exists()
    assert not AuditEvent.objects.exists()


def _item_form(summit, owner, function, board, **overrides) -> dict:
    data = {
        "summit": summit.pk,
        "title": "Rewrite the billing scripts",
        "description": "Billing calls are resolved least often.",
        "owner": owner.pk,
        "owner_function": function.pk,
        "due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "priority": "high",
        "board": board.pk,
        "touchpoints": [],
        **_management("updates"),
    }
    data.update(overrides)
    return data


def test_an_action_item_recorded_in_the_admin_goes_through_the_service(
    admin_client, admin_user, own_summit, member, function, board, touchpoint
):
    data = _item_form(own_summit, member, function, board, touchpoints=[touchpoint.pk])
    response = admin_client.post(reverse("admin:summits_actionitem_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    item = ActionItem.objects.get()
    assert (item.owner, item.created_by, item.status) == (member, admin_user, "open")
    assert list(item.touchpoints.all()) == [touchpoint]
    assert [u.kind for u in item.updates.all()] == ["created"]
    event = AuditEvent.objects.get(verb="action_item.created")
    assert event.actor == admin_user and event.after["touchpoints"] == [touchpoint.pk]


def test_a_due_date_before_the_summit_is_refused_next_to_the_field(
    admin_client, own_summit, member, function, board
):
    before = (own_summit.starts_on - timedelta(days=1)).isoformat()
    data = _item_form(own_summit, member, function, board, due_on=before)
    response = admin_client.post(reverse("admin:summits_actionitem_add"), data)

    assert response.status_code == 200
    assert "The due date cannot be before the summit" in str(_errors(response)["due_on"])
    form = response.context["adminform"].form
    assert form["title"].value() == "Rewrite the billing scripts"  # what was typed is kept
    assert not ActionItem.objects.exists()
    assert not AuditEvent.objects.exists()


def test_only_the_chair_records_action_items_in_the_admin_too(
    admin_client, summit, member, function, board
):
    response = admin_client.post(
        reverse("admin:summits_actionitem_add"), _item_form(summit, member, function, board)
    )
    assert response.status_code == 200
    assert "Only the chair of" in str(_errors(response)["__all__"])
    assert not ActionItem.objects.exists()


def _item_change_form(item, **overrides) -> dict:
    data = {
        "title": item.title,
        "description": item.description,
        "priority": item.priority,
        "touchpoints": list(item.touchpoints.values_list("pk", flat=True)),
        "due_on": item.due_on.isoformat(),
        "owner": item.owner_id,
        "owner_function": item.owner_function_id,
        "reason": "",
        "note": "",
        **_management("updates"),
    }
    data.update(overrides)
    return data


@pytest.fixture
def own_item(admin_user, own_summit, member, function, board):
    return services.action_item_create(
        actor=admin_user, summit=own_summit, title="Rewrite the billing scripts", owner=member,
        owner_function=function, board=board, due_on=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip


def test_an_edit_and_a_replan_go_through_the_services_and_the_timeline(
    admin_client, admin_user, own_item
):
    new_due = timezone.localdate() + timedelta(days=60)
    data = _item_change_form(
        own_item, priority="critical", due_on=new_due.isoformat(), reason="Waiting for IT.",
        note="Scripts drafted.",
    )  # fmt: skip
    url = reverse("admin:summits_actionitem_change", args=[own_item.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    own_item.refresh_from_db()
    assert (own_item.priority, own_item.due_on) == ("critical", new_due)
    replanned = own_item.updates.get(kind="replanned")
    assert (replanned.note, replanned.due_after) == ("Waiting for IT.", new_due)
    assert own_item.updates.filter(kind="progress", note="Scripts drafted.").exists()
    verbs = set(AuditEvent.objects.filter(actor=admin_user).values_list("verb", flat=True))
    assert {"action_item.updated", "action_item.replanned", "action_item.progress"} <= verbs


def test_a_replan_without_a_reason_is_refused_and_nothing_changes(admin_client, own_item):
    new_due = timezone.localdate() + timedelta(days=60)
    data = _item_change_form(own_item, title="Retitled", due_on=new_due.isoformat())
    url = reverse("admin:summits_actionitem_change", args=[own_item.pk])
    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Say why the item is re-planned." in str(_errors(response)["reason"])
    own_item.refresh_from_db()
    # The edit of the title went through its service first, and was rolled back with it.
    assert own_item.title == "Rewrite the billing scripts"
    assert not AuditEvent.objects.filter(verb__in=["action_item.updated", "action_item.replanned"])


def test_an_administrator_cannot_edit_someone_elses_item(admin_client, item):
    url = reverse("admin:summits_actionitem_change", args=[item.pk])
    response = admin_client.post(url, _item_change_form(item, title="Hijacked"))
    assert response.status_code == 200
    assert "Only the leaders of Customer board" in str(_errors(response)["__all__"])
    item.refresh_from_db()
    assert item.title == "Rewrite the call-centre script"


def test_a_done_item_is_read_only(admin_client, record, member):
    item = record["actionitem"]
    services.action_item_complete(actor=member, item=item)
    page = admin_client.get(reverse("admin:summits_actionitem_change", args=[item.pk]))
    content = page.content.decode()
    assert 'name="title"' not in content and 'name="reason"' not in content


def test_a_review_added_in_the_admin_captures_the_evidence(
    admin_client, admin_user, own_summit, touchpoint
):
    kpi = KpiFactory(touchpoint=touchpoint, name="Conversion rate")
    MeasurementFactory(kpi=kpi)
    data = {
        "summit": own_summit.pk,
        "stage": touchpoint.stage_id,
        "current_level": "2",
        "target_level": "4",
        "notes": "Checkout converts below target.",
        "kpis": [kpi.pk],
        **_management("evidence"),
    }
    response = admin_client.post(reverse("admin:summits_journeyreview_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    review = JourneyReview.objects.get()
    evidence = review.evidence.get()
    assert (evidence.kpi, evidence.value) == (kpi, 85)
    assert AuditEvent.objects.filter(verb="review.added", actor=admin_user).exists()


def test_a_capability_without_its_partner_is_refused_on_the_field(admin_client, own_summit, member):
    data = {
        "summit": own_summit.pk,
        "area": "data",
        "sourcing": "external",
        "partners": "",
        "gap": "4",
        "owner": member.pk,
        "notes": "",
    }
    response = admin_client.post(reverse("admin:summits_capability_add"), data)
    assert response.status_code == 200
    assert "Name the external partner(s)." in str(_errors(response)["partners"])
    assert not Capability.objects.exists()

    data["partners"] = "Aurora Analytics,  Quanta Cloud "
    response = admin_client.post(reverse("admin:summits_capability_add"), data)
    assert response.status_code == 302
    assert Capability.objects.get().partner_names == ["Aurora Analytics", "Quanta Cloud"]


def test_a_closed_summit_is_read_only(admin_client, own_summit, admin_user):
    services.summit_hold(actor=admin_user, summit=own_summit)
    services.summit_close(actor=admin_user, summit=own_summit)
    page = admin_client.get(reverse("admin:summits_summit_change", args=[own_summit.pk]))
    content = page.content.decode()
    assert 'name="title"' not in content
    assert "participants-empty" not in content  # no new participants


# --- Nothing is deleted; the record is read-only -----------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_governance_records_are_not_deleted(admin_client, record, model):
    url = reverse(f"admin:summits_{model}_delete", args=[record[model].pk])
    assert admin_client.get(url).status_code == 403
    changelist = admin_client.get(reverse(f"admin:summits_{model}_changelist")).content.decode()
    assert "delete_selected" not in changelist


@pytest.mark.parametrize("model", READ_ONLY)
def test_the_timeline_and_the_evidence_are_read_only(admin_client, record, model):
    assert admin_client.get(reverse(f"admin:summits_{model}_add")).status_code == 403
    change = admin_client.get(reverse(f"admin:summits_{model}_change", args=[record[model].pk]))
    assert 'name="_save"' not in change.content.decode()


def test_the_item_page_shows_its_timeline(admin_client, record):
    item = record["actionitem"]
    page = admin_client.get(reverse("admin:summits_actionitem_change", args=[item.pk]))
    content = page.content.decode()
    assert "started" in content and "created" in content
    assert ActionItemUpdate.objects.filter(item=item).count() == 2


# --- Actions -----------------------------------------------------------------------------------


def _act(client, model, action, pks):
    return client.post(
        reverse(f"admin:summits_{model}_changelist"),
        {"action": action, "_selected_action": pks},
        follow=True,
    )


def test_the_chair_cancels_items_and_others_are_refused_row_by_row(
    admin_client, admin_user, own_item, item
):
    response = _act(admin_client, "actionitem", "cancel_selected", [own_item.pk, item.pk])
    messages = _messages(response)
    assert "1 action item(s) cancelled." in messages
    assert any(m.startswith(f"{item}: Only the leaders of") for m in messages), messages
    own_item.refresh_from_db()
    item.refresh_from_db()
    assert (own_item.status, item.status) == ("cancelled", "open")
    cancelled = own_item.updates.get(kind="cancelled")
    assert cancelled.note.startswith("Cancelled in the admin by")
    assert AuditEvent.objects.filter(verb="action_item.cancelled", actor=admin_user).exists()


def test_an_administrator_puts_items_on_the_next_meeting_of_their_board(
    admin_client, admin_user, item, board, member, function, own_summit
):
    meeting = MeetingFactory(board=board)
    no_meetings = BoardFactory(name="Quiet board")
    stranded = ActionItemFactory(summit=own_summit, board=no_meetings)
    response = _act(admin_client, "actionitem", "put_on_next_agenda", [item.pk, stranded.pk])
    messages = _messages(response)
    assert "1 action item(s) put on an agenda." in messages
    assert f"{stranded}: Quiet board has no upcoming meeting." in messages
    assert item.agenda_items.get().meeting == meeting
    assert item.updates.filter(kind="agenda", meeting=meeting).exists()
    assert AuditEvent.objects.filter(verb="action_item.on_agenda", actor=admin_user).exists()


def test_the_admin_offers_no_start_or_complete(admin_client, record):
    page = admin_client.get(reverse("admin:summits_actionitem_changelist")).content.decode()
    assert 'value="cancel_selected"' in page and 'value="put_on_next_agenda"' in page
    # Starting and completing are the owner's: an administrator is not offered them.
    assert "start_selected" not in page and "complete_selected" not in page


def test_summits_are_held_and_closed_through_the_services(
    admin_client, admin_user, own_summit, summit
):
    response = _act(admin_client, "summit", "hold_selected", [own_summit.pk, summit.pk])
    messages = _messages(response)
    assert "1 summit(s) marked held." in messages
    assert f"{summit}: Only the chair of {summit} can mark it held." in messages

    response = _act(admin_client, "summit", "close_selected", [own_summit.pk])
    assert "1 summit(s) closed." in _messages(response)
    own_summit.refresh_from_db()
    summit.refresh_from_db()
    assert (own_summit.status, summit.status) == ("closed", "planning")
    verbs = set(AuditEvent.objects.filter(actor=admin_user).values_list("verb", flat=True))
    assert {"summit.held", "summit.closed"} <= verbs


def test_a_future_summit_cannot_be_marked_held(admin_client, admin_user):
    future = SummitFactory(
        chair=admin_user, starts_on=timezone.localdate() + timedelta(days=3),
        ends_on=timezone.localdate() + timedelta(days=4),
    )  # fmt: skip
    response = _act(admin_client, "summit", "hold_selected", [future.pk])
    assert any("it cannot be held before then" in m for m in _messages(response))
    future.refresh_from_db()
    assert future.status == "planning"


# --- Query budget ------------------------------------------------------------------------------


def _action_items(n: int) -> None:
    """``n`` items, each of its own summit, owner, function and board."""
    for i in range(n):
        ActionItemFactory(title=f"Item {i}", summit=SummitFactory(chair=UserFactory()))


def test_the_action_item_list_runs_the_same_queries_at_3_and_30_rows(admin_client):
    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(reverse("admin:summits_actionitem_changelist"))
        assert response.status_code == 200
        return len(queries), response.content.decode().count('class="action-select"')

    _action_items(3)
    few, rows = count()
    assert rows == 3
    _action_items(27)
    many, rows = count()
    assert rows == 30
    assert many == few


def test_the_summit_list_runs_the_same_queries_at_3_and_30_rows(admin_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(reverse("admin:summits_summit_changelist"))
        return len(queries)

    for _ in range(3):
        ActionItemFactory()
    few = count()
    for _ in range(27):
        ActionItemFactory()
    assert count() == few
    assert Summit.objects.count() == 30


def test_the_evidence_list_reads_its_rows_in_one_go(admin_client, record):
    """The review's name (its stage or touchpoint) is selected with the rows."""
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(reverse("admin:summits_reviewevidence_changelist"))
    one = len(queries)
    review = record["journeyreview"]
    for i in range(5):
        kpi = KpiFactory(touchpoint=review.stage.touchpoints.first(), name=f"KPI {i}")
        ReviewEvidence.objects.create(review=review, kpi=kpi, value=1)
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(reverse("admin:summits_reviewevidence_changelist"))
    assert len(queries) == one
