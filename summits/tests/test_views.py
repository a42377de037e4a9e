"""The summit pages: what people see, what their forms do (and refuse, changing nothing), the
filtered lists and their CSV export, the panels on the boards' and touchpoints' pages, and
where a person lands after signing in."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.models import Decision
from boards.tests.factories import MeetingFactory
from engagement.audit.models import AuditEvent
from engagement.org.tests.factories import UserFactory
from summits import services
from summits.models import (
    ActionItem,
    ActionItemUpdate,
    Capability,
    JourneyReview,
    Participant,
    Summit,
)
from summits.tests.factories import ActionItemFactory, SummitFactory
from touchpoints.tests.factories import KpiFactory, MeasurementFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _today():
    return timezone.localdate()


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _page(client, url, status=200, **extra):
    response = client.get(url, **extra)
    assert response.status_code == status, _body(response)[:3000]
    return _body(response)


def _post(client, url, data=None, status=302, **extra):
    response = client.post(url, data or {}, **extra)
    assert response.status_code == status, response.content.decode()[:3000]
    return response


def _audit_count():
    return AuditEvent.objects.count()


def _url(name, pk=None):
    return reverse(f"summits:{name}", kwargs={"pk": pk} if pk is not None else None)


@pytest.fixture
def review(summit, summit_chair, touchpoint):
    return services.review_add(
        actor=summit_chair, summit=summit, touchpoint=touchpoint, current_level=2,
        target_level=4, notes="Callers wait too long.",
    )  # fmt: skip


@pytest.fixture
def capability(summit, summit_chair):
    return services.capability_add(
        actor=summit_chair, summit=summit, area=Capability.Area.DATA, sourcing="external",
        partners="Acme Analytics", gap=3, owner=summit_chair,
    )  # fmt: skip


@pytest.fixture
def pages(summit, item, review, capability):
    return [
        _url("summit_list"),
        _url("summit_create"),
        _url("summit_detail", summit.pk),
        _url("summit_edit", summit.pk),
        _url("review_create", summit.pk),
        _url("review_edit", review.pk),
        _url("capability_create", summit.pk),
        _url("capability_edit", capability.pk),
        _url("action_item_create", summit.pk),
        _url("action_item_list"),
        _url("action_item_export"),
        _url("my_actions"),
        _url("action_item_detail", item.pk),
        _url("action_item_edit", item.pk),
    ]


# --- Every page --------------------------------------------------------------------------------


def test_every_page_renders_for_the_summit_chair(client, summit_chair, executive, pages):
    client.force_login(summit_chair)
    create = _url("summit_create")
    for url in pages:
        _page(client, url, status=403 if url == create else 200)
    client.force_login(executive)
    _page(client, create)


def test_read_pages_render_for_a_member_and_forms_say_why_not(client, outsider, pages):
    """Reading is open to everyone signed in; a form the person may not use is a 403 page
    that says who may."""
    client.force_login(outsider)
    for url in pages:
        status = 403 if any(part in url for part in ("/new/", "/edit/")) else 200
        page = _page(client, url, status=status)
        if status == 403:
            assert "notice--error" in page


def test_anonymous_visitors_are_sent_to_sign_in(client, pages):
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "name",
    [
        "summit_detail", "summit_edit", "review_create", "review_edit", "capability_create",
        "capability_edit", "action_item_create", "action_item_detail", "action_item_edit",
    ],
)  # fmt: skip
def test_objects_that_do_not_exist_are_404(client, member, name):
    client.force_login(member)
    assert client.get(_url(name, 999999)).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "summit_hold", "summit_close", "participant_add", "participant_remove", "review_remove",
        "capability_remove", "action_item_start", "action_item_complete", "action_item_cancel",
        "action_item_replan", "action_item_progress", "action_item_decide",
        "action_item_agenda",
    ],
)  # fmt: skip
def test_buttons_on_objects_that_do_not_exist_are_404(client, member, name):
    client.force_login(member)
    assert client.post(_url(name, 999999)).status_code == 404


# --- The summit list ---------------------------------------------------------------------------


def test_summit_list_shows_each_summit_with_its_completion(client, executive, summit, item):
    last_year = SummitFactory(
        title="Summit 2025", starts_on=summit.starts_on - timedelta(days=365),
        status=Summit.Status.CLOSED,
    )  # fmt: skip
    ActionItemFactory(
        summit=last_year, status="done", due_on=last_year.starts_on + timedelta(days=30),
        completed_on=last_year.starts_on + timedelta(days=40),
    )  # fmt: skip
    client.force_login(executive)
    page = _page(client, _url("summit_list"))
    assert "Engagement summit 2026" in page and "Summit 2025" in page
    assert "Sam Summit" in page
    assert "0 on time · 1 late · 0 open · 0 overdue" in page
    assert "100% done" in page
    assert _url("summit_create") in page  # executives call summits


def test_summit_list_filters_and_hides_the_button_from_members(client, member, summit):
    SummitFactory(title="Partner day")
    client.force_login(member)
    response = client.get(_url("summit_list") + "?q=partner", **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and "Partner day" in page and "Engagement summit" not in page
    assert "1 summit found" in page  # the live region's text
    assert _url("summit_create") not in _page(client, _url("summit_list"))


def test_summit_list_invalid_filter_is_a_400_with_the_error(client, member, summit):
    client.force_login(member)
    response = client.get(_url("summit_list") + "?status=someday")
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


# --- The summit page ---------------------------------------------------------------------------


def test_summit_page_shows_the_record(
    client, member, summit, participant, item, review, capability, touchpoint, function
):
    from charter import services as charter_services

    charter_services.right_assign(
        actor=UserFactory(is_staff=True), touchpoint=touchpoint, right="design", function=function
    )
    services.action_item_progress(actor=member, item=item, note="Script drafted")
    client.force_login(member)
    page = _page(client, _url("summit_detail", summit.pk))
    # participants by function, and the function with rights but nobody at the summit
    assert "Pat Participant" in page and "Operations" in page
    assert "Functions not represented:" in page and "Marketing" in page
    # the journey gap per stage, as numbers and as a bar
    assert "Gap per stage, largest first" in page and "+2.0" in page
    assert 'class="gap-bar"' in page
    assert "Callers wait too long." in page
    # the capability plan: the five areas, planned or not
    assert "Acme Analytics" in page and page.count("Not planned yet") == 4
    # the action items with their latest update and the completion figures
    assert "Rewrite the call-centre script" in page and "Script drafted" in page
    assert "Done on time" in page
    # a member sees no controls
    assert _url("action_item_create", summit.pk) not in page
    assert _url("participant_add", summit.pk) not in page
    assert _url("summit_hold", summit.pk) not in page


def test_summit_page_opens_with_the_previous_summits_results(client, member, summit):
    previous = SummitFactory(
        title="Summit 2025", starts_on=summit.starts_on - timedelta(days=365),
        status=Summit.Status.CLOSED,
    )  # fmt: skip
    ActionItemFactory(
        summit=previous, status="done", due_on=previous.starts_on + timedelta(days=30),
        completed_on=previous.starts_on + timedelta(days=20),
    )  # fmt: skip
    ActionItemFactory(summit=previous, due_on=previous.starts_on + timedelta(days=30))
    client.force_login(member)
    page = _page(client, _url("summit_detail", summit.pk))
    assert "Previous summit's results" in page
    assert previous.get_absolute_url() in page
    assert "50%" in page  # one done of two committed
    # the oldest has no previous summit
    assert "Previous summit's results" not in _page(client, _url("summit_detail", previous.pk))


def test_summit_page_shows_the_chairs_controls(client, summit_chair, summit):
    client.force_login(summit_chair)
    page = _page(client, _url("summit_detail", summit.pk))
    for name in (
        "action_item_create",
        "summit_hold",
        "summit_edit",
        "participant_add",
        "review_create",
    ):
        assert _url(name, summit.pk) in page
    assert _url("summit_close", summit.pk) not in page  # not held yet


# --- Set-up ------------------------------------------------------------------------------------


def _summit_data(chair, **overrides):
    data = {
        "title": "Autumn summit",
        "purpose": "Walk the journey",
        "starts_on": (_today() + timedelta(days=10)).isoformat(),
        "ends_on": (_today() + timedelta(days=11)).isoformat(),
        "location": "Lyon",
        "chair": chair.pk,
    }
    data.update(overrides)
    return data


def test_an_executive_calls_a_summit(client, executive, summit_chair):
    client.force_login(executive)
    response = _post(client, _url("summit_create"), _summit_data(summit_chair))
    summit = Summit.objects.get(title="Autumn summit")
    assert response["Location"] == summit.get_absolute_url()
    assert summit.chair == summit_chair and summit.location == "Lyon"
    assert summit.status == Summit.Status.PLANNING


def test_only_executives_call_summits(client, member, summit_chair):
    client.force_login(member)
    before = Summit.objects.count()
    response = client.post(_url("summit_create"), _summit_data(summit_chair))
    assert response.status_code == 403
    assert "Only executives and administrators can call a summit." in response.content.decode()
    assert Summit.objects.count() == before


def test_summit_form_keeps_what_was_typed_on_a_refusal(client, executive, summit_chair):
    client.force_login(executive)
    data = _summit_data(summit_chair, ends_on=(_today() - timedelta(days=30)).isoformat())
    response = client.post(_url("summit_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot end before it starts" in page
    assert 'value="Lyon"' in page and 'value="Autumn summit"' in page
    assert not Summit.objects.filter(title="Autumn summit").exists()


def test_the_chair_edits_the_summit_but_not_who_chairs_it(client, summit_chair, summit):
    client.force_login(summit_chair)
    url = _url("summit_edit", summit.pk)
    response = client.get(url)
    assert "chair" not in response.context["form"].fields
    data = _summit_data(summit_chair, starts_on=summit.starts_on.isoformat(), title="Renamed")
    del data["chair"]
    _post(client, url, data)
    summit.refresh_from_db()
    assert summit.title == "Renamed" and summit.location == "Lyon"
    assert summit.chair == summit_chair


def test_the_chair_marks_the_summit_held_then_closes_it(client, summit_chair, summit):
    client.force_login(summit_chair)
    _post(client, _url("summit_hold", summit.pk))
    summit.refresh_from_db()
    assert summit.status == Summit.Status.HELD
    assert _url("summit_close", summit.pk) in _page(client, _url("summit_detail", summit.pk))
    _post(client, _url("summit_close", summit.pk))
    summit.refresh_from_db()
    assert summit.status == Summit.Status.CLOSED
    page = _page(client, _url("summit_detail", summit.pk))
    assert "This summit is closed" in page
    assert _url("review_create", summit.pk) not in page
    # closing twice is a clash, shown on the page
    response = client.post(_url("summit_close", summit.pk))
    assert response.status_code == 409
    assert "already closed" in response.content.decode()


def test_a_member_cannot_mark_the_summit_held(client, member, summit):
    client.force_login(member)
    before = _audit_count()
    response = client.post(_url("summit_hold", summit.pk))
    assert response.status_code == 403
    assert "can mark it held" in response.content.decode()
    summit.refresh_from_db()
    assert summit.status == Summit.Status.PLANNING and _audit_count() == before


# --- Participants ------------------------------------------------------------------------------


def test_the_chair_invites_a_participant_with_htmx(client, summit_chair, summit, member, function):
    client.force_login(summit_chair)
    response = _post(
        client, _url("participant_add", summit.pk),
        {"person": member.pk, "function": function.pk, "note": "Presents the buy stage"},
        status=200, **HTMX,
    )  # fmt: skip
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="section" id="participants"')
    assert "<html" not in page and member.display_name in page
    assert 'hx-swap-oob="innerHTML:#participants-status">1 participant' in page
    assert Participant.objects.filter(summit=summit, person=member, function=function).exists()


def test_inviting_someone_for_a_function_they_do_not_work_for_is_refused(
    client, summit_chair, summit, member, other_function
):
    client.force_login(summit_chair)
    response = client.post(
        _url("participant_add", summit.pk),
        {"person": member.pk, "function": other_function.pk, "note": "Speaks for ops"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "neither works in nor acts for Operations" in page
    assert 'value="Speaks for ops"' in page
    assert not Participant.objects.filter(person=member).exists()


def test_the_chair_removes_a_participant(client, summit_chair, summit, participant):
    client.force_login(summit_chair)
    row = Participant.objects.get(person=participant)
    response = _post(client, _url("participant_remove", row.pk))
    assert response["Location"].endswith("#participants")
    assert not Participant.objects.filter(pk=row.pk).exists()


def test_a_member_cannot_remove_participants(client, member, participant):
    row = Participant.objects.get(person=participant)
    client.force_login(member)
    response = client.post(_url("participant_remove", row.pk), **HTMX)
    assert response.status_code == 403
    assert response["HX-Form-Fragment"] == "1"
    assert "can change participants" in response.content.decode()
    assert Participant.objects.filter(pk=row.pk).exists()


def test_a_member_cannot_invite_participants_and_is_told_why(client, member, summit, function):
    client.force_login(member)
    response = client.post(
        _url("participant_add", summit.pk), {"person": member.pk, "function": function.pk}
    )
    assert response.status_code == 403
    assert "can invite participants" in response.content.decode()
    assert not Participant.objects.filter(person=member).exists()


# --- The journey review and the capability plan ------------------------------------------------


def test_a_participant_reviews_a_touchpoint_with_its_kpis_as_evidence(
    client, participant, summit, touchpoint
):
    kpi = KpiFactory(touchpoint=touchpoint, name="First-call resolution")
    MeasurementFactory(kpi=kpi, value="64")
    client.force_login(participant)
    response = _post(
        client, _url("review_create", summit.pk),
        {"touchpoint": touchpoint.pk, "current_level": "2", "target_level": "5",
         "notes": "Too many transfers", "kpis": [kpi.pk]},
    )  # fmt: skip
    assert response["Location"].endswith("#journey")
    review = JourneyReview.objects.get(summit=summit, touchpoint=touchpoint)
    assert (review.current_level, review.target_level) == (2, 5)
    evidence = review.evidence.get()
    assert evidence.kpi == kpi and evidence.value == 64 and evidence.kpi_status == "off_target"
    page = _page(client, _url("summit_detail", summit.pk))
    assert "First-call resolution" in page and "Off target" in page


def test_a_review_of_both_a_stage_and_a_touchpoint_is_refused(
    client, participant, summit, touchpoint
):
    client.force_login(participant)
    response = client.post(
        _url("review_create", summit.pk),
        {"stage": touchpoint.stage_id, "touchpoint": touchpoint.pk, "current_level": "2",
         "target_level": "4", "notes": "Keep me"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "Review either a journey stage or a touchpoint." in page
    assert "Keep me" in page
    assert not JourneyReview.objects.exists()


def test_an_outsider_cannot_review(client, outsider, summit, touchpoint):
    client.force_login(outsider)
    response = client.post(
        _url("review_create", summit.pk),
        {"touchpoint": touchpoint.pk, "current_level": "2", "target_level": "4"},
    )
    assert response.status_code == 403
    assert "Only the chair and the participants" in response.content.decode()
    assert not JourneyReview.objects.exists()


def test_review_edit_and_remove(client, summit_chair, review, summit):
    client.force_login(summit_chair)
    _post(
        client, _url("review_edit", review.pk),
        {"current_level": "3", "target_level": "4", "notes": "Better"},
    )  # fmt: skip
    review.refresh_from_db()
    assert review.current_level == 3 and review.notes == "Better"
    _post(client, _url("review_remove", review.pk))
    assert not JourneyReview.objects.filter(pk=review.pk).exists()


def test_a_closed_summits_review_cannot_change(client, summit_chair, summit, review):
    Summit.objects.filter(pk=summit.pk).update(status=Summit.Status.CLOSED)
    client.force_login(summit_chair)
    for name, pk in (
        ("review_edit", review.pk),
        ("summit_edit", summit.pk),
        ("action_item_create", summit.pk),
        ("capability_create", summit.pk),
    ):
        assert client.get(_url(name, pk)).status_code == 409, name
    response = client.post(_url("review_remove", review.pk))
    assert response.status_code == 409
    assert "is closed" in response.content.decode()
    assert JourneyReview.objects.filter(pk=review.pk).exists()


def test_capability_plan_add_edit_remove(client, summit_chair, summit):
    client.force_login(summit_chair)
    url = _url("capability_create", summit.pk)
    assert 'value="brand" selected' in _page(client, url + "?area=brand")
    _post(
        client, url,
        {"area": "brand", "sourcing": "internal", "gap": "2", "owner": summit_chair.pk},
    )  # fmt: skip
    capability = Capability.objects.get(summit=summit, area="brand")
    response = client.post(
        _url("capability_edit", capability.pk),
        {"sourcing": "internal", "partners": "Agency X", "gap": "2", "owner": summit_chair.pk},
    )
    assert response.status_code == 400
    assert "An internally sourced capability has no partners" in response.content.decode()
    assert 'value="Agency X"' in response.content.decode()
    _post(
        client, _url("capability_edit", capability.pk),
        {"sourcing": "mixed", "partners": "Agency X", "gap": "4", "owner": summit_chair.pk},
    )  # fmt: skip
    capability.refresh_from_db()
    assert capability.sourcing == "mixed" and capability.gap == 4
    _post(client, _url("capability_remove", capability.pk))
    assert not Capability.objects.filter(pk=capability.pk).exists()


# --- Recording action items --------------------------------------------------------------------


def _item_data(member, function, board, touchpoint, **overrides):
    data = {
        "title": "Shorten the IVR",
        "description": "Two levels at most",
        "owner": member.pk,
        "owner_function": function.pk,
        "due_on": (_today() + timedelta(days=45)).isoformat(),
        "priority": "high",
        "board": board.pk,
        "touchpoints": [touchpoint.pk],
    }
    data.update(overrides)
    return data


def test_the_chair_records_an_action_item(
    client, summit_chair, summit, member, function, board, touchpoint
):
    client.force_login(summit_chair)
    response = _post(
        client, _url("action_item_create", summit.pk),
        _item_data(member, function, board, touchpoint),
    )  # fmt: skip
    assert response["Location"].endswith("#actions")
    item = ActionItem.objects.get(title="Shorten the IVR")
    assert item.owner == member and item.board == board and item.priority == "high"
    assert list(item.touchpoints.all()) == [touchpoint]
    assert item.updates.get().kind == ActionItemUpdate.Kind.CREATED


def test_a_due_date_before_the_summit_is_refused_on_its_field(
    client, summit_chair, summit, member, function, board, touchpoint
):
    client.force_login(summit_chair)
    before = _audit_count()
    early = (summit.starts_on - timedelta(days=3)).isoformat()
    response = client.post(
        _url("action_item_create", summit.pk),
        _item_data(member, function, board, touchpoint, due_on=early),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "cannot be before the summit" in " ".join(form.errors["due_on"])
    page = response.content.decode()
    assert 'id="item_due_on_error"' in page and "There is a problem" in page
    assert 'value="Shorten the IVR"' in page and f'value="{early}"' in page
    assert not ActionItem.objects.filter(title="Shorten the IVR").exists()
    assert _audit_count() == before


def test_an_owner_outside_the_organisation_is_refused(
    client, summit_chair, summit, function, board, touchpoint
):
    gone = UserFactory(first_name="Gone", last_name="Away", function=function, is_active=False)
    client.force_login(summit_chair)
    response = client.post(
        _url("action_item_create", summit.pk), _item_data(gone, function, board, touchpoint)
    )
    # an inactive person is not offered, so the form refuses the choice itself
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    assert not ActionItem.objects.filter(title="Shorten the IVR").exists()


def test_only_the_chair_records_action_items(
    client, participant, summit, member, function, board, touchpoint
):
    client.force_login(participant)
    response = client.post(
        _url("action_item_create", summit.pk), _item_data(member, function, board, touchpoint)
    )
    assert response.status_code == 403
    assert "can record its action items" in response.content.decode()
    assert not ActionItem.objects.filter(title="Shorten the IVR").exists()


def test_the_board_chair_edits_an_item(client, chair, item, other_function):
    client.force_login(chair)
    _post(
        client, _url("action_item_edit", item.pk),
        {"title": "Rewrite the script", "description": "Plain words", "priority": "critical"},
    )  # fmt: skip
    item.refresh_from_db()
    assert item.title == "Rewrite the script" and item.priority == "critical"
    assert item.touchpoints.count() == 0


# --- The action item and its buttons -----------------------------------------------------------


def test_action_item_page_shows_the_facts_timeline_and_the_owners_buttons(client, member, item):
    client.force_login(member)
    page = _page(client, _url("action_item_detail", item.pk))
    assert "Rewrite the call-centre script" in page and "Customer board" in page
    assert "Call-centre script" in page  # the linked touchpoint
    assert "Timeline" in page and "Created" in page
    assert _url("action_item_start", item.pk) in page
    assert _url("action_item_progress", item.pk) in page
    assert _url("action_item_complete", item.pk) not in page  # not started yet
    assert _url("action_item_replan", item.pk) not in page  # the owner does not steer
    assert _url("action_item_decide", item.pk) not in page


def test_the_owner_starts_reports_and_completes(client, member, item):
    client.force_login(member)
    _post(client, _url("action_item_start", item.pk), {"note": "On it"})
    _post(client, _url("action_item_progress", item.pk), {"note": "Half the script rewritten"})
    _post(client, _url("action_item_complete", item.pk), {"note": "Live"})
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE and item.completed_on == _today()
    page = _page(client, _url("action_item_detail", item.pk))
    assert "Half the script rewritten" in page
    # status before → after, in words
    assert '<span class="changes__before">in progress</span>' in page


def test_completing_someone_elses_item_is_refused_with_the_reason(client, participant, item):
    services.action_item_start(actor=item.owner, item=item)
    client.force_login(participant)
    before = _audit_count()
    response = client.post(_url("action_item_complete", item.pk), {"note": "Done by me"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "can complete this item" in page and "Nothing was changed." in page
    item.refresh_from_db()
    assert item.status == ActionItem.Status.IN_PROGRESS and _audit_count() == before


def test_completing_an_open_item_skips_the_lifecycle_and_is_a_409(client, member, item):
    client.force_login(member)
    before = ActionItemUpdate.objects.count()
    response = client.post(_url("action_item_complete", item.pk), {"note": "Done"})
    assert response.status_code == 409
    assert "start it before completing it" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN
    assert ActionItemUpdate.objects.count() == before


def test_a_progress_note_is_required(client, member, item):
    client.force_login(member)
    response = client.post(_url("action_item_progress", item.pk), {"note": ""})
    assert response.status_code == 400
    assert 'id="progress_note_error"' in response.content.decode()


def test_the_board_chair_replans_and_the_timeline_keeps_the_old_plan(client, chair, item):
    client.force_login(chair)
    new_due = _today() + timedelta(days=90)
    _post(
        client, _url("action_item_replan", item.pk),
        {"reason": "Vendor late", "due_on": new_due.isoformat()},
    )  # fmt: skip
    item.refresh_from_db()
    assert item.due_on == new_due
    update = item.updates.get(kind=ActionItemUpdate.Kind.REPLANNED)
    assert update.due_after == new_due and update.note == "Vendor late"


def test_a_replan_before_the_summit_keeps_what_was_typed(client, chair, item, summit):
    client.force_login(chair)
    early = (summit.starts_on - timedelta(days=1)).isoformat()
    response = client.post(
        _url("action_item_replan", item.pk), {"reason": "Sooner", "due_on": early}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="replan_due_on_error"' in page and "cannot be before the summit" in page
    assert "Sooner" in page


def test_the_summit_chair_cancels(client, summit_chair, item):
    client.force_login(summit_chair)
    _post(client, _url("action_item_cancel", item.pk), {"reason": "Superseded by the new IVR"})
    item.refresh_from_db()
    assert item.status == ActionItem.Status.CANCELLED


def test_the_board_decides_to_close_it_in_a_meeting(client, chair, member, item, board):
    services.action_item_start(actor=member, item=item)
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    meeting = MeetingFactory(board=board, starts_at=start, ends_at=start + timedelta(hours=1))
    client.force_login(chair)
    page = _page(client, _url("action_item_detail", item.pk) + f"?meeting={meeting.pk}")
    assert f'<option value="{meeting.pk}" selected>' in page
    _post(
        client, _url("action_item_decide", item.pk),
        {"outcome": "complete", "rationale": "Checked live", "meeting": meeting.pk},
    )  # fmt: skip
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    decision = Decision.objects.get(board=board, meeting=meeting)
    assert item.updates.get(kind="completed").decision == decision
    assert decision.get_absolute_url() in _page(client, _url("action_item_detail", item.pk))
    # the decision's page says which item it closed
    page = _page(client, decision.get_absolute_url())
    assert "Summit action items decided" in page and item.get_absolute_url() in page


def test_a_member_cannot_decide_for_the_board(client, member, item):
    client.force_login(member)
    response = client.post(
        _url("action_item_decide", item.pk), {"outcome": "cancel", "rationale": "No"}
    )
    assert response.status_code == 403
    assert "can decide on this item" in response.content.decode()
    assert not Decision.objects.exists()
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_putting_an_item_on_the_agenda_from_the_board_page(client, chair, item, board):
    meeting = MeetingFactory(board=board)
    client.force_login(chair)
    board_url = board.get_absolute_url()
    page = _page(client, board_url)
    assert "Summit action items followed by this board" in page
    assert "Put on the next meeting's agenda" in page
    response = _post(
        client, _url("action_item_agenda", item.pk),
        {"meeting": meeting.pk, "next": board_url + "#summit-actions"},
    )  # fmt: skip
    assert response["Location"] == board_url + "#summit-actions"
    assert item.agenda_items.get().meeting == meeting
    assert "On its agenda" in _page(client, board_url)
    # a second time is a clash, said in words on the item's page
    response = client.post(_url("action_item_agenda", item.pk), {"meeting": meeting.pk})
    assert response.status_code == 409
    assert "already on that meeting" in response.content.decode()
    assert item.agenda_items.count() == 1


def test_a_meeting_far_ahead_takes_the_item_from_its_own_page(client, chair, item, board):
    """The item's page offers the next few meetings; a meeting's page offers itself, however
    far ahead it is."""
    start = timezone.now().replace(microsecond=0)
    meetings = [
        MeetingFactory(board=board, starts_at=start + timedelta(days=7 * (i + 1))) for i in range(8)
    ]
    far = meetings[-1]
    client.force_login(chair)
    _post(
        client, _url("action_item_agenda", item.pk),
        {"meeting": far.pk, "next": far.get_absolute_url()},
    )  # fmt: skip
    assert item.agenda_items.get().meeting == far


def test_an_unsafe_next_address_is_ignored(client, chair, item, board):
    meeting = MeetingFactory(board=board)
    client.force_login(chair)
    response = _post(
        client, _url("action_item_agenda", item.pk),
        {"meeting": meeting.pk, "next": "https://evil.example/"},
    )  # fmt: skip
    assert response["Location"] == item.get_absolute_url()


# --- Panels ------------------------------------------------------------------------------------


def test_board_panel_hides_the_agenda_button_from_members(client, member, item, board):
    MeetingFactory(board=board)
    client.force_login(member)
    page = _page(client, board.get_absolute_url())
    assert "Rewrite the call-centre script" in page
    assert "Put on the next meeting" not in page


def test_meeting_panel_shows_the_agenda_and_the_backlog(client, chair, item, board, summit):
    meeting = MeetingFactory(board=board)
    other = services.action_item_create(
        actor=summit.chair, summit=summit, title="Train the agents", owner=item.owner,
        owner_function=item.owner_function, board=board, due_on=_today() + timedelta(days=20),
    )  # fmt: skip
    services.action_item_put_on_agenda(actor=chair, item=item, meeting=meeting)
    client.force_login(chair)
    page = _page(client, meeting.get_absolute_url())
    assert "On this meeting's agenda" in page
    agenda_part, backlog_part = page.split("not yet on the agenda")
    assert "Rewrite the call-centre script" in agenda_part
    assert "Train the agents" in backlog_part and "Add to the agenda" in backlog_part
    assert f"{other.get_absolute_url()}?meeting={meeting.pk}#decide" in page


def test_touchpoint_panel_lists_the_open_items(client, member, item, touchpoint):
    client.force_login(member)
    page = _page(client, touchpoint.get_absolute_url())
    assert "Open summit action items" in page and "Rewrite the call-centre script" in page
    ActionItem.objects.filter(pk=item.pk).update(status="cancelled")
    assert "No open action item changes this touchpoint." in _page(
        client, touchpoint.get_absolute_url()
    )


# --- The lists and the export ------------------------------------------------------------------


@pytest.fixture
def overdue_item(summit, board, other_function):
    item = ActionItemFactory(
        summit=summit, board=board, owner_function=other_function, title="Fix the web form"
    )
    ActionItem.objects.filter(pk=item.pk).update(due_on=_today() - timedelta(days=3))
    return item


def test_action_item_list_filters_with_htmx(client, member, item, overdue_item):
    client.force_login(member)
    page = _page(client, _url("action_item_list"))
    assert "Rewrite the call-centre script" in page and "Fix the web form" in page
    response = client.get(_url("action_item_list") + "?overdue=true", **HTMX)
    page = response.content.decode()
    assert "<html" not in page and 'id="action-results"' in page
    assert "Fix the web form" in page and "Rewrite the call-centre script" not in page
    assert "Overdue" in page and "1 action item found" in page
    # the CSV link carries the filters
    assert _url("action_item_export") + "?overdue=true" in page


def test_action_item_list_invalid_filter_is_a_400_with_the_error(client, member, item):
    client.force_login(member)
    response = client.get(_url("action_item_list") + "?due_before=someday&board=999999")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Unknown board." in page


def test_my_actions_opens_on_what_is_still_to_do(client, member, item, summit, overdue_item):
    done = ActionItemFactory(summit=summit, owner=member, owner_function=item.owner_function,
                             title="Old script archived")  # fmt: skip
    ActionItem.objects.filter(pk=done.pk).update(status="done", completed_on=_today())
    client.force_login(member)
    page = _page(client, _url("my_actions"))
    assert "Rewrite the call-centre script" in page
    assert "Old script archived" not in page  # closed: not shown by default
    assert "Fix the web form" not in page  # someone else's
    assert _url("action_item_export") + "?open=true&amp;mine=true" in page
    page = _page(client, _url("my_actions") + "?open=")
    assert "Old script archived" in page


def _csv(response):
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_csv_export_has_every_filtered_row(client, member, item, overdue_item):
    client.force_login(member)
    response = client.get(_url("action_item_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0] == [
        "id", "summit", "title", "owner", "owner function", "board", "priority", "status",
        "overdue", "due on", "completed on", "touchpoints", "link",
    ]  # fmt: skip
    assert len(rows) == 3
    mine = next(r for r in rows if r[2] == "Rewrite the call-centre script")
    assert mine[4] == "Marketing" and mine[5] == "Customer board" and mine[8] == "no"
    assert mine[11] == "Call-centre script"
    assert mine[12].endswith(item.get_absolute_url())
    rows = _csv(client.get(_url("action_item_export") + "?overdue=true"))
    assert [r[2] for r in rows[1:]] == ["Fix the web form"] and rows[1][8] == "yes"
    rows = _csv(client.get(_url("action_item_export") + "?mine=true"))
    assert [r[2] for r in rows[1:]] == ["Rewrite the call-centre script"]


def test_csv_export_refuses_invalid_filters(client, member, item):
    client.force_login(member)
    response = client.get(_url("action_item_export") + "?status=someday")
    assert response.status_code == 400
    assert "status" in response.content.decode()
    assert client.get(_url("action_item_export") + "?mine=perhaps").status_code == 400


# --- Home --------------------------------------------------------------------------------------


def test_a_member_lands_on_my_work_which_links_to_my_actions(client, member):
    client.force_login(member)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:my_work")
    assert f'href="{_url("my_actions")}"' in client.get(response["Location"]).content.decode()


def test_executives_land_on_the_dashboard_and_administrators_on_my_work(
    client, executive, admin_user
):
    client.force_login(executive)
    assert client.get(reverse("home"))["Location"] == reverse("dashboard:dashboard")
    client.force_login(admin_user)
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert "Background jobs" in response.content.decode()
