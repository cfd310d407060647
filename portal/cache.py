"""Redis as a cache, not a dependency."""

import logging
import time
from functools import partial

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (ConnectionError, TimeoutError)


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, carrying on while Redis is stopped or hung.

    Meanwhile reads miss, writes are dropped and add() reports success (allauth's
    rate limits take a lock with it), so sessions come from the database and
    throttles let requests through. After a failure Redis is left alone for
    `retry_after` seconds: a hung Redis costs a request one socket timeout, not
    one per call. Keys written or deleted while Redis was away are deleted once
    it answers again, so that it never serves a copy older than the database's
    (a session ended meanwhile must stay ended).

    Django makes one instance per thread, so nothing here is shared between threads.
    """

    retry_after = 2.0
    # A long outage under load must not grow the list without end.
    max_dropped = 10_000

    def __init__(self, server, params):
        super().__init__(server, params)
        self.down_until = None
        self.dropped = set()

    def attempt(self, operation, fallback, *, keys=(), version=None):
        if self.down_until is not None and time.monotonic() < self.down_until:
            self.drop(keys, version)
            return fallback
        try:
            if self.down_until is not None:
                self.recover()
            return operation()
        except UNREACHABLE as error:
            if self.down_until is None:
                logger.warning(
                    "Redis is unreachable (%s): sessions come from the database, throttles are off until it is back.",
                    error,
                )
            self.down_until = time.monotonic() + self.retry_after
            self.drop(keys, version)
            return fallback

    def drop(self, keys, version):
        if len(self.dropped) < self.max_dropped:
            self.dropped.update((key, version) for key in keys)
            if len(self.dropped) >= self.max_dropped:
                logger.error(
                    "Over %s writes dropped: Redis may serve older copies until they expire.", self.max_dropped
                )

    def recover(self):
        for version in {version for _, version in self.dropped}:
            super().delete_many([key for key, of in self.dropped if of == version], version=version)
        logger.warning("Redis answers again; %s keys written while it was away deleted.", len(self.dropped))
        self.dropped.clear()
        self.down_until = None

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(partial(super().add, key, value, timeout, version), True, keys=[key], version=version)

    def get(self, key, default=None, version=None):
        return self.attempt(partial(super().get, key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.attempt(partial(super().set, key, value, timeout, version), None, keys=[key], version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(partial(super().touch, key, timeout, version), False, keys=[key], version=version)

    def delete(self, key, version=None):
        return self.attempt(partial(super().delete, key, version), False, keys=[key], version=version)

    def get_many(self, keys, version=None):
        return self.attempt(partial(super().get_many, keys, version), {})

    def has_key(self, key, version=None):
        return self.attempt(partial(super().has_key, key, version), False)

    def incr(self, key, delta=1, version=None):
        value = self.attempt(partial(super().incr, key, delta, version), None, keys=[key], version=version)
        if value is None:
            # Nothing is counted while Redis is away, as if the key had expired.
            raise ValueError(f"Key {key!r} not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        operation = partial(super().set_many, data, timeout, version)
        return self.attempt(operation, list(data), keys=list(data), version=version)

    def delete_many(self, keys, version=None):
        self.attempt(partial(super().delete_many, keys, version), None, keys=list(keys), version=version)

    def clear(self):
        return self.attempt(super().clear, False)
