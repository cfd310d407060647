"""Sessions in the database, read through the shared cache together with their user.

A signed-in request needs its session and then the user the session names. With
Redis both are cached (the user by accounts/backends.py), but reading one after
the other costs two round trips. Next to each signed-in session the cache keeps
the id of its user, so that loading the session brings the cached user along in
the same round trip. That user is only a candidate: the authentication backend
takes it when its id is the session's, and Django checks the session's hash
against it as always. Saving a user puts a short-lived mark in place of its
cached copy (accounts/backends.py), so a stale one is never handed over.

Only the synchronous methods bring the user along; the asynchronous ones are
Django's, and a session they save or load is linked again on its next load.
"""

import logging

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from .backends import USER_CACHE_KEY_PREFIX

logger = logging.getLogger("django.contrib.sessions")

# Outside the sessions' own prefix, so that no session key a browser sends can name a link.
USER_LINK_PREFIX = "session-user:"


class SessionStore(CachedDBStore):
    # The id the session is linked to, and what the cache held for that user as the
    # session was read: a candidate, checked by the backend and by Django.
    linked_user_id = None
    prefetched_user = None

    @staticmethod
    def user_link_key(session_key):
        return USER_LINK_PREFIX + session_key

    def load(self):
        get_with_linked = getattr(self._cache, "get_with_linked", None)
        if get_with_linked is None:
            return super().load()
        try:
            data, self.linked_user_id, self.prefetched_user = get_with_linked(
                self.cache_key, self.user_link_key(self.session_key), USER_CACHE_KEY_PREFIX
            )
        except Exception:
            # As Django's own: a key the cache refuses means no session.
            data = self.linked_user_id = self.prefetched_user = None
        if data is None:
            return self._load_from_database()
        if self.linked_user_id is None and SESSION_KEY in data:
            # Cached before it was linked (or the link was evicted): linked for the next request.
            self._link_user(data, self.get_expiry_age(expiry=data.get("_session_expiry")))
        return data

    def _load_from_database(self):
        session = self._get_session_from_db()
        if session is None:
            return {}
        data = self.decode(session.session_data)
        age = self.get_expiry_age(expiry=session.expire_date)
        values = {self.cache_key: data}
        if (user_id := data.get(SESSION_KEY)) is not None:
            values[self.user_link_key(self.session_key)] = int(user_id)
        self._cache.set_many(values, age)
        return data

    def save(self, must_create=False):
        super().save(must_create)
        self._link_user(self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        super().delete(session_key)
        if session_key:
            self._cache.delete(self.user_link_key(session_key))

    def _link_user(self, data, age):
        # User ids are integers, which the cache stores as they are, readable on the server.
        if (user_id := data.get(SESSION_KEY)) is None:
            return
        try:
            self._cache.set(self.user_link_key(self.session_key), int(user_id), age)
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)
