from rest_framework.routers import SimpleRouter

from boards.api import views

router = SimpleRouter()
router.register("boards", views.BoardViewSet, basename="board")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("agenda-items", views.AgendaItemViewSet, basename="agenda-item")
router.register("decisions", views.DecisionViewSet, basename="decision")
router.register("escalations", views.EscalationViewSet, basename="escalation")

urlpatterns = router.urls
