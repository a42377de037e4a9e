"""Reusable filters for the organisation's people and functions.

Who acts for which function is answered by ``engagement.org.roles``, not here: it is read once
per person and cached, because every permission check asks it.
"""

from __future__ import annotations

from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models


class OrganisationQuerySet(models.QuerySet):
    """The organisation chart (functions and people) is open to everyone who can sign in."""

    def visible_to(self, user):
        signed_in = getattr(user, "is_authenticated", False) and user.is_active
        return self if signed_in else self.none()

    def active(self):
        return self.filter(is_active=True)


class UserManager(DjangoUserManager.from_queryset(OrganisationQuerySet)):
    pass
