"""Writing the audit log. Only services call this, inside the transaction of their change."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from engagement.audit.models import AuditEvent


def _jsonable(value):
    # Round-trip through the encoder so dates and decimals are stored as the log shows them.
    import json

    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record_event(*, actor, verb: str, obj, before: dict | None = None, after: dict | None = None):
    """Append one event saying that ``actor`` did ``verb`` to ``obj``.

    Must run inside the caller's ``transaction.atomic`` block, so the event is committed with
    the change or rolled back with it; called outside one it raises, because an event written
    on its own could survive a change that failed.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event() must be called inside the transaction of the change")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor,
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=_jsonable(before),
        after=_jsonable(after),
    )
