from django.urls import path

from boards.views import boards, decisions, escalations, feeds, meetings

app_name = "boards"

urlpatterns = [
    # Boards and their members
    path("", boards.board_list, name="board_list"),
    path("export.csv", boards.board_export, name="board_export"),
    path("new/", boards.board_create, name="board_create"),
    path("<int:pk>/", boards.board_detail, name="board_detail"),
    path("<int:pk>/edit/", boards.board_update, name="board_update"),
    path("<int:pk>/members/add/", boards.membership_add, name="membership_add"),
    path("members/<int:pk>/end/", boards.membership_end, name="membership_end"),
    # Meetings
    path("<int:pk>/meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/hold/", meetings.meeting_hold, name="meeting_hold"),
    path("meetings/<int:pk>/agenda/add/", meetings.agenda_item_add, name="agenda_item_add"),
    path("agenda/<int:pk>/remove/", meetings.agenda_item_remove, name="agenda_item_remove"),
    path("agenda/<int:pk>/move/", meetings.agenda_item_move, name="agenda_item_move"),
    path("meetings/<int:pk>/attendance/", meetings.attendance_record, name="attendance_record"),
    path("meetings/<int:pk>/minutes/", meetings.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/minutes/approve/", meetings.minutes_approve, name="minutes_approve"),
    # Decisions
    path("decisions/", decisions.decision_list, name="decision_list"),
    path("decisions/export.csv", decisions.decision_export, name="decision_export"),
    path("decisions/<int:pk>/", decisions.decision_detail, name="decision_detail"),
    path("<int:pk>/decisions/new/", decisions.decision_create, name="decision_create"),
    path("decisions/<int:pk>/supersede/", decisions.decision_supersede, name="decision_supersede"),
    path(
        "decisions/<int:pk>/implemented/",
        decisions.decision_implemented,
        name="decision_implemented",
    ),
    # Escalations
    path("escalations/", escalations.escalation_inbox, name="escalation_inbox"),
    path("escalations/export.csv", escalations.escalation_export, name="escalation_export"),
    path("escalations/<int:pk>/", escalations.escalation_detail, name="escalation_detail"),
    path("<int:pk>/escalate/", escalations.escalation_create, name="escalation_create"),
    path(
        "escalations/<int:pk>/acknowledge/",
        escalations.escalation_acknowledge,
        name="escalation_acknowledge",
    ),
    path(
        "escalations/<int:pk>/resolve/", escalations.escalation_resolve, name="escalation_resolve"
    ),
    path("escalations/<int:pk>/return/", escalations.escalation_return, name="escalation_return"),
    # Calendar feeds: the feed itself needs no login, only its secret token.
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
    path("<int:pk>/calendar/", feeds.board_feed_manage, name="board_feed_manage"),
    path("calendar/mine/", feeds.person_feed_manage, name="person_feed_manage"),
]
