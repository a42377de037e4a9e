from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "engagement.dashboard"
    label = "dashboard"
    verbose_name = "Executive dashboard"
