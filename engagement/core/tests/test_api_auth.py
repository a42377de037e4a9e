"""The token flow for scripts, and the session flow for the browser."""

import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def test_token_flow(api_client, member):
    # given a person's username and password, a script gets a token
    response = api_client.post(
        TOKEN_URL, {"username": member.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["expiry"]

    # when it sends the token, it is that person
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == member.username

    # and after logging out, the token no longer works
    assert client.post("/api/v1/auth/logout/").status_code == 204
    after = client.get("/api/v1/me/")
    assert after.status_code == 401
    assert after.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(user=member).exists()


def test_logout_all_revokes_every_token(api_client, member):
    tokens = [
        api_client.post(
            TOKEN_URL, {"username": member.username, "password": PASSWORD}, format="json"
        ).json()["token"]
        for _ in range(2)
    ]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    assert client.post("/api/v1/auth/logout-all/").status_code == 204
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {tokens[1]}")
    assert other.get("/api/v1/me/").status_code == 401


def test_tokens_are_stored_hashed(api_client, member):
    token = api_client.post(
        TOKEN_URL, {"username": member.username, "password": PASSWORD}, format="json"
    ).json()["token"]
    stored = AuthToken.objects.get(user=member)
    assert token not in (stored.digest, stored.token_key)


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "person-who-exists", "password": "wrong"},
        {"username": "nobody-by-this-name", "password": "wrong"},
    ],
)
def test_wrong_credentials_give_no_hint_whether_the_user_exists(api_client, credentials):
    from engagement.org.tests.factories import UserFactory

    UserFactory(username="person-who-exists")
    response = api_client.post(TOKEN_URL, credentials, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Unable to sign in with this username and password."
    assert not AuthToken.objects.exists()


def test_deactivated_person_gets_no_token(api_client, member):
    member.is_active = False
    member.save()
    response = api_client.post(
        TOKEN_URL, {"username": member.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400


def test_missing_fields_are_named(api_client):
    response = api_client.post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"username", "password"}
    assert body["code"] == "invalid"


def test_malformed_json_is_a_400(api_client):
    response = api_client.post(TOKEN_URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_token_endpoint_is_throttled(api_client, settings):
    for _ in range(20):
        api_client.post(TOKEN_URL, {"username": "x", "password": "y"}, format="json")
    response = api_client.post(TOKEN_URL, {"username": "x", "password": "y"}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response.headers


def test_session_api_writes_need_csrf(member):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get("/api/v1/me/").status_code == 200
    response = client.post("/api/v1/auth/logout-all/")
    # session auth is not accepted on the token endpoints; elsewhere CSRF is enforced
    assert response.status_code in (401, 403)


def test_session_post_without_csrf_is_refused():
    from engagement.org.tests.factories import UserFactory

    user = UserFactory()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/v1/functions/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
