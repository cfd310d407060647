"""gunicorn settings for production: `gunicorn portal.wsgi` reads this file from the working directory.

Threads share each worker's memory and database connections (one per thread,
kept open by DJANGO_CONN_MAX_AGE). Every value can be overridden on the command line.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request that takes longer than this is stuck: the worker is restarted.
timeout = 30
graceful_timeout = 30
# Keep idle client connections briefly; the proxy in front reuses them.
keepalive = 5
# Recycle workers now and then so that slow leaks never matter.
max_requests = 5000
max_requests_jitter = 500

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# Only the local proxy may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn's runtime control socket sits at a fixed path; the portal does not use it.
control_socket_disable = True
