"""With Redis, a signed-in request reads its session and its user in one round trip, and never a stale user."""

from unittest.mock import patch

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.backends import user_cache_key
from accounts.sessions import SessionStore
from portal.cache import ReusedClientRedisCache

from .conftest import make_user, redis_or_skip

REDIS_URL = "redis://127.0.0.1:6379/12"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared_cache(settings):
    """The production set-up on a real Redis: the cache, sessions read through it, users cached."""
    client = redis_or_skip(REDIS_URL)
    client.flushdb()
    settings.CACHES = {"default": {"BACKEND": "portal.cache.ReusedClientRedisCache", "LOCATION": REDIS_URL}}
    settings.SESSION_ENGINE = "accounts.sessions"
    settings.USER_CACHE_SECONDS = 300
    yield client
    client.flushdb()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def link_key(client):
    return SessionStore.user_link_key(SessionStore.cache_key_prefix + client.cookies["sessionid"].value)


def visitor(response):
    return response.context["user"]


def test_a_signed_in_request_reads_its_session_and_user_in_one_round_trip(course, learner):
    client = signed_in(learner)
    client.get("/")  # the first request caches the user
    reads = []
    real_get = ReusedClientRedisCache.get

    def get(cache, key, *args, **kwargs):
        reads.append(key)
        return real_get(cache, key, *args, **kwargs)

    with (
        patch.object(ReusedClientRedisCache, "get", autospec=True, side_effect=get),
        patch.object(
            ReusedClientRedisCache, "get_with_linked", autospec=True, wraps=ReusedClientRedisCache.get_with_linked
        ) as together,
    ):
        response = client.get("/")
    assert visitor(response) == learner
    assert together.call_count == 1
    assert not [key for key in reads if key.startswith((SessionStore.cache_key_prefix, user_cache_key("")))]


def test_a_changed_password_signs_other_sessions_out_at_once(course, learner):
    client = signed_in(learner)
    assert visitor(client.get("/")) == learner
    learner.set_password("a new and different passphrase")
    learner.save()
    assert not visitor(client.get("/")).is_authenticated


def test_a_deactivated_account_is_signed_out_at_once(course, learner):
    client = signed_in(learner)
    assert visitor(client.get("/")) == learner
    learner.is_active = False
    learner.save()
    assert not visitor(client.get("/")).is_authenticated


def test_new_staff_rights_apply_at_once(course, learner):
    client = signed_in(learner)
    assert client.get("/admin/").status_code == 302
    learner.is_staff = True
    learner.save()
    assert client.get("/admin/").status_code == 200


def test_a_session_linked_to_another_user_still_gets_its_own(course, learner, other_learner):
    client, other = signed_in(learner), signed_in(other_learner)
    assert visitor(other.get("/")) == other_learner  # the other learner is cached now
    cache.set(link_key(client), other_learner.pk)
    response = client.get("/")
    assert visitor(response) == learner
    assert visitor(response).pk == learner.pk


def test_sessions_outlive_a_lost_cache_and_are_linked_again(course, learner, shared_cache):
    client = signed_in(learner)
    client.get("/")
    shared_cache.flushdb()
    assert visitor(client.get("/")) == learner  # from the database
    assert cache.get(link_key(client)) == learner.pk
    assert visitor(client.get("/")) == learner


def test_signing_out_drops_the_link(course):
    learner = make_user("leaving@example.org")
    client = signed_in(learner)
    key = link_key(client)
    assert cache.get(key) == learner.pk
    client.post(reverse("account_logout"))
    assert cache.get(key) is None
    assert not visitor(client.get("/")).is_authenticated
