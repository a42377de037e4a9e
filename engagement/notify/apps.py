from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "engagement.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        from engagement.notify.digests import scan_digests
        from engagement.notify.scanning import scanners

        scanners.register("reminders", "digests", scan_digests)
