from engagement.core.navigation import nav_items


def navigation(request):
    """The navigation, computed only for signed-in people (the login page has none)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": nav_items(request)}
