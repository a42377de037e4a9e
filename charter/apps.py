from django.apps import AppConfig


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = "Charter"

    def ready(self):
        # The charter adds its facts (vacant and contested rights) to touchpoint health.
        from charter import health, panels
        from touchpoints.health import register_provider
        from touchpoints.panels import register_panel

        register_provider("charter", health.rights_penalties)
        register_panel("rights", panels.render_rights_panel, order=20)
