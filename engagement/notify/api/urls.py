from django.urls import path
from rest_framework.routers import SimpleRouter

from engagement.notify.api import views

router = SimpleRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path(
        "notification-preferences/me/",
        views.NotificationPreferenceView.as_view(),
        name="notification-preference-me",
    ),
    *router.urls,
]
