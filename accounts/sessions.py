"""Sessions in the database, read through the shared cache together with their user.

A signed-in request needs its session and then the user the session names. With
Redis both are cached (the user by accounts/backends.py), but reading one after
the other costs two round trips. Next to each signed-in session the cache keeps
the id of its user, so that loading the session brings the cached user along in
the same round trip. That user is only a candidate: the authentication backend
takes it when its id is the session's, and Django checks the session's hash
against it as always. Saving a user drops its cached copy, so a stale one is
never handed over.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from .backends import user_cache_key


class SessionStore(CachedDBStore):
    # The cached user that came with the session, if any (see the module's docstring).
    user = None

    @staticmethod
    def user_link_key(cache_key):
        return f"{cache_key}:user"

    def load(self):
        get_with_linked = getattr(self._cache, "get_with_linked", None)
        if get_with_linked is None:
            return super().load()
        try:
            data, self.user = get_with_linked(self.cache_key, self.user_link_key(self.cache_key), user_cache_key(""))
        except Exception:
            # As Django's own: a key the cache refuses means no session.
            data = None
        if data is None:
            # Not in the cache: from the database, linked again to its user for the next request.
            data = super().load()
            self._link_user(data)
        return data

    def save(self, must_create=False):
        super().save(must_create)
        self._link_user(self._session)

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        super().delete(session_key)
        if session_key:
            self._cache.delete(self.user_link_key(self.cache_key_prefix + session_key))

    def _link_user(self, data):
        # User ids are integers, which the cache stores as they are, readable on the server.
        if (user_id := data.get(SESSION_KEY)) is not None:
            self._cache.set(self.user_link_key(self.cache_key), int(user_id), self.get_expiry_age())
