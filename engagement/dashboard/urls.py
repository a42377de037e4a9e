from django.urls import path

from engagement.dashboard.views import board, search, work

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", board.dashboard, name="dashboard"),
    path("dashboard/export.csv", board.export, name="export"),
    path("dashboard/boards/<int:pk>/pack/", board.board_pack, name="board_pack"),
    path("my-work/", work.my_work, name="my_work"),
    path("search/", search.search, name="search"),
]
