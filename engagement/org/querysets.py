"""Reusable filters for the organisation's people and functions.

Who acts for which function is answered by ``engagement.org.roles``, not here: it is read once
per person and cached, because every permission check asks it.
"""

from __future__ import annotations

from django.contrib.auth.models import UserManager as DjangoUserManager

from engagement.core.querysets import OpenActiveQuerySet


class OrganisationQuerySet(OpenActiveQuerySet):
    """The organisation chart (functions and people) is open to everyone who can sign in."""


class UserManager(DjangoUserManager.from_queryset(OrganisationQuerySet)):
    pass
