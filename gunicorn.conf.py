"""gunicorn settings for production: `gunicorn portal.wsgi` reads this file from the working directory.

Threads share each worker's objects and its pool of database connections (one
per thread at most). Every value can be overridden on the command line.
"""

import gc
import itertools
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# One listening socket shared by the workers, not one each (reuse_port): when a
# worker exits (recycled by max_requests, or restarted), the connections
# waiting for it are taken by the others instead of being reset with its own
# socket, and when all of them recycle at once new connections still queue.
reuse_port = False

# A worker whose main loop stops answering for this long is restarted. It does
# not end a slow request (gthread serves requests in threads): PostgreSQL's
# statement and lock timeouts do (DJANGO_DB_STATEMENT_TIMEOUT_MS).
timeout = 30
graceful_timeout = 30
# Keep idle client connections briefly; the proxy in front reuses them.
keepalive = 5
# Recycle workers now and then (every ~100,000 requests) so that slow leaks never matter.
max_requests = 100000
max_requests_jitter = 10000

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only the local proxy may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn's runtime control socket sits at a fixed path; the portal does not use it.
control_socket_disable = True


# Python's garbage collector: a full collection walks every object the worker
# holds, and with the whole app loaded it stalls all of the worker's threads
# at once. Objects that live as long as the worker are frozen out of its sight:
# those loaded with the app, and once more those the first requests build for
# good (URL patterns, compiled templates). Whatever else is alive
# at that moment stays too, until the worker is recycled (max_requests): a
# bounded, one-time cost.
FREEZE_AFTER_REQUESTS = 500
_requests_served = itertools.count(1)


def post_worker_init(worker):
    gc.freeze()


def post_request(worker, req, environ, resp):
    if next(_requests_served) == FREEZE_AFTER_REQUESTS:
        gc.collect()
        gc.freeze()
