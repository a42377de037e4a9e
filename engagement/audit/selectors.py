"""Reading the audit log."""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from engagement.audit.models import AuditEvent


def event_list(*, user):
    return AuditEvent.objects.visible_to(user).select_related("actor", "content_type")


def visible_object(*, user, app_label: str, model_name: str, object_id: str):
    """The object whose history is asked for, or 404 if it is unknown or hidden from the user.

    Only models whose default manager offers ``visible_to(user)`` have a browsable history;
    that is where each app says who may see what.
    """
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404("No such kind of object.") from None
    queryset = model._default_manager.all()
    if not hasattr(queryset, "visible_to"):
        raise Http404("No such kind of object.")
    try:
        return queryset.visible_to(user).get(pk=object_id)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such object.") from None


def object_history(*, obj):
    return (
        AuditEvent.objects.for_object(obj)
        .select_related("actor", "content_type")
        .order_by("-occurred_at", "-id")
    )


def content_type_label(obj) -> str:
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return f"{ct.app_label}.{ct.model}"
