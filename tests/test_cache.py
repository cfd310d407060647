"""The throttle's counter, on the default database cache and on Redis."""

from unittest.mock import patch

import pytest
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.test import override_settings

from portal.cache import ReusedClientRedisCache, count_in_window

REDIS = {"default": {"BACKEND": "portal.cache.ReusedClientRedisCache", "LOCATION": "redis://127.0.0.1:6379/13"}}


@pytest.mark.django_db
def test_it_counts_on_the_database_cache():
    cache = caches["default"]
    assert [count_in_window(cache, "counter", 60) for _ in range(3)] == [1, 2, 3]


def test_it_counts_on_redis_in_one_round_trip_and_expires():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS["default"]["LOCATION"]).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    with override_settings(CACHES=REDIS):
        cache = caches["default"]
        assert isinstance(cache, ReusedClientRedisCache)
        cache.delete("counter")
        # Through Django's proxy, as the views call it; one script call (one round trip) each.
        with patch.object(ReusedClientRedisCache, "incr", side_effect=AssertionError("the slow path")):
            assert [count_in_window(default_cache, "counter", 60) for _ in range(3)] == [1, 2, 3]
        # The value is readable through the cache API too.
        assert cache.get("counter") == 3
        client = cache._cache.get_client("counter")
        assert 0 < client.ttl(cache.make_and_validate_key("counter")) <= 60
        # The window does not slide: a later count keeps the first expiry.
        count_in_window(default_cache, "counter", 600)
        assert client.ttl(cache.make_and_validate_key("counter")) <= 60
        # A counter found without an expiry gets one.
        client.persist(cache.make_and_validate_key("counter"))
        count_in_window(default_cache, "counter", 60)
        assert 0 < client.ttl(cache.make_and_validate_key("counter")) <= 60
        cache.delete("counter")
