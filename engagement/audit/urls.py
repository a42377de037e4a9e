from django.urls import path

from engagement.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("export.csv", views.event_export, name="event_export"),
    path(
        "<slug:app_label>/<slug:model_name>/<str:object_id>/",
        views.object_history,
        name="object_history",
    ),
]
