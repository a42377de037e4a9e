"""Who may change the organisation. Pure predicates; services call them."""

from engagement.org.roles import roles_for


def can_manage_organisation(user) -> bool:
    """Functions, heads, delegates, people and roles are kept by administrators."""
    return roles_for(user).is_admin
