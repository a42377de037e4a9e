"""Every route requires a signed-in person. The list of routes is read from the URL
configuration, so a route added later is covered without touching this file."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Routes that answer without a login, and why. Anything added here needs a reason.
PUBLIC = {
    "/accounts/login/": "the login page itself",
    "/healthz": "liveness probe for load balancers; reveals nothing about the data",
    "/api/v1/auth/token/": "exchanges a username and password for a token",
    "/admin/login/": "the admin's own login page",
}
# Routes whose secret, revocable token in the address is the key (calendar apps cannot sign
# in). An unknown token must be a 404, never a redirect that confirms the route exists.
PUBLIC_BY_TOKEN = {"/boards/calendar/sample.ics": "a calendar feed"}
# Pages that live under /api/ but are pages (HTML for people), so they redirect to login.
PAGES_UNDER_API = {"/api/docs/"}

SAMPLE = {
    "int": "1",
    "slug": "sample",
    "str": "sample",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "sample",
}


def _sample_path(route: str) -> str:
    def fill(match):
        converter = match.group(1) or "str"
        return SAMPLE.get(converter, "sample")

    return re.sub(r"<(?:(\w+):)?\w+>", fill, route)


def _regex_sample(pattern: str) -> str | None:
    """Turn a simple regex route (DRF format suffixes, admin) into a concrete path."""
    pattern = pattern.lstrip("^").rstrip("$").replace("\\Z", "")
    pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", "1", pattern)
    pattern = re.sub(r"\(\?:[^)]*\)\??", "", pattern)
    if re.search(r"[\[\]()*+?{}|\\]", pattern):
        return None
    return pattern


def all_paths(resolver=None, prefix="") -> list[str]:
    resolver = resolver or get_resolver()
    paths = []
    for entry in resolver.url_patterns:
        raw = str(entry.pattern)
        if hasattr(entry.pattern, "_route"):
            part = _sample_path(entry.pattern._route)
        else:
            part = _regex_sample(raw)
            if part is None:
                continue
        if isinstance(entry, URLResolver):
            paths.extend(all_paths(entry, prefix + part))
        elif isinstance(entry, URLPattern):
            paths.append("/" + prefix + part)
    return sorted(set(paths))


PATHS = all_paths()


def test_the_route_list_is_not_empty_and_covers_every_area():
    assert len(PATHS) > 20
    for expected in ("/", "/org/functions/", "/api/v1/functions/", "/api/v1/me/", "/admin/"):
        assert expected in PATHS


@pytest.mark.parametrize("path", sorted(PUBLIC))
def test_public_routes_answer_without_a_login(client, path):
    response = client.get(path)
    assert response.status_code in (200, 405)


@pytest.mark.parametrize("path", sorted(PUBLIC_BY_TOKEN))
def test_token_routes_answer_404_to_an_unknown_token_without_a_login(client, path):
    assert path in PATHS
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [p for p in PATHS if p not in PUBLIC and p not in PUBLIC_BY_TOKEN])
def test_anonymous_requests_are_refused(client, path):
    response = client.get(path)
    if path.startswith("/api/") and path not in PAGES_UNDER_API:
        assert response.status_code in (401, 403), response.content[:200]
        if response.headers.get("Content-Type", "").startswith("application/json"):
            assert response.json()["detail"]
    elif path.startswith("/admin/"):
        assert response.status_code == 302
        assert response["Location"].startswith(("/admin/login/", "/accounts/login/"))
    else:
        assert response.status_code == 302, f"{path} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("path", [p for p in PATHS if p.startswith("/api/v1/") and p not in PUBLIC])
def test_anonymous_writes_to_the_api_are_refused(client, path):
    response = client.post(path, {}, content_type="application/json")
    assert response.status_code in (401, 403, 405)
    assert response.status_code != 405 or "auth" not in path
