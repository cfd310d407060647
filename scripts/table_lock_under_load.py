"""Hold a lock on the lectures table while the portal serves traffic, and time every request.

Serves the portal under gunicorn with production settings on 127.0.0.1 (with a
Redis of its own), drives the mixed load of cache_outage_under_load.py, and
from a connection of its own holds an ACCESS EXCLUSIVE lock on the table every
page reads, as a migration or a VACUUM FULL would, for --hold seconds. The
promises: no request takes longer than the lock timeout plus a second (pages
behind the lock answer 503 in the site's layout), /healthz answers within a
second throughout, nothing fails once the lock is gone, and every confirmed
write is in the database.

    .venv/bin/python scripts/table_lock_under_load.py [--hold 10] [--threads 8]

Use a database of its own: the lock stops every other user of that table.
"""

import argparse
import threading
import time

import psycopg
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

PREFIX = "lock-"
LEARNERS_PER_THREAD = 20


def hold_lock(database_url, seconds, locked):
    with psycopg.connect(database_url) as connection:
        connection.execute("LOCK TABLE lectures_lecture IN ACCESS EXCLUSIVE MODE")
        locked.set()
        time.sleep(seconds)
        connection.rollback()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hold", type=float, default=10, help="seconds the lock is held (at most 60)")
    parser.add_argument("--settle", type=float, default=5, help="seconds of load before and after the lock")
    fault_options(parser, database="portal_table_lock", port=8330)
    options = parse_fault_options(parser)
    hold, settle, threads = min(options.hold, 60), min(options.settle, 30), options.threads

    redis = Redis(options.redis_port)
    server = None
    try:
        environ = production_environ(options.database_url, redis_url=redis.url)
        lock_timeout = int(environ.get("DJANGO_DB_LOCK_TIMEOUT_MS") or 500) / 1000
        create_database(options.database_url)
        prepare_portal(environ)
        clear_rows(environ, PREFIX)
        emails = [f"{PREFIX}{n:05d}@learners.invalid" for n in range(threads * LEARNERS_PER_THREAD)]
        learners = [(key, csrf_secret()) for key in make_sessions(environ, emails)]

        server = start_gunicorn(environ, options.port)
        load = MixedLoad(options.port, learners)
        start = time.monotonic()
        load.start(learners[n::threads] for n in range(threads))
        time.sleep(settle)
        locked = threading.Event()
        holder = threading.Thread(target=hold_lock, args=(options.database_url, hold, locked))
        # The phase starts as the lock is asked for: requests in flight then wait for it too.
        locked_at = time.monotonic()
        holder.start()
        locked.wait(timeout=10)
        holder.join()
        released_at = time.monotonic()
        time.sleep(settle)
        load.finish()
        end = time.monotonic()
    finally:
        if server is not None:
            stop(server)
        redis.stop()

    report = {
        "threads": threads,
        "lock timeout (s)": lock_timeout,
        "phases": phase_report(
            load.records,
            {
                "before": (start, locked_at),
                "table locked": (locked_at, released_at),
                "after the lock": (released_at, end),
            },
        ),
    }
    report["writes"] = lost_writes(load.records, count_rows(environ, PREFIX))

    problems = write_problems(report["writes"])
    for kind, counts in report["phases"]["table locked"]["kinds"].items():
        limit = 1 if kind == "healthz" else lock_timeout + 1
        if counts["slowest (s)"] > limit:
            problems.append(f"while locked, a {kind} request took {counts['slowest (s)']} s (limit {limit} s)")
    for kind, counts in report["phases"]["after the lock"]["kinds"].items():
        if counts["failed"]:
            problems.append(f"after the lock: {counts['failed']} {kind} requests failed")
    if early := sum(1 for record in load.records if record[1] < locked_at and failed(record[2], record[3])):
        problems.append(f"{early} requests failed before the lock was asked for")
    finish(report, options, problems)


if __name__ == "__main__":
    main()
