from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from engagement.core import views as core_views

admin.site.site_header = "Customer-engagement governance"
admin.site.site_title = "Engagement admin"
admin.site.index_title = "Administration"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("org/", include("engagement.org.urls")),
    path("touchpoints/", include("touchpoints.urls")),
    path("charter/", include("charter.urls")),
    path("boards/", include("boards.urls")),
    path("summits/", include("summits.urls")),
    path("activity/", include("engagement.audit.urls")),
    path("notifications/", include("engagement.notify.urls")),
    path("", include("engagement.dashboard.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("engagement.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
]

handler403 = "engagement.core.views.error_403"
handler404 = "engagement.core.views.error_404"
handler500 = "engagement.core.views.error_500"
