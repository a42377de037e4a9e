from django.urls import path
from rest_framework.routers import SimpleRouter

from charter.api import views

router = SimpleRouter()
router.register("rights", views.RightAssignmentViewSet, basename="right")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("conflicts", views.ConflictViewSet, basename="conflict")

urlpatterns = [
    path("charter/coverage/", views.CoverageView.as_view(), name="charter_coverage"),
    *router.urls,
]
