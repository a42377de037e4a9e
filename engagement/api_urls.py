"""The API, version 1: each app contributes its own routes under /api/v1/."""

from django.urls import include, path

from engagement.core.api.auth import TokenCreateView, TokenLogoutAllView, TokenLogoutView

app_name = "api"

urlpatterns = [
    path("auth/token/", TokenCreateView.as_view(), name="token_create"),
    path("auth/logout/", TokenLogoutView.as_view(), name="token_logout"),
    path("auth/logout-all/", TokenLogoutAllView.as_view(), name="token_logout_all"),
    path("", include("engagement.org.api.urls")),
    path("", include("engagement.audit.api.urls")),
    path("", include("engagement.notify.api.urls")),
    path("", include("touchpoints.api.urls")),
    path("", include("charter.api.urls")),
    path("", include("boards.api.urls")),
    path("", include("summits.api.urls")),
    path("", include("engagement.dashboard.api.urls")),
    path("", include("engagement.dashboard.api.search")),
]
