from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    # allauth's own app is called Accounts in the admin: this one holds the users.
    verbose_name = "Users"
