from rest_framework.routers import SimpleRouter

from summits.api import views

router = SimpleRouter()
router.register("summits", views.SummitViewSet, basename="summit")
router.register("journey-reviews", views.JourneyReviewViewSet, basename="journey-review")
router.register("capabilities", views.CapabilityViewSet, basename="capability")
router.register("action-items", views.ActionItemViewSet, basename="action-item")

urlpatterns = router.urls
