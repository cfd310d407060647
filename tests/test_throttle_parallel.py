"""Parallel changes are counted exactly: a limit of N lets N through, however many arrive at once.

Production counts in Redis, which it requires; this runs the same requests
against the local Redis (skipped without one, unless PORTAL_REQUIRE_REDIS) and
PostgreSQL (SQLite's in-memory test database refuses parallel writers).
"""

import time
import uuid

import pytest
from django.db import connection
from django.test import Client, override_settings

from .conftest import redis_or_skip
from .test_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL"),
]

REDIS_URL = "redis://127.0.0.1:6379/13"
LIMIT = 10
REQUESTS = 40


@pytest.fixture
def redis_cache():
    client = redis_or_skip(REDIS_URL)
    # A prefix of this run's own on the shared server; only its keys are removed after.
    prefix = f"portal-test-{uuid.uuid4().hex}"
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    caches["default"]["KEY_PREFIX"] = prefix
    with override_settings(CACHES=caches, WATCHED_CHANGES_PER_MINUTE=LIMIT):
        yield
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_parallel_changes_get_exactly_the_limit_and_429_after(redis_cache, learner, course):
    browsers = []
    for _ in range(REQUESTS):
        browser = Client()
        browser.force_login(learner)
        browsers.append(browser)
    # All in one minute's window: start clear of a minute's turn.
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    calls = [
        lambda browser=browser, n=n: (
            browser.post("/lectures/training-data/watched/", {"watched": "true" if n % 2 else "false"}).status_code
        )
        for n, browser in enumerate(browsers)
    ]
    results, errors = run_together(calls)
    assert errors == []
    assert sorted(results) == [303] * LIMIT + [429] * (REQUESTS - LIMIT)
