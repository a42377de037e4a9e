"""Reusable filters for the organisation's people and functions."""

from __future__ import annotations

from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q


class FunctionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The organisation chart is open to everyone who can sign in."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self

    def active(self):
        return self.filter(is_active=True)

    def acted_for_by(self, user):
        """Active functions the user heads or is a delegate of."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        ids = self.filter(Q(head=user) | Q(delegates=user)).values("id")
        return self.active().filter(id__in=ids)


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self

    def active(self):
        return self.filter(is_active=True)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass
