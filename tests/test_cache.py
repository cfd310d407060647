"""The throttle's counter, on the default database cache and on Redis."""

from unittest.mock import patch

import pytest
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.test import override_settings

from portal.cache import ReusedClientRedisCache, count_in_window

from .conftest import redis_or_skip

REDIS = {"default": {"BACKEND": "portal.cache.ReusedClientRedisCache", "LOCATION": "redis://127.0.0.1:6379/13"}}


@pytest.mark.django_db
def test_it_counts_on_the_database_cache():
    cache = caches["default"]
    assert [count_in_window(cache, "counter", 60) for _ in range(3)] == [1, 2, 3]


def test_it_counts_on_redis_in_one_round_trip_and_expires():
    redis_or_skip(REDIS["default"]["LOCATION"])
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


LINKED_KEYS = ["value", "link", "linked:7"]


@pytest.fixture
def redis_cache():
    redis_or_skip(REDIS["default"]["LOCATION"])
    with override_settings(CACHES=REDIS):
        cache = caches["default"]
        cache.delete_many(LINKED_KEYS)
        yield cache
        cache.delete_many(LINKED_KEYS)


def test_a_value_and_the_one_it_links_to_come_in_one_script_call(redis_cache):
    redis_cache.set_many({"value": {"a": 1}, "link": 7, "linked:7": ["seven"]})
    with patch.object(ReusedClientRedisCache, "get", side_effect=AssertionError("a second round trip")):
        assert redis_cache.get_with_linked("value", "link", "linked:") == ({"a": 1}, 7, ["seven"])
        redis_cache.delete("linked:7")
        assert redis_cache.get_with_linked("value", "link", "linked:") == ({"a": 1}, 7, None)
        redis_cache.delete("link")
        assert redis_cache.get_with_linked("value", "link", "linked:") == ({"a": 1}, None, None)
        redis_cache.delete("value")
        assert redis_cache.get_with_linked("value", "link", "linked:") == (None, None, None)


@pytest.fixture
def reversed_keys(redis_cache):
    with override_settings(CACHES={"default": REDIS["default"] | {"KEY_FUNCTION": "tests.test_cache.reversed_key"}}):
        cache = caches["default"]
        cache.delete_many(LINKED_KEYS)
        yield cache
        cache.delete_many(LINKED_KEYS)


def reversed_key(key, key_prefix, version):
    return f"{key}:{version}:{key_prefix}"


def test_with_another_key_function_only_the_value_is_read(reversed_keys):
    reversed_keys.set_many({"value": "v", "link": 7, "linked:7": "seven"})
    assert reversed_keys.get_with_linked("value", "link", "linked:") == ("v", None, None)
