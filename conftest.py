"""Fixtures shared by every app's tests: people in each governance role, and API clients."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from engagement.org.tests.factories import FunctionFactory, UserFactory


@pytest.fixture
def function(db):
    return FunctionFactory(name="Marketing")


@pytest.fixture
def other_function(db):
    return FunctionFactory(name="Operations")


@pytest.fixture
def function_owner(function):
    """The head of ``function``."""
    head = UserFactory(function=function, title="Head of Marketing")
    function.head = head
    function.save()
    return head


@pytest.fixture
def delegate(function):
    person = UserFactory(function=function, title="Marketing delegate")
    function.delegates.add(person)
    return person


@pytest.fixture
def executive(db):
    return UserFactory(executive=True, title="Chief Executive Officer")


@pytest.fixture
def member(function):
    """Sits in ``function`` but acts for no function."""
    return UserFactory(function=function, title="Campaign manager")


@pytest.fixture
def outsider(db):
    """Signs in, belongs to no function, holds no role."""
    return UserFactory(title="Contractor")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True, title="Administrator")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_client_for():
    """An API client signed in (by session) as the given person."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def services_available() -> tuple[bool, str]:
    """Can this run reach PostgreSQL and a Redis broker? (Tests marked ``services``.)"""
    from django.conf import settings

    if connection.vendor != "postgresql":
        return False, "needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)"
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return False, "needs Redis: set CELERY_BROKER_URL=redis://... (CI does)"
    return True, ""


@pytest.fixture
def require_services():
    ok, reason = services_available()
    if not ok:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but this run {reason}")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashers are slow on purpose; tests create many people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def require_postgres():
    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but this run {reason}")
        pytest.skip(reason)
