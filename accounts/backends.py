"""Authentication backends that read the signed-in user from the shared cache.

Every signed-in request loads its user; with Redis the row comes from there
instead of the database. Saving or deleting a user drops the cached copy, so
a changed password, a deactivated account or new staff rights apply at once.
The session may bring the cached user along (accounts/sessions.py).
"""

from contextvars import ContextVar

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.cache import cache

USER_CACHE_KEY_PREFIX = "user:"


def user_cache_key(user_id):
    return f"{USER_CACHE_KEY_PREFIX}{user_id}"


# The session whose user Django is looking up, set by accounts.middleware while it does.
authenticating_session = ContextVar("authenticating_session", default=None)


class CachedUserMixin:
    def get_user(self, user_id):
        if not settings.USER_CACHE_SECONDS:
            return super().get_user(user_id)
        user = getattr(authenticating_session.get(), "prefetched_user", None)
        if user is not None and user.pk == user_id:
            return user
        key = user_cache_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(key, user, settings.USER_CACHE_SECONDS)
        return user


class ModelBackend(CachedUserMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(CachedUserMixin, AllauthBackend):
    pass


def forget_user(sender, instance, **kwargs):
    cache.delete(user_cache_key(instance.pk))
