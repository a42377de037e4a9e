from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "engagement.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from engagement.core import checks  # noqa: F401  (registers the system checks)
