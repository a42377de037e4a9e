import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagement.org.tests.factories import FunctionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _populate(n):
    for _ in range(n):
        f = FunctionFactory(head=UserFactory())
        f.delegates.add(UserFactory())
        UserFactory(function=f)


def test_function_list_shows_functions_with_their_heads(client, member, function_owner):
    client.force_login(member)
    response = client.get(reverse("org:function_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Marketing" in page
    assert function_owner.get_full_name() in page


def test_archived_functions_are_hidden_unless_asked_for(client, member, other_function):
    other_function.is_active = False
    other_function.save()
    client.force_login(member)
    assert other_function not in client.get(reverse("org:function_list")).context["functions"]
    response = client.get(reverse("org:function_list") + "?archived=1")
    assert other_function in response.context["functions"]


def test_function_detail_and_unknown_function(client, member, function, delegate):
    client.force_login(member)
    response = client.get(reverse("org:function_detail", kwargs={"slug": function.slug}))
    assert response.status_code == 200
    assert delegate.get_full_name() in response.content.decode()
    missing = client.get(reverse("org:function_detail", kwargs={"slug": "no-such-function"}))
    assert missing.status_code == 404


def test_people_directory_search_and_filter(client, member, function, other_function):
    UserFactory(first_name="Zelda", last_name="Quint", function=other_function)
    client.force_login(member)
    response = client.get(reverse("org:person_list") + "?q=zelda")
    assert [p.first_name for p in response.context["page"]] == ["Zelda"]
    response = client.get(reverse("org:person_list") + f"?function={other_function.slug}")
    assert [p.first_name for p in response.context["page"]] == ["Zelda"]


@pytest.mark.parametrize("url_name", ["org:function_list", "org:person_list", "dashboard:my_work"])
def test_page_query_count_is_constant(client, url_name):
    # An executive (who may open "my work" too; "home" only redirects).
    viewer = UserFactory(executive=True)
    client.force_login(viewer)
    _populate(3)
    small = _queries(client, reverse(url_name))
    _populate(27)
    large = _queries(client, reverse(url_name))
    assert small == large


def test_function_detail_query_count_is_constant(client):
    viewer = UserFactory()
    client.force_login(viewer)
    small_f = FunctionFactory(name="Small", head=UserFactory())
    large_f = FunctionFactory(name="Large", head=UserFactory())
    for _ in range(3):
        small_f.delegates.add(UserFactory(function=small_f))
    for _ in range(30):
        large_f.delegates.add(UserFactory(function=large_f))
    small = _queries(client, reverse("org:function_detail", kwargs={"slug": "small"}))
    large = _queries(client, reverse("org:function_detail", kwargs={"slug": "large"}))
    assert small == large


def test_my_work_shows_the_functions_a_person_acts_for(client, function_owner, function):
    # A head lands on their own work, which names the functions they act for; an executive
    # lands on the dashboard instead.
    client.force_login(function_owner)
    assert client.get(reverse("home"))["Location"] == reverse("dashboard:my_work")
    response = client.get(reverse("dashboard:my_work"))
    assert response.status_code == 200
    assert [rights.function for rights in response.context["work"].functions] == [function]
    assert "Marketing" in response.content.decode()
    function_owner.groups.add(Group.objects.get_or_create(name=settings.EXECUTIVE_GROUP_NAME)[0])
    client.force_login(function_owner)
    assert client.get(reverse("home"))["Location"] == reverse("dashboard:dashboard")
