"""Stop Redis, and then pause it, while the portal serves traffic, and count what fails.

Starts a Redis of its own on a free port (never the shared one), serves the
portal under gunicorn with production settings on 127.0.0.1 with that Redis
as cache and session store, and drives a mixed load from a few threads: the
anonymous home, a signed-in lecture page, watched toggles (each a new
learner-lecture pair) and /healthz. Redis is stopped for a few seconds and
started again empty, then, separately, paused (SIGSTOP) and resumed. Each
phase is reported per kind of request, with status codes and the slowest
request, and the database is checked for one row per confirmed write.

The promises: while Redis is stopped, under 1% of requests of each kind fail;
while it is paused, no request takes over a second; no write is lost.

    .venv/bin/python scripts/cache_outage_under_load.py [--outage 5] [--pause 8] [--threads 8]
"""

import argparse
import sys
import time

from portal_env import (
    MixedLoad,
    Redis,
    clear_rows,
    count_rows,
    create_database,
    csrf_secret,
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

PREFIX = "outage-"
LEARNERS_PER_THREAD = 20


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage", type=float, default=5, help="seconds Redis stays stopped (at most 60)")
    parser.add_argument("--pause", type=float, default=8, help="seconds Redis stays paused (at most 60)")
    parser.add_argument("--settle", type=float, default=5, help="seconds of load before and after each fault")
    parser.add_argument("--slow", type=float, default=1.0, help="seconds a request may take while Redis is paused")
    fault_options(parser, database="portal_cache_outage")
    options = parse_fault_options(parser)
    outage, pause, settle = min(options.outage, 60), min(options.pause, 60), min(options.settle, 30)
    threads = options.threads

    redis = Redis(options.redis_port)
    server = None
    try:
        environ = production_environ(options.database_url, redis_url=redis.url)
        print(f"Preparing {options.database_url} with Redis of its own at {redis.url} ...", file=sys.stderr)
        create_database(options.database_url)
        prepare_portal(environ)
        clear_rows(environ, PREFIX)
        emails = [f"{PREFIX}{n:05d}@learners.invalid" for n in range(threads * LEARNERS_PER_THREAD)]
        learners = [(key, csrf_secret()) for key in make_sessions(environ, emails)]

        port = options.port
        server = start_gunicorn(environ, port)
        load = MixedLoad(port, learners)
        marks = {"start": time.monotonic()}
        load.start(learners[n::threads] for n in range(threads))
        time.sleep(settle)
        marks["stopped"] = time.monotonic()
        redis.stop()
        time.sleep(outage)
        redis.start()
        marks["started"] = time.monotonic()
        time.sleep(settle)
        marks["paused"] = time.monotonic()
        redis.pause()
        time.sleep(pause)
        redis.resume()
        marks["resumed"] = time.monotonic()
        time.sleep(settle)
        load.finish()
        marks["end"] = time.monotonic()
    finally:
        if server is not None:
            stop(server)
        redis.stop()

    phases = {
        "before": (marks["start"], marks["stopped"]),
        "Redis stopped": (marks["stopped"], marks["started"]),
        "after the stop": (marks["started"], marks["paused"]),
        "Redis paused": (marks["paused"], marks["resumed"]),
        "after the pause": (marks["resumed"], marks["end"]),
    }
    report = {"threads": threads, "phases": phase_report(load.records, phases)}
    report["writes"] = lost_writes(load.records, count_rows(environ, PREFIX))

    problems = write_problems(report["writes"])
    for phase, figures in report["phases"].items():
        for kind, counts in figures["kinds"].items():
            if counts["failed %"] >= 1:
                problems.append(f"{phase}: {counts['failed %']}% of {kind} requests failed")
    for kind, counts in report["phases"]["Redis paused"]["kinds"].items():
        if counts["slowest (s)"] > options.slow:
            problems.append(f"Redis paused: a {kind} request took {counts['slowest (s)']} s")
    finish(report, options, problems)


if __name__ == "__main__":
    main()
