from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "engagement.org"
    label = "org"
    verbose_name = "Organisation"
