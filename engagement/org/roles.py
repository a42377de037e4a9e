"""Who a person is in the governance: the answers every permission check starts from.

``roles_for(user)`` reads a person's roles once (two queries) and keeps them on the user
object for the rest of the request or task, so permission checks in loops and templates cost
nothing. Services that change roles call ``forget(user)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

_CACHE_ATTR = "_engagement_roles"


@dataclass(frozen=True)
class Roles:
    is_authenticated: bool
    is_admin: bool
    is_executive: bool
    headed_function_ids: frozenset[int]
    acting_function_ids: frozenset[int]

    def acts_for(self, function_id: int | None) -> bool:
        return function_id is not None and function_id in self.acting_function_ids

    @property
    def codes(self) -> list[str]:
        """Stable role names for the API and for code."""
        codes = []
        if self.is_admin:
            codes.append("administrator")
        if self.is_executive:
            codes.append("executive")
        if self.headed_function_ids:
            codes.append("function_head")
        if self.acting_function_ids - self.headed_function_ids:
            codes.append("function_delegate")
        return codes

    @property
    def labels(self) -> list[str]:
        """The same roles, in words for people (translated)."""
        return [ROLE_LABELS[code] for code in self.codes]


ROLE_LABELS = {
    "administrator": _("administrator"),
    "executive": _("executive"),
    "function_head": _("function head"),
    "function_delegate": _("function delegate"),
}

ANONYMOUS = Roles(False, False, False, frozenset(), frozenset())


def roles_for(user) -> Roles:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from engagement.org.models import Function

    is_executive = user.groups.filter(name=settings.EXECUTIVE_GROUP_NAME).exists()
    rows = (
        Function.objects.active()
        .filter(Q(head=user) | Q(delegates=user))
        .values_list("id", "head_id")
        .distinct()
    )
    acting, headed = set(), set()
    for function_id, head_id in rows:
        acting.add(function_id)
        if head_id == user.pk:
            headed.add(function_id)
    roles = Roles(
        is_authenticated=True,
        is_admin=bool(user.is_staff),
        is_executive=is_executive,
        headed_function_ids=frozenset(headed),
        acting_function_ids=frozenset(acting),
    )
    setattr(user, _CACHE_ATTR, roles)
    return roles


def forget(user) -> None:
    """Drop the cached roles after a change to the user's groups or functions."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_executive(user) -> bool:
    return roles_for(user).is_executive


def is_admin(user) -> bool:
    return roles_for(user).is_admin


def can_act_for(user, function) -> bool:
    """May the user act for this function (as its head or one of its delegates)?"""
    function_id = getattr(function, "pk", function)
    return roles_for(user).acts_for(function_id)


def functions_acted_for(user):
    """The active functions the user may act for, as a queryset."""
    from engagement.org.models import Function

    return Function.objects.filter(id__in=roles_for(user).acting_function_ids).order_by("name")
