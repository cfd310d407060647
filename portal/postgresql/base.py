"""PostgreSQL, with a connection health check that costs no round trip while the connection is fine.

Persistent connections are checked at the start of every request
(CONN_HEALTH_CHECKS), and Django's check is a `SELECT 1`: a round trip to
the server on every request. An idle connection's socket, though, has
nothing to read unless the server has spoken: when PostgreSQL restarts, or
ends a session, it sends an error and closes the socket, which then polls
readable. So the check here polls the socket first (no round trip), and
runs Django's `SELECT 1` when there is something to read, when the connection
is not idle, or when it has not been used for a while: a connection dropped
silently on the way (a firewall's or load balancer's idle timeout) never
becomes readable.
"""

import select
import time

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from psycopg.pq import TransactionStatus

# A connection unused for longer than this gets the full check.
QUIET_SECONDS = 30


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    last_checked = float("-inf")

    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed:
            return False
        now = time.monotonic()
        recently_used, self.last_checked = now - self.last_checked < QUIET_SECONDS, now
        if recently_used and connection.info.transaction_status == TransactionStatus.IDLE:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            if not poller.poll(0):
                return True  # Nothing from the server, so nothing has gone wrong.
        return super().is_usable()
