"""Who may change touchpoints and their facts. Pure predicates; services call them."""

from __future__ import annotations

from engagement.org.roles import roles_for


def can_manage_vocabulary(user) -> bool:
    """Journey stages and channels are kept by administrators."""
    return roles_for(user).is_admin


def can_manage_touchpoints(user) -> bool:
    """Add and archive touchpoints: administrators and executives."""
    roles = roles_for(user)
    return roles.is_admin or roles.is_executive


def can_edit_touchpoint(user, touchpoint) -> bool:
    """Edit a touchpoint and its KPIs: its data steward, executives and administrators."""
    if can_manage_touchpoints(user):
        return True
    return touchpoint.data_steward_id is not None and touchpoint.data_steward_id == user.pk


def can_record_measurement(user, kpi) -> bool:
    """Enter or import a KPI's values: the touchpoint's data steward and administrators."""
    roles = roles_for(user)
    if roles.is_admin:
        return True
    steward_id = kpi.touchpoint.data_steward_id
    return roles.is_authenticated and steward_id is not None and steward_id == user.pk
