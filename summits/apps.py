from django.apps import AppConfig


class SummitsConfig(AppConfig):
    name = "summits"
    verbose_name = "Summits"

    def ready(self) -> None:
        from boards.panels import board_page, decision_page, meeting_page
        from engagement.notify.digests import sections
        from engagement.notify.scanning import scanners
        from summits import notifications, panels
        from touchpoints.panels import register_panel

        # A board's page shows the summit action items it follows up; a meeting's page the
        # items on its agenda and the backlog to add; a decision's page the items it closed
        # or re-planned; a touchpoint's page the open items that change it.
        board_page.register("action_items", panels.render_board_panel, order=40)
        meeting_page.register("action_items", panels.render_meeting_panel, order=40)
        decision_page.register("action_items", panels.render_decision_panel, order=40)
        register_panel("actions", panels.render_touchpoint_panel, order=40)

        # Reminders before an item's due date, the escalation ladder after it, and the
        # owner's part of a digest.
        scanners.register("reminders", "action-items", notifications.scan_action_item_reminders)
        scanners.register("escalations", "action-items", notifications.scan_action_item_escalations)
        sections.register("owner-actions", notifications.owner_section, order=20)
