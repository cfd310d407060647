from allauth.account.signals import email_confirmed
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .adapter import revoke_unproven_password


@receiver(email_confirmed)
def settle_the_password(sender, request, email_address, **kwargs):
    revoke_unproven_password(request=request, user=email_address.user)


@receiver(user_logged_in)
def keep_browser_language(sender, request, user, **kwargs):
    """A language chosen before signing in becomes the account's, unless the account has one of its own.

    The cookie may be another account's language left on a shared browser: the account's own choice wins.
    """
    if user.language:
        return
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) if request else None
    if chosen in dict(settings.LANGUAGES):
        user.language = chosen
        user.save(update_fields=["language"])
