from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardsConfig(AppConfig):
    name = "boards"
    verbose_name = "Boards"

    def ready(self) -> None:
        from boards import notifications, panels, permissions, services
        from boards.filters import scope_filter
        from charter.filters import ConflictFilterSet, MatrixFilterSet
        from charter.permissions import register_decider
        from engagement.core.filtersets import add_filter
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
        # The charter's conflict list and rights matrix (their exports, the API) filter by a
        # board: what is in its scope.
        add_filter(
            ConflictFilterSet,
            "board",
            scope_filter("touchpoint", _("Conflicts on touchpoints the board governs (its id).")),
        )
        add_filter(
            MatrixFilterSet,
            "board",
            scope_filter("pk", _("Touchpoints the board governs, directly or by stage (its id).")),
        )
