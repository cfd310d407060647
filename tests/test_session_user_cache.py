"""With Redis, a signed-in request reads its session and its user in one round trip, and never a stale user."""

import itertools
from unittest.mock import patch

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.cache import cache
from django.urls import reverse

from accounts.backends import (
    FORGOTTEN,
    FORGOTTEN_SECONDS,
    USER_CACHE_KEY_PREFIX,
    ModelBackend,
    authenticating_session,
    user_cache_key,
)
from accounts.models import User
from accounts.sessions import SessionStore
from portal.cache import ReusedClientRedisCache

from .conftest import PASSWORD, redis_or_skip

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


def session_key(client):
    return SessionStore.cache_key_prefix + client.cookies["sessionid"].value


def link_key(client):
    return SessionStore.user_link_key(client.cookies["sessionid"].value)


def visitor(response):
    return response.context["user"]


def cache_user(client, user):
    """Have the user cached, past the mark that creating and signing them in left."""
    cache.delete(user_cache_key(user.pk))
    client.get("/")
    assert cache.get(user_cache_key(user.pk)) == user


def test_a_signed_in_request_reads_its_session_and_user_in_one_round_trip(course, learner, learner_client):
    cache_user(learner_client, learner)
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
        response = learner_client.get("/")
    assert visitor(response) == learner
    assert together.call_count == 1
    assert not [key for key in reads if key.startswith((SessionStore.cache_key_prefix, USER_CACHE_KEY_PREFIX))]
    assert authenticating_session.get() is None  # only set while Django looks the user up


def test_a_changed_password_signs_other_sessions_out_at_once(course, learner, learner_client):
    cache_user(learner_client, learner)
    learner.set_password("a new and different passphrase")
    learner.save()
    assert not visitor(learner_client.get("/")).is_authenticated


def test_a_deactivated_account_is_signed_out_at_once(course, learner, learner_client):
    cache_user(learner_client, learner)
    learner.is_active = False
    learner.save()
    assert not visitor(learner_client.get("/")).is_authenticated


def test_a_deleted_account_is_signed_out_at_once(course, learner, learner_client):
    cache_user(learner_client, learner)
    learner.delete()
    assert not visitor(learner_client.get("/")).is_authenticated


def test_new_staff_rights_apply_at_once(course, learner, learner_client):
    cache_user(learner_client, learner)
    assert learner_client.get("/admin/").status_code == 302
    learner.is_staff = True
    learner.save()
    assert learner_client.get("/admin/").status_code == 200


def test_a_session_linked_to_another_user_still_gets_its_own(
    course, learner, learner_client, other_learner, other_client
):
    cache_user(other_client, other_learner)
    cache.set(link_key(learner_client), other_learner.pk)
    assert visitor(learner_client.get("/")) == learner


def test_a_session_key_naming_a_link_is_no_session(course, learner_client):
    learner_client.cookies["sessionid"] = learner_client.cookies["sessionid"].value + ":user"
    response = learner_client.get("/")
    assert response.status_code == 200
    assert not visitor(response).is_authenticated


def test_sessions_outlive_a_lost_cache_and_are_linked_again(course, learner, learner_client, shared_cache):
    learner_client.get("/")
    shared_cache.flushdb()
    with patch.object(
        ReusedClientRedisCache, "get_with_linked", autospec=True, wraps=ReusedClientRedisCache.get_with_linked
    ) as together:
        assert visitor(learner_client.get("/")) == learner  # from the database
    assert together.call_count == 1
    assert cache.get(link_key(learner_client)) == learner.pk
    ttl = {
        key: shared_cache.ttl(cache.make_key(key)) for key in (session_key(learner_client), link_key(learner_client))
    }
    assert 0 < ttl[link_key(learner_client)] <= ttl[session_key(learner_client)]
    assert visitor(learner_client.get("/")) == learner


def test_sessions_cached_before_they_had_a_link_get_one(course, learner, learner_client):
    learner_client.get("/")
    cache.delete(link_key(learner_client))
    assert visitor(learner_client.get("/")) == learner
    assert cache.get(link_key(learner_client)) == learner.pk


def test_signing_in_links_the_new_session(course, learner, client):
    anonymous = SessionStore()
    anonymous["theme"] = "dark"
    anonymous.create()
    client.cookies["sessionid"] = anonymous.session_key
    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != anonymous.session_key  # a new key on signing in
    assert cache.get(link_key(client)) == learner.pk
    assert cache.get(SessionStore.user_link_key(anonymous.session_key)) is None
    assert visitor(client.get("/")) == learner


def test_signing_out_drops_the_link(course, learner, learner_client):
    key = link_key(learner_client)
    assert cache.get(key) == learner.pk
    learner_client.post(reverse("account_logout"))
    assert cache.get(key) is None
    assert not visitor(learner_client.get("/")).is_authenticated


def test_a_user_read_just_before_a_save_is_not_cached_over_it(course, learner):
    real_get_user = DjangoModelBackend.get_user

    def read_then_saved(backend, user_id):
        user = real_get_user(backend, user_id)
        saved = User.objects.get(pk=user_id)  # another request changes the password meanwhile
        saved.set_password("a new and different passphrase")
        saved.save()
        return user

    cache.delete(user_cache_key(learner.pk))
    with patch.object(DjangoModelBackend, "get_user", autospec=True, side_effect=read_then_saved):
        stale = ModelBackend().get_user(learner.pk)
    assert ModelBackend().get_user(learner.pk).password != stale.password


def test_a_saved_user_is_read_from_the_database_until_the_mark_expires(course, learner, shared_cache):
    key = user_cache_key(learner.pk)
    learner.save()
    assert cache.get(key) == FORGOTTEN
    assert 0 < shared_cache.ttl(cache.make_key(key)) <= 60  # a saved user is cached again within a minute
    assert ModelBackend().get_user(learner.pk) == learner
    assert cache.get(key) == FORGOTTEN
    cache.delete(key)  # as when the mark expires
    ModelBackend().get_user(learner.pk)
    assert cache.get(key) == learner


def test_a_save_is_forgotten_again_when_it_commits(course, learner, django_capture_on_commit_callbacks):
    key = user_cache_key(learner.pk)
    with django_capture_on_commit_callbacks(execute=True):
        learner.save()
        # A copy added after the first mark expired, in a transaction longer than the mark's life.
        cache.set(key, "a copy read before the save committed")
    assert cache.get(key) == FORGOTTEN


def test_a_slow_read_is_not_cached(course, learner):
    key = user_cache_key(learner.pk)
    cache.delete(key)
    clock = itertools.count(0, FORGOTTEN_SECONDS)  # each reading of the clock ten seconds on
    with patch("accounts.backends.monotonic", side_effect=lambda: next(clock)):
        assert ModelBackend().get_user(learner.pk) == learner
    assert cache.get(key) is None
    assert ModelBackend().get_user(learner.pk) == learner
    assert cache.get(key) == learner
