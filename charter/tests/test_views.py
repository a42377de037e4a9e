"""The charter pages: what people see, what their forms do, and what a page costs."""

import csv
import io
import re
from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from charter import services
from charter.models import Claim, Conflict, RightAssignment
from charter.panels import render_rights_panel
from engagement.audit.models import AuditEvent
from engagement.org.roles import roles_for
from engagement.org.tests.factories import FunctionFactory, UserFactory
from touchpoints.tests.factories import ChannelFactory, JourneyStageFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def touchpoint():
    return TouchpointFactory(name="Call-centre script")


@pytest.fixture
def charter(admin_user, function_owner, touchpoint, function, other_function):
    """Marketing designs the script; Operations builds it and Marketing contests that; the
    other two rights are vacant."""
    services.right_assign(
        actor=admin_user, touchpoint=touchpoint, right="design", function=function
    )
    services.right_assign(
        actor=admin_user, touchpoint=touchpoint, right="build", function=other_function
    )
    claim = services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="build", function=function,
        rationale="Scripts are brand voice.",
    )  # fmt: skip
    return claim.conflict


def _page(client, url, status=200, **extra):
    response = client.get(url, **extra)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def _state():
    return (
        list(RightAssignment.objects.values_list("pk", "ended_at").order_by("pk")),
        list(Claim.objects.values_list("pk", "status").order_by("pk")),
        list(Conflict.objects.values_list("pk", "status").order_by("pk")),
        AuditEvent.objects.count(),
    )


# --- The matrix, printable charter and export ---------------------------------------------------


def test_matrix_shows_holders_vacant_and_contested_in_words(client, member, charter, touchpoint):
    client.force_login(member)
    page = _page(client, reverse("charter:matrix"))
    assert "Call-centre script" in page
    assert reverse("charter:touchpoint_charter", kwargs={"pk": touchpoint.pk}) in page
    assert "Marketing" in page and "Operations" in page
    assert page.count("Vacant</span>") == 2
    assert "Contested</span>" in page
    assert "claimed by" in page


def test_matrix_filters(client, member, charter, function, other_function):
    other_stage = TouchpointFactory(
        name="Store layout", stage=JourneyStageFactory(name="Experience"), priority="low",
        channel=ChannelFactory(name="Store"),
    )  # fmt: skip
    client.force_login(member)
    url = reverse("charter:matrix")

    def names(query):
        response = client.get(url + query)
        assert response.status_code == 200, response.content.decode()[:1500]
        return [row.touchpoint.name for row in response.context["rows"]]

    assert names("") == ["Call-centre script", "Store layout"]
    assert names("?stage=experience") == ["Store layout"]
    assert names("?channel=store") == ["Store layout"]
    assert names("?priority=high") == ["Call-centre script"]
    assert names(f"?function={other_function.slug}") == ["Call-centre script"]
    assert names(f"?function={function.pk}") == ["Call-centre script"]
    assert names("?state=contested") == ["Call-centre script"]
    assert names("?state=vacant") == ["Call-centre script", "Store layout"]
    assert names("?state=complete") == []
    assert other_stage.pk


