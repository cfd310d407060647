"""Restart PostgreSQL while the portal serves traffic, and count what fails.

Runs the portal under gunicorn with production settings on 127.0.0.1, drives
a mixed load (anonymous home, signed-in lecture page, the watched toggle,
/healthz) from a few threads, stops the local PostgreSQL cluster for a few
seconds, starts it again, and reports failures before, during and after the
outage. The promise under test: once the database is back, no request fails.

    .venv/bin/python scripts/db_restart_under_load.py [--duration 30] [--outage 5]

Needs root (pg_ctlcluster) and a local PostgreSQL; touches only 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from portal_env import (
    ClientThreads,
    create_database,
    make_sessions,
    prepare_portal,
    production_environ,
    require_local,
    start_gunicorn,
    stop,
)

SESSION_LEARNERS = "restart-{n}@learners.invalid"


class Load(ClientThreads):
    """Threads that send a mix of requests in a loop and record (time, kind, outcome)."""

    def __init__(self, port, sessions):
        super().__init__(port)
        self.sessions = sessions

    def request(self, connection, method, path, headers=None, body=None):
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, response.getheader("Set-Cookie") or "", data

    def worker(self, index):
        session = self.sessions[index]
        connection = self.connect()
        cookie = f"sessionid={session}"
        token = None
        watched = True
        step = 0
        while not self.stop.is_set():
            kind = ["home", "lecture", "toggle", "healthz"][step % 4]
            step += 1
            started = time.monotonic()
            try:
                if kind == "home":
                    status, _, _ = self.request(connection, "GET", "/")
                elif kind == "lecture":
                    status, set_cookie, body = self.request(
                        connection, "GET", "/lectures/training-data/", {"Cookie": cookie}
                    )
                    if status == 200:
                        if match := re.search(rb'"x-csrftoken": "([^"]+)"', body):
                            token = match.group(1).decode()
                        if match := re.search(r"csrftoken=([^;]+)", set_cookie):
                            cookie = f"sessionid={session}; csrftoken={match.group(1)}"
                elif kind == "toggle":
                    if token is None:
                        continue
                    status, _, _ = self.request(
                        connection,
                        "POST",
                        "/lectures/training-data/watched/",
                        {
                            "Cookie": cookie,
                            "X-CSRFToken": token,
                            "HX-Request": "true",
                            "Content-Type": "application/x-www-form-urlencoded",
                        },
                        f"watched={'true' if watched else 'false'}",
                    )
                    watched = not watched
                else:
                    status, _, _ = self.request(connection, "GET", "/healthz")
                outcome = status
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
                connection.close()
                connection = self.connect()
            self.record((started, kind, outcome))


def failed(outcome, kind):
    if isinstance(outcome, str):
        return True
    return outcome >= 500 or (kind != "toggle" and outcome >= 400)


def summarise(records, start, stopped_at, ready_at, end):
    phases = {
        "before the restart": (start, stopped_at),
        "database down": (stopped_at, ready_at),
        "after the database is back": (ready_at, end),
    }
    report = {}
    for name, (low, high) in phases.items():
        inside = [record for record in records if low <= record[0] < high]
        failures = [record for record in inside if failed(record[2], record[1])]
        outcomes = {}
        for _, kind, outcome in failures:
            outcomes[f"{kind} {outcome}"] = outcomes.get(f"{kind} {outcome}", 0) + 1
        report[name] = {
            "seconds": round(high - low, 2),
            "requests": len(inside),
            "failed": len(failures),
            "failures by kind": outcomes,
        }
    after = sorted(record for record in records if record[0] >= ready_at)
    first_ok = next((record[0] for record in after if not failed(record[2], record[1])), None)
    report["first success after the database was back (s)"] = (
        round(first_ok - ready_at, 3) if first_ok is not None else None
    )
    down = [record for record in records if stopped_at <= record[0] < ready_at and record[1] == "healthz"]
    report["healthz during the outage"] = sorted({str(record[2]) for record in down})
    return report


def pg_ctlcluster(version, *args, check=True):
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", *args], check=check)


def database_ready():
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30, help="seconds of load in all (at most 120)")
    parser.add_argument("--outage", type=float, default=5, help="seconds the database stays down")
    parser.add_argument("--threads", type=int, default=8, help="client threads (at most 32)")
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_resilience")
    )
    # Production requires Redis (throttles count there); only the database is restarted.
    parser.add_argument("--redis-url", default=os.environ.get("RESILIENCE_REDIS_URL", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--json", type=Path, help="also write the report here")
    options = parser.parse_args()
    require_local(options.database_url, "--database-url")
    require_local(options.redis_url, "--redis-url")
    duration = min(options.duration, 120)
    threads = min(options.threads, 32)
    cluster = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True)
    version = cluster.stdout.split()[0]

    environ = production_environ(
        options.database_url, redis_url=options.redis_url, DJANGO_WATCHED_CHANGES_PER_MINUTE="1000000"
    )
    create_database(options.database_url)
    prepare_portal(environ)
    sessions = make_sessions(environ, [SESSION_LEARNERS.format(n=n) for n in range(threads)])

    server = start_gunicorn(environ, options.port)
    try:
        load = Load(options.port, sessions)
        start = time.monotonic()
        load.start(range(threads))
        time.sleep(min(5, duration / 4))
        stopped_at = time.monotonic()
        pg_ctlcluster(version, "stop", "-m", "fast")
        time.sleep(options.outage)
        pg_ctlcluster(version, "start")
        while not database_ready():
            time.sleep(0.05)
        ready_at = time.monotonic()
        time.sleep(max(0, duration - (ready_at - start)))
        load.finish()
        end = time.monotonic()
    finally:
        stop(server)
        # Never leave the machine without its database.
        if not database_ready():
            pg_ctlcluster(version, "start", check=False)

    report = summarise(load.records, start, stopped_at, ready_at, end)
    report["threads"] = threads
    text = json.dumps(report, indent=2)
    print(text)
    if options.json:
        options.json.write_text(text)
    after = report["after the database is back"]
    if after["failed"]:
        sys.exit(f"{after['failed']} requests failed after the database was back.")


if __name__ == "__main__":
    main()
