from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from .backends import forget_user
        from .models import User

        post_save.connect(forget_user, sender=User, dispatch_uid="forget-cached-user-save")
        post_delete.connect(forget_user, sender=User, dispatch_uid="forget-cached-user-delete")
