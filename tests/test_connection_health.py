"""PostgreSQL connections: a health check with no round trip while a connection is fine, a fresh
connection after the server ends one, and the hot queries prepared."""

import select

import pytest
from django.db import connection, connections

from portal.postgresql.base import QUIET_SECONDS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL"),
]


@pytest.fixture
def wrappers():
    """Connections of their own: the one under test and one that watches it from the server's side."""
    made = []

    def make():
        wrapper = connections.create_connection("default")
        wrapper.ensure_connection()
        made.append(wrapper)
        return wrapper

    yield make
    for wrapper in made:
        wrapper.close()


def last_query(observer, pid):
    with observer.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def backend_pid(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), 'marker'")
        return cursor.fetchone()[0]


def test_postgresql_runs_on_the_portals_engine(wrappers):
    assert type(wrappers()).__module__ == "portal.postgresql.base"


def test_a_healthy_idle_connection_in_use_is_checked_without_a_query(wrappers):
    checked, observer = wrappers(), wrappers()
    assert checked.is_usable()  # the first check is a full one
    pid = backend_pid(checked)
    assert checked.is_usable()
    assert last_query(observer, pid) == "SELECT pg_backend_pid(), 'marker'"


def test_a_connection_left_quiet_gets_the_full_check(wrappers):
    checked, observer = wrappers(), wrappers()
    assert checked.is_usable()
    pid = backend_pid(checked)
    checked.last_checked -= QUIET_SECONDS + 1  # as if the last request were that long ago
    assert checked.is_usable()
    assert last_query(observer, pid) == "SELECT 1"


def test_a_connection_inside_a_transaction_gets_the_full_check(wrappers):
    checked, observer = wrappers(), wrappers()
    assert checked.is_usable()
    pid = backend_pid(checked)
    checked.set_autocommit(False)
    with checked.cursor() as cursor:
        cursor.execute("SELECT 'in a transaction'")
    assert checked.is_usable()
    assert last_query(observer, pid) == "SELECT 1"
    checked.rollback()
    checked.set_autocommit(True)


def test_a_connection_the_server_ended_is_replaced(wrappers):
    checked = wrappers()
    pid = backend_pid(checked)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's goodbye reaches the socket within moments.
    poller = select.poll()
    poller.register(checked.connection.fileno(), select.POLLIN)
    assert poller.poll(5000)

    assert not checked.is_usable()
    checked.health_check_done = False
    checked.close_if_health_check_failed()
    assert checked.connection is None
    assert backend_pid(checked) != pid  # a new connection, and it works


def test_a_closed_connection_is_not_usable(wrappers):
    checked = wrappers()
    checked.connection.close()
    assert not checked.is_usable()


def test_a_query_run_often_is_prepared(wrappers):
    wrapper = wrappers()
    for _ in range(6):
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM progress_lectureprogress WHERE user_id = %s", [1])
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert "SELECT count(*) FROM progress_lectureprogress WHERE user_id = $1" in statements
