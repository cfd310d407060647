"""PostgreSQL connections: pooled, replaced after the server ends one, the hot queries prepared."""

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL"),
]


@pytest.fixture
def wrapper():
    """A connection of its own, as an app server's thread takes one from the pool for a request."""
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
    wrapper.close()  # back to the pool, as at the end of a request
    # The pool checks a connection before it hands it out.
    assert backend_pid(wrapper) != pid


def test_a_query_run_often_is_prepared(wrapper):
    for _ in range(6):
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM progress_lectureprogress WHERE user_id = %s", [1])
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert "SELECT count(*) FROM progress_lectureprogress WHERE user_id = $1" in statements
