"""Turn a model instance into the JSON that an audit event keeps as ``before``/``after``."""

from __future__ import annotations

from django.db import models


def _ref(obj) -> dict | None:
    if obj is None:
        return None
    return {"id": obj.pk, "label": str(obj)}


def snapshot(instance: models.Model, fields: list[str] | tuple[str, ...]) -> dict:
    """Values of the named fields; related objects as ``{"id", "label"}`` so the log stays
    readable after the related object is renamed. Many-to-many values are sorted by id."""
    data = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            related = sorted(getattr(instance, name).all(), key=lambda o: o.pk)
            data[name] = [_ref(o) for o in related]
        elif field.is_relation:
            data[name] = _ref(getattr(instance, name))
        else:
            data[name] = field.value_from_object(instance)
    return data
