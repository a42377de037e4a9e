import io

import pytest
from django.core.management import call_command

from engagement.audit.models import AuditEvent
from engagement.org import roles
from engagement.org.models import Function, User

pytestmark = pytest.mark.django_db


def _state():
    return (
        sorted(Function.objects.values_list("slug", "name", "head__username", "is_active")),
        sorted(User.objects.values_list("username", "title", "function__slug", "is_active")),
        sorted(Function.delegates.through.objects.values_list("function__slug", "user__username")),
    )


def test_seed_demo_builds_the_organisation_and_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = _state()
    events = AuditEvent.objects.count()

    call_command("seed_demo", stdout=io.StringIO())

    assert _state() == first
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded
    assert {name for _, name, _, _ in first[0]} == {
        "Marketing", "Sales", "Customer Service", "Operations",
        "Product", "IT", "Communications", "Strategy",
    }  # fmt: skip
    assert User.objects.count() >= 30
    assert all(head for _, _, head, _ in first[0])
    assert roles.is_executive(User.objects.get(username="ceo"))
    text = out.getvalue()
    assert "ceo" in text and "engage-demo-2026" in text
    assert User.objects.get(username="srossi").check_password("engage-demo-2026")
