"""Error pages look like the product, and a domain error reaching a page is not a 500."""

import pytest
from django.test import RequestFactory
from django.urls import include, path

from engagement.core import views
from engagement.core.errors import Conflict

pytestmark = pytest.mark.django_db


def test_404_page_is_the_products(client, member):
    client.force_login(member)
    response = client.get("/org/functions/no-such-function/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="site-header"' in page
    assert "Skip to main content" in page


def test_500_page_renders_without_a_database_or_request():
    response = views.error_500(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "<html" in response.content.decode()


def test_403_page_is_the_products(rf, member):
    request = rf.get("/")
    request.user = member
    response = views.error_403(request)
    assert response.status_code == 403


def _raise_conflict(request):
    raise Conflict("Design of the call-centre script is already held by Operations.")


urlpatterns = [path("conflict/", _raise_conflict), path("", include("engagement.urls"))]


@pytest.mark.urls(__name__)
def test_domain_error_in_a_page_is_shown_with_its_status(client, member):
    client.force_login(member)
    response = client.get("/conflict/")
    assert response.status_code == 409
    assert "already held by Operations" in response.content.decode()


def test_csrf_failure_is_explained_in_the_products_look(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'class="site-header"' in page
    assert "expired" in page