def test_matrix_with_htmx_answers_the_fragment(client, member, charter):
    client.force_login(member)
    response = client.get(reverse("charter:matrix") + "?state=contested", **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="matrix-region"')
    assert "<html" not in page
    assert "HX-Request" in response["Vary"]


def test_archived_touchpoints_are_not_in_the_matrix(client, member, charter):
    TouchpointFactory(name="Old fax line", is_archived=True)
    client.force_login(member)
    assert "Old fax line" not in _page(client, reverse("charter:matrix"))


@pytest.mark.parametrize("query", ["?as_of=2026-02-30", "?as_of=yesterday", "?stage=nowhere"])
def test_bad_matrix_filters_are_a_form_error(client, member, charter, query):
    client.force_login(member)
    page = _page(client, reverse("charter:matrix") + query, status=400)
    assert "field__errors" in page
    assert "cannot be shown with these filters" in page
    assert client.get(reverse("charter:export") + query).status_code == 400
    assert client.get(reverse("charter:print") + query).status_code == 400


def _at(day, hour=12):
    return time_machine.travel(timezone.make_aware(datetime(2026, *day, hour)), tick=False)


def test_matrix_as_of_shows_the_charter_on_that_date(client, member, function_owner, function):
    with _at((1, 10)):
        touchpoint = TouchpointFactory(name="Onboarding e-mail")
        services.right_claim(
            actor=function_owner, touchpoint=touchpoint, right="design", function=function
        )
    with _at((2, 1)):
        services.right_release(actor=function_owner, assignment=RightAssignment.objects.get())
    client.force_login(member)

    def holder(day):
        response = client.get(reverse("charter:matrix") + f"?as_of={day}")
        rows = response.context["rows"]
        return [row.cell("design").function for row in rows]

    assert holder("2026-01-09") == []  # the touchpoint did not exist yet
    assert holder("2026-01-15") == [function]
    assert holder("2026-02-02") == [None]
    assert "at the end of" in _page(client, reverse("charter:matrix") + "?as_of=2026-01-15")
    csv_rows = _csv(client, "?as_of=2026-01-15")
    assert csv_rows[1][6] == "Marketing"


def _csv(client, query=""):
    response = client.get(reverse("charter:export") + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_export_has_one_row_per_touchpoint_and_honours_filters(client, member, charter):
    TouchpointFactory(name="=HYPERLINK(evil)", stage=JourneyStageFactory(name="Bond"))
    client.force_login(member)
    rows = _csv(client)
    assert rows[0][:2] == ["touchpoint_id", "touchpoint"]
    assert rows[0][6:] == ["design", "build", "operate", "update", "vacant", "contested"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Call-centre script"][6:] == [
        "Marketing", "Operations", "", "", "operate update", "build",
    ]  # fmt: skip
    assert "'=HYPERLINK(evil)" in by_name  # no formula reaches a spreadsheet
    filtered = _csv(client, "?state=contested")
    assert [row[1] for row in filtered[1:]] == ["Call-centre script"]


def test_printable_charter(client, member, charter):
    client.force_login(member)
    page = _page(client, reverse("charter:print"))
    assert "Printed on" in page
    assert "Call-centre script" in page and "Vacant" in page and "Contested" in page
    filtered = _page(client, reverse("charter:print") + "?priority=high&state=contested")
    assert "Only: Priority: High; Gaps: A right contested." in filtered


# --- Coverage -------------------------------------------------------------------------------------


def test_coverage_page(client, member, charter, function):
    client.force_login(member)
    response = client.get(reverse("charter:coverage"))
    assert response.status_code == 200
    coverage = response.context["coverage"]
    assert (coverage.held, coverage.vacant, coverage.contested, coverage.percent) == (2, 2, 1, 50)
    page = response.content.decode()
    assert "?state=vacant" in page
    assert reverse("charter:conflict_list") + "?status=open" in page
    assert f"?function={function.slug}" in page


# --- A touchpoint's charter ---------------------------------------------------------------------


def test_touchpoint_charter_for_a_function_head(client, function_owner, charter, touchpoint):
    client.force_login(function_owner)
    response = client.get(reverse("charter:touchpoint_charter", kwargs={"pk": touchpoint.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["claim_form"] is not None
    assert "Claim a right" in page
    assert "Release the right to design" in page  # Marketing holds it
    assert "Release the right to build" not in page  # Operations does
    assert "Withdraw the claim of Marketing" in page
    assert "Resolve the conflict" not in page
    assert "csrfmiddlewaretoken" in page


def test_touchpoint_charter_for_an_executive(client, executive, charter, touchpoint):
    client.force_login(executive)
    page = _page(client, reverse("charter:touchpoint_charter", kwargs={"pk": touchpoint.pk}))
    assert "Claim a right" not in page  # acts for no function
    assert "Release the right" not in page
    assert "Resolve the conflict" in page
    assert 'type="radio"' in page


def test_touchpoint_charter_unknown_is_404(client, member):
    client.force_login(member)
    assert (
        client.get(reverse("charter:touchpoint_charter", kwargs={"pk": 999999})).status_code == 404
    )


def test_touchpoint_charter_as_of(client, member, charter, touchpoint):
    client.force_login(member)
    url = reverse("charter:touchpoint_charter", kwargs={"pk": touchpoint.pk})
    today = timezone.localdate().isoformat()
    response = client.get(f"{url}?as_of={today}")
    assert response.status_code == 200
    assert response.context["charter"].past_row.cell("design").function.name == "Marketing"
    page = _page(client, f"{url}?as_of=2026-13-01", status=400)
    assert "field__errors" in page


def test_claiming_through_the_page(client, function_owner, charter, touchpoint, function):
    client.force_login(function_owner)
    url = reverse("charter:touchpoint_claim", kwargs={"pk": touchpoint.pk})
    data = {
        "right": "operate",
        "function": function.pk,
        "rationale": "We run it.",
        "origin": "touchpoint",
    }
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "charter:touchpoint_charter", kwargs={"pk": touchpoint.pk}
    )
    assert "Marketing now holds the right to operate" in response.content.decode()
    assert RightAssignment.objects.active().get(right="operate").function == function


def test_claim_form_refused_by_the_service_keeps_what_was_typed(
    client, function_owner, charter, touchpoint, function
):
    client.force_login(function_owner)
    url = reverse("charter:touchpoint_claim", kwargs={"pk": touchpoint.pk})
    before = _state()
    data = {
        "right": "design",
        "function": function.pk,
        "rationale": "Still ours.",
        "origin": "touchpoint",
    }
    response = client.post(url, data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "already holds the right to design" in page
    assert "Still ours." in page
    assert _state() == before
    # an invalid choice is a 400, with the form again
    response = client.post(url, {**data, "right": "own"})
    assert response.status_code == 400
    assert "Still ours." in response.content.decode()


def test_claim_with_htmx_renders_the_fragment(
    client, function_owner, charter, touchpoint, function
):
    client.force_login(function_owner)
    url = reverse("charter:touchpoint_claim", kwargs={"pk": touchpoint.pk})
    data = {"right": "update", "function": function.pk, "origin": "touchpoint"}
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="touchpoint-charter"')
    assert "Marketing now holds the right to update" in page
    refused = client.post(url, data, **HTMX)
    assert refused.status_code == 409
    assert "already holds" in refused.content.decode()


def test_someone_who_acts_for_no_function_cannot_claim(client, member, charter, touchpoint):
    client.force_login(member)
    before = _state()
    url = reverse("charter:touchpoint_claim", kwargs={"pk": touchpoint.pk})
    response = client.post(url, {"right": "operate", "function": 1}, follow=True)
    assert "do not act for any function" in response.content.decode()
    assert _state() == before


def test_release_through_the_page(client, delegate, charter, touchpoint):
    client.force_login(delegate)
    held = RightAssignment.objects.active().get(right="design")
    response = client.post(
        reverse("charter:right_release", kwargs={"pk": held.pk}), {"origin": "touchpoint"},
        follow=True,
    )  # fmt: skip
    assert "released the right to design" in response.content.decode()
    held.refresh_from_db()
    assert held.end_reason == "released"


def test_release_refused_is_a_message_and_changes_nothing(client, member, charter, touchpoint):
    client.force_login(member)
    held = RightAssignment.objects.active().get(right="design")
    before = _state()
    response = client.post(reverse("charter:right_release", kwargs={"pk": held.pk}), follow=True)
    assert "Only someone who acts for Marketing" in response.content.decode()
    assert _state() == before
    htmx = client.post(reverse("charter:right_release", kwargs={"pk": held.pk}), **HTMX)
    assert htmx.status_code == 403
    assert "Only someone who acts for Marketing" in htmx.content.decode()


def test_release_from_the_touchpoint_panel_goes_back_there(client, function_owner, charter):
    client.force_login(function_owner)
    held = RightAssignment.objects.active().get(right="design")
    back = "/touchpoints/somewhere/"
    response = client.post(
        reverse("charter:right_release", kwargs={"pk": held.pk}),
        {"origin": "next", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    other = RightAssignment.objects.active().get(right="build")
    services.right_release(actor=UserFactory(is_staff=True), assignment=other)
    evil = client.post(
        reverse("charter:right_release", kwargs={"pk": other.pk}),
        {"origin": "next", "next": "https://evil.example/"},
    )
    assert "evil" not in evil["Location"]


def test_resolving_through_the_page(client, executive, charter, touchpoint, function):
    client.force_login(executive)
    url = reverse("charter:conflict_resolve", kwargs={"pk": charter.pk})
    before = _state()
    # missing rationale: the form again, with the choice kept
    response = client.post(url, {"winner": function.pk, "rationale": "", "origin": "conflict"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required" in page
    assert re.search(rf'value="{function.pk}"[^>]*checked', page)
    assert _state() == before
    response = client.post(
        url, {"winner": function.pk, "rationale": "Brand voice.", "origin": "conflict"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "charter:conflict_detail", kwargs={"pk": charter.pk}
    )
    assert "goes to Marketing" in response.content.decode()
    assert RightAssignment.objects.active().get(right="build").function == function


def test_resolving_is_refused_to_a_function_head(client, function_owner, charter, function):
    client.force_login(function_owner)
    before = _state()
    url = reverse("charter:conflict_resolve", kwargs={"pk": charter.pk})
    data = {"winner": function.pk, "rationale": "Mine.", "origin": "touchpoint"}
    response = client.post(url, data, follow=True)
    assert "Only an executive, an administrator, or the chair" in response.content.decode()
    htmx = client.post(url, data, **HTMX)
    assert htmx.status_code == 403
    assert "Only an executive, an administrator, or the chair" in htmx.content.decode()
    assert _state() == before


def test_approve_and_reject_through_the_pages(
    client, settings, executive, function_owner, touchpoint, function
):
    settings.CHARTER_CLAIMS_NEED_APPROVAL = True
    first = services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="design", function=function
    )
    second = services.right_claim(
        actor=function_owner, touchpoint=touchpoint, right="build", function=function
    )
    client.force_login(executive)
    page = _page(client, reverse("charter:claim_detail", kwargs={"pk": first.pk}))
    assert "Approve" in page and "Reject" in page
    response = client.post(
        reverse("charter:claim_reject", kwargs={"pk": second.pk}), {"note": "", "origin": "claim"}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("charter:claim_reject", kwargs={"pk": second.pk}),
        {"note": "Operations builds.", "origin": "claim"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("charter:claim_approve", kwargs={"pk": first.pk}), {"origin": "touchpoint"}, **HTMX
    )
    assert response.status_code == 200
    assert "Claim approved" in response.content.decode()
    url = reverse("charter:claim_approve", kwargs={"pk": first.pk})
    again = client.post(url, {"origin": "claim"}, follow=True)
    assert "already granted" in again.content.decode()
    assert client.post(url, {"origin": "claim"}, **HTMX).status_code == 409
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("granted", "rejected")


def test_withdraw_through_the_page(client, delegate, charter):
    client.force_login(delegate)
    response = client.post(
        reverse("charter:claim_withdraw", kwargs={"pk": charter.claim_id}), {"origin": "claim"},
        follow=True,
    )  # fmt: skip
    assert "withdrawn" in response.content.decode()
    charter.refresh_from_db()
    assert charter.status == Conflict.Status.WITHDRAWN


def test_actions_need_post(client, executive, charter):
    client.force_login(executive)
    url = reverse("charter:conflict_resolve", kwargs={"pk": charter.pk})
    assert client.get(url).status_code == 405


# --- Claims and conflicts lists and details ------------------------------------------------------


def test_claim_and_conflict_lists_filter(client, member, charter, function, other_function):
    client.force_login(member)
    response = client.get(
        reverse("charter:claim_list") + f"?function={function.slug}&status=contested"
    )
    assert [c.pk for c in response.context["page"]] == [charter.claim_id]
    response = client.get(reverse("charter:conflict_list") + f"?function={other_function.slug}")
    assert [c.pk for c in response.context["page"]] == [charter.pk]
    response = client.get(reverse("charter:conflict_list") + "?status=resolved")
    assert list(response.context["page"]) == []
    assert client.get(reverse("charter:claim_list") + "?status=maybe").status_code == 400


def test_details_render_and_unknown_are_404(client, member, charter):
    client.force_login(member)
    page = _page(client, reverse("charter:claim_detail", kwargs={"pk": charter.claim_id}))
    assert "Scripts are brand voice." in page
    assert "Approve" not in page and "Withdraw" not in page
    page = _page(client, reverse("charter:conflict_detail", kwargs={"pk": charter.pk}))
    assert "Operations" in page and "Resolve the conflict" not in page
    assert client.get(reverse("charter:claim_detail", kwargs={"pk": 999999})).status_code == 404
    assert client.get(reverse("charter:conflict_detail", kwargs={"pk": 999999})).status_code == 404


def test_pages_need_sign_in(client, charter):
    response = client.get(reverse("charter:matrix"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- The touchpoint page's panel -----------------------------------------------------------------


def test_rights_panel(rf, function_owner, member, charter, touchpoint):
    request = rf.get("/touchpoints/1/")
    request.user = function_owner
    html = render_rights_panel(request, touchpoint)
    assert "Decision rights" in html
    assert "Vacant" in html and "Contested" in html
    assert reverse("charter:touchpoint_charter", kwargs={"pk": touchpoint.pk}) in html
    assert "Release" in html and "?right=operate" in html
    request.user = member
    html = render_rights_panel(request, touchpoint)
    assert "Release" not in html and "?right=operate" not in html


def test_rights_panel_is_registered():
    from touchpoints.panels import touchpoint_page

    assert touchpoint_page.panels["rights"].render is render_rights_panel


# --- Query budgets -------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:1000]
    return len(ctx.captured_queries)


def _populate(n, admin, touchpoint=None):
    """n rounds of: two holders one after the other, a withdrawn claim and its conflict; and
    an open conflict on each touchpoint."""
    heads = [UserFactory() for _ in range(2)]
    functions = [FunctionFactory(head=head) for head in heads]

    def claim(tp):
        return services.right_claim(
            actor=heads[0], touchpoint=tp, right="design", function=functions[0]
        )

    for _ in range(n):
        tp = touchpoint or TouchpointFactory()
        services.right_assign(actor=admin, touchpoint=tp, right="design", function=functions[0])
        services.right_assign(actor=admin, touchpoint=tp, right="design", function=functions[1])
        services.claim_withdraw(actor=heads[0], claim=claim(tp))
        if touchpoint is None:
            claim(tp)
    if touchpoint is not None:
        claim(touchpoint)


PAGES = (
    "charter:matrix", "charter:coverage", "charter:print", "charter:export",
    "charter:claim_list", "charter:conflict_list",
)  # fmt: skip


def test_page_query_counts_are_constant(client, admin_user, function_owner):
    client.force_login(function_owner)
    _populate(3, admin_user)
    small = {name: _queries(client, reverse(name)) for name in PAGES}
    _populate(27, admin_user)
    large = {name: _queries(client, reverse(name)) for name in PAGES}
    assert small == large


@pytest.mark.parametrize("user", ["function_owner", "executive"])
def test_touchpoint_charter_query_count_is_constant(request, client, admin_user, user):
    client.force_login(request.getfixturevalue(user))
    small_tp, large_tp = TouchpointFactory(), TouchpointFactory()
    _populate(3, admin_user, touchpoint=small_tp)
    _populate(30, admin_user, touchpoint=large_tp)
    for url in ("charter:touchpoint_charter",):
        small = _queries(client, reverse(url, kwargs={"pk": small_tp.pk}) + "?as_of=2030-01-01")
        large = _queries(client, reverse(url, kwargs={"pk": large_tp.pk}) + "?as_of=2030-01-01")
        assert small == large


def test_panel_query_count_is_constant(rf, admin_user, function_owner):
    small_tp, large_tp = TouchpointFactory(), TouchpointFactory()
    _populate(3, admin_user, touchpoint=small_tp)
    _populate(30, admin_user, touchpoint=large_tp)
    request = rf.get("/")
    request.user = function_owner
    roles_for(function_owner)  # read once per request, before any panel
    counts = []
    for tp in (small_tp, large_tp):
        with CaptureQueriesContext(connection) as ctx:
            render_rights_panel(request, tp)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 2
