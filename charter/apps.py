from django.apps import AppConfig


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = "Charter"

    def ready(self):
        # The charter adds its facts (vacant and contested rights) to touchpoint health.
        from charter import health, panels
        from charter.filters import touchpoint_function_filter
        from engagement.core.filtersets import add_filter
        from touchpoints.filters import TouchpointFilterSet
        from touchpoints.health import register_provider
        from touchpoints.panels import register_panel

        register_provider("charter", health.rights_penalties)
        register_panel("rights", panels.render_rights_panel, order=20)
        # The touchpoint list (and its export and the API) filters by a function's rights.
        add_filter(TouchpointFilterSet, "function", touchpoint_function_filter())
