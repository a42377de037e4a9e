from django.urls import path

from touchpoints import views

app_name = "touchpoints"

urlpatterns = [
    path("", views.touchpoint_list, name="touchpoint_list"),
    path("export.csv", views.touchpoint_export, name="touchpoint_export"),
    path("new/", views.touchpoint_create, name="touchpoint_create"),
    path("<int:pk>/", views.touchpoint_detail, name="touchpoint_detail"),
    path("<int:pk>/edit/", views.touchpoint_edit, name="touchpoint_edit"),
    path("<int:pk>/kpis/new/", views.kpi_create, name="kpi_create"),
    path("kpis/<int:pk>/edit/", views.kpi_edit, name="kpi_edit"),
    path(
        "kpis/<int:pk>/measurements/new/",
        views.measurement_create,
        name="measurement_create",
    ),
    path("measurements/import/", views.measurement_import, name="measurement_import"),
]
