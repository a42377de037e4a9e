from django.apps import AppConfig


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = "Charter"

    def ready(self):
        # The charter adds its facts (vacant and contested rights) to touchpoint health.
        from charter import health
        from touchpoints.health import register_provider

        register_provider("charter", health.rights_penalties)
