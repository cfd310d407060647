"""Authentication backends that read the signed-in user from the shared cache.

Every signed-in request loads its user; with Redis the row comes from there
instead of the database. Saving or deleting a user replaces the cached copy
with a short-lived mark, so a changed password, a deactivated account or new
staff rights apply at once. Users are cached with add, which never overwrites
the mark, and only by a read quick enough to end well within the mark's life,
so a request that read the row just before the save cannot put it back. Only
save() and delete() send the signals that set the mark: users are never changed
with QuerySet.update() or raw SQL. The session may bring the cached user along
(accounts/sessions.py).
"""

from contextvars import ContextVar
from functools import partial
from time import monotonic

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.cache import cache
from django.db import transaction

USER_CACHE_KEY_PREFIX = "user:"


def user_cache_key(user_id):
    return f"{USER_CACHE_KEY_PREFIX}{user_id}"


# The session whose user Django is looking up, set by accounts.middleware while it does.
authenticating_session = ContextVar("authenticating_session", default=None)


# What the cache holds for a user for a while after it is saved: read from the database meanwhile.
FORGOTTEN = "forgotten"
FORGOTTEN_SECONDS = 10


class CachedUserMixin:
    def get_user(self, user_id):
        if not settings.USER_CACHE_SECONDS:
            return super().get_user(user_id)
        key = user_cache_key(user_id)
        # The session read it in the same round trip; only for its own user, since the link may name another.
        session = authenticating_session.get()
        linked = getattr(session, "linked_user_id", None) == user_id
        cached = session.prefetched_user if linked else cache.get(key)
        if cached is None:
            started = monotonic()
            user = super().get_user(user_id)
            # A save committed during a slow read may have a mark that expires before this copy is added.
            if user is not None and monotonic() - started < FORGOTTEN_SECONDS / 2:
                cache.add(key, user, settings.USER_CACHE_SECONDS)
            return user
        if cached == FORGOTTEN:
            return super().get_user(user_id)
        return cached


class ModelBackend(CachedUserMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(CachedUserMixin, AllauthBackend):
    pass


def forget_user(sender, instance, **kwargs):
    if not settings.USER_CACHE_SECONDS:
        return
    # The key is built now: after a delete, Django clears instance.pk before the commit.
    forget = partial(cache.set, user_cache_key(instance.pk), FORGOTTEN, FORGOTTEN_SECONDS)
    forget()
    using = kwargs.get("using")
    if transaction.get_connection(using).in_atomic_block:
        # Until the save commits, others still read the old row: forgotten again from then on.
        transaction.on_commit(forget, using=using)
