from rest_framework.routers import SimpleRouter

from touchpoints.api import views

router = SimpleRouter()
router.register("journey-stages", views.JourneyStageViewSet, basename="journey-stage")
router.register("channels", views.ChannelViewSet, basename="channel")
router.register("touchpoints", views.TouchpointViewSet, basename="touchpoint")
router.register("kpis", views.KpiViewSet, basename="kpi")
router.register("measurements", views.MeasurementViewSet, basename="measurement")

urlpatterns = router.urls
