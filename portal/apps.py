from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from . import checks  # noqa: F401


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin.AdminSite"
