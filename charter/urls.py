from django.urls import path

from charter import views

app_name = "charter"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("coverage/", views.coverage, name="coverage"),
    path("print/", views.print_charter, name="print"),
    path("export.csv", views.export, name="export"),
    path("touchpoints/<int:pk>/", views.touchpoint_charter, name="touchpoint_charter"),
    path("touchpoints/<int:pk>/claim/", views.touchpoint_claim, name="touchpoint_claim"),
    path("rights/<int:pk>/release/", views.right_release, name="right_release"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/export.csv", views.claim_export, name="claim_export"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/approve/", views.claim_approve, name="claim_approve"),
    path("claims/<int:pk>/reject/", views.claim_reject, name="claim_reject"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("conflicts/", views.conflict_list, name="conflict_list"),
    path("conflicts/export.csv", views.conflict_export, name="conflict_export"),
    path("conflicts/<int:pk>/", views.conflict_detail, name="conflict_detail"),
    path("conflicts/<int:pk>/resolve/", views.conflict_resolve, name="conflict_resolve"),
]
