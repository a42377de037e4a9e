from django.urls import path

from engagement.org import views

app_name = "org"

urlpatterns = [
    path("functions/", views.function_list, name="function_list"),
    path("functions/export.csv", views.function_export, name="function_export"),
    path("functions/<slug:slug>/", views.function_detail, name="function_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/export.csv", views.person_export, name="person_export"),
]
