"""The append-only log of governance changes.

Services write one event per change, inside the transaction of the change (see
``engagement.audit.services.record_event``), so an event exists exactly when its change was
committed. Events are never updated or deleted: the model and its queryset refuse to, and a
database trigger refuses an UPDATE (and, on PostgreSQL, a DELETE) from any other client.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagement.org.roles import roles_for


class AppendOnlyError(Exception):
    """Someone tried to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Administrators and executives read the whole log; others their own actions.

        The history of one object is shown to whoever may see the object (see
        ``selectors.object_history``), whatever the actor.
        """
        roles = roles_for(user)
        if not roles.is_authenticated:
            return self.none()
        if roles.is_admin or roles.is_executive:
            return self
        return self.filter(actor=user)

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
        )

    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only and cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only and cannot be deleted.")


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system acted (a scheduled job or a command)."),
    )
    verb = models.CharField(_("verb"), max_length=64, db_index=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ("-occurred_at", "-id")
        indexes = [
            models.Index(fields=["content_type", "object_id", "-id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-id"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only and cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only and cannot be deleted.")

    @property
    def actor_label(self) -> str:
        return self.actor.display_name if self.actor_id else str(_("system"))

    def changes(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) for each field whose value differs, in a stable order.

        Labels are the model fields' verbose names where the field still exists, so the log
        reads "home function: Sales → Marketing" rather than "function_id"."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [
            (self._field_label(k), before.get(k), after.get(k))
            for k in keys
            if before.get(k) != after.get(k)
        ]

    def _field_label(self, name: str) -> str:
        model = self.content_type.model_class() if self.content_type_id else None
        if model is None:
            return name
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a snapshot key that is not a field (is_executive)
            return name.replace("_", " ")
