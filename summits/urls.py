from django.urls import path

from summits.views import actions, lists, summits

app_name = "summits"

urlpatterns = [
    # Summits and their record
    path("", lists.summit_list, name="summit_list"),
    path("export.csv", lists.summit_export, name="summit_export"),
    path("new/", summits.summit_create, name="summit_create"),
    path("<int:pk>/", summits.summit_detail, name="summit_detail"),
    path("<int:pk>/edit/", summits.summit_edit, name="summit_edit"),
    path("<int:pk>/hold/", summits.summit_hold, name="summit_hold"),
    path("<int:pk>/close/", summits.summit_close, name="summit_close"),
    path("<int:pk>/participants/", summits.participant_add, name="participant_add"),
    path("participants/<int:pk>/remove/", summits.participant_remove, name="participant_remove"),
    path("<int:pk>/reviews/new/", summits.review_create, name="review_create"),
    path("reviews/<int:pk>/edit/", summits.review_edit, name="review_edit"),
    path("reviews/<int:pk>/remove/", summits.review_remove, name="review_remove"),
    path("<int:pk>/capabilities/new/", summits.capability_create, name="capability_create"),
    path("capabilities/<int:pk>/edit/", summits.capability_edit, name="capability_edit"),
    path("capabilities/<int:pk>/remove/", summits.capability_remove, name="capability_remove"),
    # Action items
    path("<int:pk>/actions/new/", actions.action_item_create, name="action_item_create"),
    path("actions/", lists.action_item_list, name="action_item_list"),
    path("actions/export.csv", lists.action_item_export, name="action_item_export"),
    path("my-actions/", lists.my_actions, name="my_actions"),
    path("actions/<int:pk>/", actions.action_item_detail, name="action_item_detail"),
    path("actions/<int:pk>/edit/", actions.action_item_edit, name="action_item_edit"),
    path("actions/<int:pk>/start/", actions.action_item_start, name="action_item_start"),
    path("actions/<int:pk>/complete/", actions.action_item_complete, name="action_item_complete"),
    path("actions/<int:pk>/cancel/", actions.action_item_cancel, name="action_item_cancel"),
    path("actions/<int:pk>/replan/", actions.action_item_replan, name="action_item_replan"),
    path("actions/<int:pk>/progress/", actions.action_item_progress, name="action_item_progress"),
    path("actions/<int:pk>/decide/", actions.action_item_decide, name="action_item_decide"),
    path("actions/<int:pk>/agenda/", actions.action_item_agenda, name="action_item_agenda"),
]
