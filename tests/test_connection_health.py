"""PostgreSQL connections: a fresh connection after the server ends one, and the hot queries prepared."""

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL"),
]


@pytest.fixture
def wrapper():
    """A connection of its own, as an app server's thread keeps one between requests."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def backend_pid(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_connection_the_server_ended_is_replaced_before_the_next_request(wrapper):
    pid = backend_pid(wrapper)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # What Django does at the start of each request with CONN_HEALTH_CHECKS.
    wrapper.health_check_done = False
    wrapper.close_if_health_check_failed()
    assert backend_pid(wrapper) != pid  # a new connection, and it works


def test_a_query_run_often_is_prepared(wrapper):
    for _ in range(6):
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM progress_lectureprogress WHERE user_id = %s", [1])
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert "SELECT count(*) FROM progress_lectureprogress WHERE user_id = $1" in statements
