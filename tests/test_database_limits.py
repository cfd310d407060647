"""PostgreSQL time limits: a held lock or a runaway query ends in the site's 503 page, not a stalled site."""

import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client, override_settings

from portal.checks import connection_budget

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL"),
]


@pytest.fixture
def locked(transactional_db, course):
    """The lectures table locked by another session, as a migration or a VACUUM FULL holds it."""
    other = connections.create_connection("default")
    other.set_autocommit(False)
    with other.cursor() as cursor:
        cursor.execute("LOCK TABLE lectures_lecture IN ACCESS EXCLUSIVE MODE")
    yield
    other.rollback()
    other.close()


def test_a_page_behind_a_held_lock_answers_503_within_the_lock_timeout(locked):
    started = time.monotonic()
    response = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en").get("/")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "The portal is busy" in response.content.decode()
    assert '<link rel="stylesheet"' in response.content.decode()  # in the site's layout
    assert settings.DB_LOCK_TIMEOUT_MS / 1000 <= elapsed < settings.DB_LOCK_TIMEOUT_MS / 1000 + 1


def test_healthz_answers_at_once_while_a_table_is_locked(locked):
    started = time.monotonic()
    assert Client().get("/healthz").status_code == 200
    assert time.monotonic() - started < 1


@override_settings(ROOT_URLCONF="tests.urls_failing")
def test_a_runaway_query_answers_503(transactional_db):
    started = time.monotonic()
    response = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en").get("/slow/")
    assert response.status_code == 503
    assert "The portal is busy" in response.content.decode()
    assert time.monotonic() - started < 2


@pytest.mark.django_db
def test_every_connection_carries_the_time_limits():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout'), current_setting('lock_timeout')")
        assert cursor.fetchone() == ("5s", "500ms")


@pytest.mark.django_db
def test_it_warns_when_the_app_servers_pools_cannot_fit(settings):
    assert connection_budget(None, databases=["default"]) == []
    settings.APP_SERVERS = 1000
    [warning] = connection_budget(None, databases=["default"])
    assert warning.id == "portal.W001"
    assert "1000 app servers x 2 workers x 4 connections need 8000 connections" in warning.msg


@pytest.mark.django_db
def test_the_warning_shows_in_check_with_the_database(settings, capsys):
    settings.APP_SERVERS = 1000
    call_command("check", "--database", "default")
    assert "portal.W001" in capsys.readouterr().err
