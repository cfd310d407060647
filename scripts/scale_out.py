"""Scale-out proof: two app servers behind nginx, one of them killed under load.

Starts two gunicorn instances of the portal (production settings, sessions and
cache in a Redis of its own on a free port, one PostgreSQL) on 127.0.0.1, puts
Debian's nginx in front of them, and has client threads mark lectures watched
through nginx: every write is a distinct (learner, lecture) pair, so the
database must end with exactly one row per successful write. Partway through,
one instance is killed with SIGKILL. The promise: no write fails, before the
kill or after it (nginx retries a toggle cut off on the dead server on the
other one), no successful write is lost, and the survivor carries on.

    .venv/bin/python scripts/scale_out.py [--duration 20] [--threads 16]
"""

import argparse
import http.client
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from portal_env import (
    LECTURES,
    ClientThreads,
    Redis,
    clear_rows,
    count_rows,
    create_database,
    csrf_secret,
    finish,
    make_sessions,
    prepare_portal,
    production_environ,
    require_command,
    require_local,
    start_gunicorn,
    stop,
)

NGINX_CONF = """
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream portal {{
        server 127.0.0.1:{first} max_fails=1 fail_timeout=10s;
        server 127.0.0.1:{second} max_fails=1 fail_timeout=10s;
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        location / {{
            proxy_pass http://portal;
            # A request that never reached a server is tried on the other one;
            # a POST already sent is not repeated (nginx's default).
            proxy_next_upstream error timeout;
        }}
        location ~ ^/lectures/[^/]+/watched/$ {{
            proxy_pass http://portal;
            # watched=true|false states the outcome, so sending it again is
            # harmless: retry it on the other server even if one had it.
            proxy_next_upstream error timeout non_idempotent;
        }}
    }}
}}
"""


def start_nginx(prefix, port, first, second):
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / name).mkdir(exist_ok=True)
    # As root, nginx's workers would switch to an unprivileged user that cannot
    # read this temporary prefix; they stay root here, for a local test only.
    user = "user root root;" if os.geteuid() == 0 else ""
    config = prefix / "nginx.conf"
    config.write_text(NGINX_CONF.format(prefix=prefix, user=user, port=port, first=first, second=second))
    server = subprocess.Popen(["nginx", "-c", str(config), "-p", str(prefix), "-g", "daemon off;"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("nginx did not come up; see " + str(prefix / "error.log"))


class Writers(ClientThreads):
    """Threads that each mark their own (learner, lecture) pairs watched; records (started, finished, outcome)."""

    def worker(self, pairs):
        connection = self.connect()
        for (session, csrf), slug in pairs:
            if self.stop.is_set():
                return
            started = time.monotonic()
            try:
                connection.request(
                    "POST",
                    f"/lectures/{slug}/watched/",
                    body="watched=true",
                    headers={
                        "Cookie": f"sessionid={session}; csrftoken={csrf}",
                        "X-CSRFToken": csrf,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                response = connection.getresponse()
                response.read()
                outcome = response.status
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
                connection.close()
                connection = self.connect()
            self.record((started, time.monotonic(), outcome))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds of load (at most 120)")
    parser.add_argument("--kill-after", type=float, default=8, help="seconds before one app server is killed")
    parser.add_argument("--threads", type=int, default=16, help="client threads (at most 64)")
    parser.add_argument("--learners", type=int, default=800)
    parser.add_argument("--port", type=int, default=8200, help="nginx's port; the app servers take the next two")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_scale"),
    )
    parser.add_argument("--redis-port", type=int, default=0, help="its own Redis's port (default: a free one)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    options = parser.parse_args()
    require_local(options.database_url, "--database-url")
    require_command("nginx", "nginx-light")
    duration, threads = min(options.duration, 120), min(options.threads, 64)
    ports = {"nginx": options.port, "first": options.port + 1, "second": options.port + 2}

    redis = Redis(options.redis_port)
    try:
        environ = production_environ(options.database_url, redis_url=redis.url)
        print(f"Preparing {options.database_url} with Redis of its own at {redis.url} ...")
        create_database(options.database_url)
        prepare_portal(environ)
        prefix = "scale-"
        emails = [f"{prefix}{n:05d}@learners.invalid" for n in range(options.learners)]
        clear_rows(environ, prefix)
        sessions = [(key, csrf_secret()) for key in make_sessions(environ, emails)]

        first = start_gunicorn(environ, ports["first"], extra_args=["--workers", "1"], new_session=True)
        second = start_gunicorn(environ, ports["second"], extra_args=["--workers", "1"], new_session=True)
        with tempfile.TemporaryDirectory(prefix="portal-nginx-") as directory:
            nginx = start_nginx(Path(directory), ports["nginx"], ports["first"], ports["second"])
            try:
                writers = Writers(ports["nginx"])
                pairs = [(session, slug) for session in sessions for slug in LECTURES]
                start = time.monotonic()
                writers.start(pairs[n::threads] for n in range(threads))
                time.sleep(options.kill_after)
                killed_at = time.monotonic()
                os.killpg(first.pid, signal.SIGKILL)  # the master and its workers, with no warning
                time.sleep(max(0, duration - options.kill_after))
                writers.finish()
                end = time.monotonic()
            finally:
                nginx.terminate()
                nginx.wait(timeout=10)
                stop(second)
                if first.poll() is None:
                    os.killpg(first.pid, signal.SIGKILL)
    finally:
        redis.stop()

    records = writers.records
    succeeded = [record for record in records if record[2] == 303]
    failed = [record for record in records if record[2] != 303]
    rows = count_rows(environ, prefix)
    before = [record for record in succeeded if record[1] < killed_at]
    after = [record for record in succeeded if record[0] > killed_at]
    report = {
        "app servers": 2,
        "client threads": threads,
        "writes attempted": len(records),
        "writes succeeded": len(succeeded),
        "writes failed": len(failed),
        "failures": sorted({str(record[2]) for record in failed}),
        "failed requests started before the kill and ended after it": sum(
            1 for record in failed if record[0] <= killed_at <= record[1]
        ),
        "failed requests started after the kill": sum(1 for record in failed if record[0] > killed_at),
        "failed requests ended before the kill": sum(1 for record in failed if record[1] < killed_at),
        "progress rows in the database": rows,
        "writes per second before the kill": round(len(before) / (killed_at - start), 1),
        "writes per second after the kill": round(len(after) / (end - killed_at), 1),
    }
    problems = []
    if failed:
        problems.append(f"{len(failed)} writes failed ({', '.join(report['failures'])})")
    if rows < len(succeeded):
        problems.append(f"{len(succeeded) - rows} successful writes are missing from the database")
    if rows - len(succeeded) > len(failed):
        problems.append("more rows than successful and failed writes together")
    if not after:
        problems.append("nothing succeeded after the kill")
    finish(report, options, problems)


if __name__ == "__main__":
    main()
