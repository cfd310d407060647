"""Recycle gunicorn's workers under load (--max-requests) and count what fails.

Serves the portal under gunicorn with production settings on 127.0.0.1 (with a
Redis of its own), each worker replaced after about --max-requests requests,
and drives the mixed load of cache_outage_under_load.py until the workers have
been replaced --recycles times (or --duration runs out). The promise: no
request fails while workers come and go, and every confirmed write is in the
database. Extra arguments after -- go to gunicorn, to compare its settings:

    .venv/bin/python scripts/recycle_under_load.py [--recycles 20] [-- --reuse-port]
"""

import argparse
import re
import tempfile
import time
from pathlib import Path

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

PREFIX = "recycle-"
LEARNERS_PER_THREAD = 40


def recycles(log):
    """Workers booted after the first ones: each replaced one that reached max_requests."""
    return len(re.findall(r"Booting worker with pid", log.read_text())) - WORKERS


WORKERS = 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recycles", type=int, default=20, help="worker replacements to wait for")
    parser.add_argument("--max-requests", type=int, default=200, help="requests a worker serves before it is replaced")
    parser.add_argument("--duration", type=float, default=120, help="seconds of load at most (at most 300)")
    parser.add_argument("gunicorn", nargs="*", help="extra gunicorn arguments, after --")
    fault_options(parser, database="portal_recycle", port=8340)
    options = parse_fault_options(parser)
    duration, threads = min(options.duration, 300), options.threads

    redis = Redis(options.redis_port)
    server = None
    with tempfile.TemporaryDirectory(prefix="portal-recycle-") as directory:
        log = Path(directory) / "gunicorn.log"
        try:
            environ = production_environ(options.database_url, redis_url=redis.url, GUNICORN_LOG_LEVEL="info")
            create_database(options.database_url)
            prepare_portal(environ)
            clear_rows(environ, PREFIX)
            emails = [f"{PREFIX}{n:05d}@learners.invalid" for n in range(threads * LEARNERS_PER_THREAD)]
            learners = [(key, csrf_secret()) for key in make_sessions(environ, emails)]

            arguments = ["--workers", str(WORKERS), "--max-requests", str(options.max_requests)]
            arguments += ["--max-requests-jitter", str(options.max_requests // 10), *options.gunicorn]
            with log.open("w") as output:
                server = start_gunicorn(environ, options.port, extra_args=arguments, log=output)
                load = MixedLoad(options.port, learners)
                start = time.monotonic()
                load.start(learners[n::threads] for n in range(threads))
                while recycles(log) < options.recycles and time.monotonic() - start < duration:
                    time.sleep(0.2)
                load.finish()
                end = time.monotonic()
                replaced = recycles(log)
        finally:
            if server is not None:
                stop(server)
            redis.stop()

    report = {
        "threads": threads,
        "gunicorn arguments": arguments,
        "worker recycles": replaced,
        "phases": phase_report(load.records, {"while workers recycle": (start, end)}),
    }
    report["writes"] = lost_writes(load.records, count_rows(environ, PREFIX))

    problems = write_problems(report["writes"])
    if replaced < options.recycles:
        problems.append(f"only {replaced} recycles in {duration} s")
    for kind, counts in report["phases"]["while workers recycle"]["kinds"].items():
        if counts["failed"]:
            problems.append(f"{counts['failed']} {kind} requests failed ({counts['statuses']})")
    finish(report, options, problems)


if __name__ == "__main__":
    main()
