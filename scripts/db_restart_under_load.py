"""Restart PostgreSQL while the portal serves traffic, and count what fails.

Runs the portal under gunicorn with production settings on 127.0.0.1, with a
Redis of its own on a free port, drives a mixed load (anonymous home,
signed-in lecture page, watched toggles, /healthz) from a few threads, stops
the local PostgreSQL cluster for a few seconds, starts it again, and reports
failures before, during and after the outage, per kind of request. Any answer
but the expected one counts as a failure, a toggle's 4xx too. The promises
under test: once the database is back, no request fails, and every confirmed
write is in the database.

    .venv/bin/python scripts/db_restart_under_load.py [--duration 30] [--outage 5]

Needs root (pg_ctlcluster) and a local PostgreSQL; touches only 127.0.0.1.
"""

import argparse
import subprocess
import time

from portal_env import (
    MixedLoad,
    Redis,
    clear_rows,
    count_rows,
    create_database,
    csrf_secret,
    failed,
    fault_options,
    finish,
    lost_writes,
    make_sessions,
    parse_fault_options,
    phase_report,
    prepare_portal,
    production_environ,
    start_gunicorn,
    stop,
    write_problems,
)

PREFIX = "restart-"
LEARNERS_PER_THREAD = 20


def summarise(records, start, stopped_at, ready_at, end):
    report = phase_report(
        records,
        {
            "before the restart": (start, stopped_at),
            "database down": (stopped_at, ready_at),
            "after the database is back": (ready_at, end),
        },
    )
    after = sorted(record for record in records if record[0] >= ready_at)
    first_ok = next((record[0] for record in after if not failed(record[2], record[3])), None)
    report["first success after the database was back (s)"] = (
        round(first_ok - ready_at, 3) if first_ok is not None else None
    )
    return report


def failures(phase):
    return sum(counts["failed"] for counts in phase["kinds"].values())


def pg_ctlcluster(version, *args, check=True):
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", *args], check=check)


def database_ready():
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30, help="seconds of load in all (at most 120)")
    parser.add_argument("--outage", type=float, default=5, help="seconds the database stays down")
    fault_options(parser, database="portal_resilience", port=8190)
    options = parse_fault_options(parser)
    duration = min(options.duration, 120)
    threads = options.threads
    cluster = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True)
    version = cluster.stdout.split()[0]

    redis = Redis(options.redis_port)
    server = None
    try:
        environ = production_environ(options.database_url, redis_url=redis.url)
        create_database(options.database_url)
        prepare_portal(environ)
        clear_rows(environ, PREFIX)
        emails = [f"{PREFIX}{n:05d}@learners.invalid" for n in range(threads * LEARNERS_PER_THREAD)]
        learners = [(key, csrf_secret()) for key in make_sessions(environ, emails)]

        server = start_gunicorn(environ, options.port)
        load = MixedLoad(options.port, learners)
        start = time.monotonic()
        load.start(learners[n::threads] for n in range(threads))
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
        if server is not None:
            stop(server)
        redis.stop()
        # Never leave the machine without its database.
        if not database_ready():
            pg_ctlcluster(version, "start", check=False)

    report = {"threads": threads, "phases": summarise(load.records, start, stopped_at, ready_at, end)}
    report["writes"] = lost_writes(load.records, count_rows(environ, PREFIX))
    problems = write_problems(report["writes"])
    if after := failures(report["phases"]["after the database is back"]):
        problems.append(f"{after} requests failed after the database was back")
    finish(report, options, problems)


if __name__ == "__main__":
    main()
