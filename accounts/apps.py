from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    # allauth's own app is called Accounts in the admin: this one holds the users.
    verbose_name = _("Users")

    def ready(self):
        from . import signals  # noqa: F401
