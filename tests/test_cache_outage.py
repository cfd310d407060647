"""Redis is a cache, not a dependency: stopped, hung or back again, the portal works from the database."""

import logging
import runpy
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from progress.models import LectureProgress

from .conftest import HTMX, PASSWORD, redis_server_or_skip

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def production_caches(redis_url, monkeypatch, **environ):
    """CACHES as portal/settings.py builds them for this REDIS_URL."""
    with monkeypatch.context() as patch:
        for name, value in (environ | {"REDIS_URL": redis_url}).items():
            patch.setenv(name, value)
        return runpy.run_path(str(ROOT / "portal" / "settings.py"))["CACHES"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_refused(monkeypatch):
    """The cache points at a port where nothing listens: every call is refused at once."""
    with override_settings(CACHES=production_caches(f"redis://127.0.0.1:{free_port()}/0", monkeypatch)):
        yield


@pytest.fixture
def redis_hung(monkeypatch):
    """A server that accepts connections and never answers, as a paused Redis does."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    stopping = threading.Event()

    def accept():
        while not stopping.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    try:
        with override_settings(CACHES=production_caches(url, monkeypatch)):
            yield
    finally:
        stopping.set()
        listener.close()
        for connection in accepted:
            connection.close()


@pytest.fixture
def own_redis(monkeypatch):
    """A Redis server of the test's own, to pause and resume; never the shared one."""
    executable = redis_server_or_skip()
    port = free_port()
    server = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    try:
        with override_settings(CACHES=production_caches(f"redis://127.0.0.1:{port}/0", monkeypatch)):
            yield server
    finally:
        server.send_signal(signal.SIGCONT)
        server.terminate()
        server.wait(timeout=10)


def assert_the_portal_works(client, learner_client, learner):
    assert client.get("/").status_code == 200
    assert learner_client.get("/lectures/training-data/").status_code == 200
    response = learner_client.post("/lectures/training-data/watched/", {"watched": "true"}, **HTMX)
    assert response.status_code == 200
    assert LectureProgress.objects.filter(user=learner, lecture__slug="training-data").exists()
    # Sign-in takes allauth's rate-limit lock in the cache.
    signing_in = Client().post("/accounts/login/", {"login": learner.email, "password": PASSWORD})
    assert signing_in.status_code == 302
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "down"}


def test_pages_toggles_and_sign_in_work_while_redis_refuses_connections(redis_refused, client, learner, course, caplog):
    learner_client = Client()
    learner_client.force_login(learner)  # the session is saved to the database alone
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert_the_portal_works(client, learner_client, learner)
    assert "Redis is unreachable" in caplog.text


def test_a_hung_redis_costs_a_request_one_short_timeout(redis_hung, client, learner, course):
    learner_client = Client()
    learner_client.force_login(learner)
    started = time.monotonic()
    assert_the_portal_works(client, learner_client, learner)
    # Six requests, each of which would wait for the cache more than once:
    # redis-py's default would be 5 s a call.
    assert time.monotonic() - started < 2


def test_the_watched_throttle_fails_open_with_a_warning(redis_refused, learner, course, caplog, settings):
    settings.WATCHED_CHANGES_PER_MINUTE = 2
    learner_client = Client()
    learner_client.force_login(learner)
    with caplog.at_level(logging.WARNING, logger="progress.views"):
        for value in ["true", "false", "true", "false"]:
            response = learner_client.post("/lectures/training-data/watched/", {"watched": value}, **HTMX)
            assert response.status_code == 200
    assert "not counted" in caplog.text


def test_a_session_ended_while_redis_hung_stays_ended_when_it_answers_again(own_redis, learner, course):
    learner_client = Client()
    learner_client.force_login(learner)
    assert learner_client.get("/progress/").status_code == 200  # the session is in Redis now
    cache.retry_after = 0.1
    stolen = learner_client.cookies["sessionid"].value

    own_redis.send_signal(signal.SIGSTOP)
    learner_client.post("/accounts/logout/")
    own_redis.send_signal(signal.SIGCONT)
    time.sleep(0.2)

    thief = Client()
    thief.cookies["sessionid"] = stolen
    # Redis still holds the signed-in copy from before the pause; it must not be served.
    assert thief.get("/progress/").status_code == 302


def test_healthz_reports_the_cache_while_redis_is_paused(own_redis, client):
    assert client.get("/healthz").json()["cache"] == "ok"
    own_redis.send_signal(signal.SIGSTOP)
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 1
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "down"}


def test_deployments_sharing_a_redis_never_read_each_others_keys(own_redis, settings, monkeypatch):
    url = settings.CACHES["default"]["LOCATION"]
    staging = production_caches(url, monkeypatch, DATABASE_URL="postgres://db.example.org:5432/staging")
    production = production_caches(url, monkeypatch, DATABASE_URL="postgres://db.example.org:5432/portal")
    with override_settings(CACHES=staging):
        cache.set("watched-changes:1:0", 40)
    with override_settings(CACHES=production):
        assert cache.get("watched-changes:1:0") is None
