"""The base of every ``visible_to(user)`` rule."""

from __future__ import annotations

from django.db import models


def is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class OpenToSignedInQuerySet(models.QuerySet):
    """Records every signed-in, active person may read (the organisation, the fact base, the
    charter). Apps with narrower rules override ``visible_to``."""

    def visible_to(self, user):
        return self if is_signed_in(user) else self.none()


class OpenActiveQuerySet(OpenToSignedInQuerySet):
    """Open to everyone signed in, and retired with an ``is_active`` flag, not deleted."""

    def active(self):
        return self.filter(is_active=True)
