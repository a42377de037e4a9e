from django.urls import path
from rest_framework.routers import SimpleRouter

from engagement.org.api import views

router = SimpleRouter()
router.register("functions", views.FunctionViewSet, basename="function")
router.register("people", views.PersonViewSet, basename="person")

urlpatterns = [path("me/", views.MeView.as_view(), name="me"), *router.urls]
