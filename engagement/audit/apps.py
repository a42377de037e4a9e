from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "engagement.audit"
    label = "audit"
    verbose_name = "Audit log"
