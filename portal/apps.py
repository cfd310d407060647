from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from . import checks  # noqa: F401


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin on the portal's own site: allauth's sign-in, and a second factor."""

    default = False
    default_site = "portal.admin.AdminSite"
