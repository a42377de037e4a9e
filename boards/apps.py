from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"
    verbose_name = "Boards"

    def ready(self) -> None:
        from boards import notifications, panels, permissions, services
        from charter.permissions import register_decider
        from touchpoints.panels import register_panel

        # Chairs (and delegates) approve or reject claims on touchpoints their board governs,
        # and resolve a conflict only through the board decision that records why.
        register_decider(permissions.governs, conflicts=False)
        register_decider(services.decider_for_conflicts, claims=False)
        # The touchpoint page shows the boards governing it and their recent decisions.
        register_panel("boards", panels.render_boards_panel, order=30)
        # Reminders, escalation ladders, missed meetings and charter gaps of boards and the
        # charter, and the owner's, chair's and executive's digest sections.
        notifications.register()
