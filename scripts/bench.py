"""Benchmark the portal against Django's own floor on this machine, in one run.

Serves the portal with production settings under gunicorn (2 workers x 4
threads, 127.0.0.1 only) against PostgreSQL, seeds learners, signs some in by
writing their sessions directly, and drives each page with wrk at 32
connections: the signed-in course home, a signed-in lecture page, the
anonymous course home and the watched toggle (htmx POSTs with a CSRF token).
In the same run it measures a baseline: a bare Django page with no middleware
that reads 12 rows through the ORM and renders a small template, under the
same server settings. The machine's speed drifts, so each page is measured in
slices that alternate with slices of the baseline, and its ratio is to the
baseline measured alongside it. Prints a table and writes the figures as JSON.

    .venv/bin/python scripts/bench.py [--duration 10] [--learners 1000]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from portal_env import (
    ROOT,
    Redis,
    checkpoint,
    create_database,
    csrf_secret,
    make_sessions,
    manage,
    prepare_portal,
    production_environ,
    require_command,
    require_local,
    run_django,
    start_gunicorn,
    stop,
    vacuum,
)

LUA = Path(__file__).resolve().parent / "bench.lua"
SIGNED_IN_SESSIONS = 2048  # enough learners that none passes the per-learner toggle limit
PROGRESS_TABLES = ["accounts_user", "progress_lectureprogress", "progress_progressevent", "progress_lastvisit"]
TOGGLED_LECTURES = ["ml-in-practice", "design-foundations", "training-data", "feature-engineering", "design-doc"]


def wrk(port, *, duration, connections, threads, scenario, path="/", sessions="", lectures=()):
    environ = os.environ | {
        "BENCH_SCENARIO": scenario,
        "BENCH_PATH": path,
        "BENCH_SESSIONS": sessions,
        "BENCH_LECTURES": " ".join(lectures),
        "BENCH_THREADS": str(threads),
    }
    result = subprocess.run(
        [
            "wrk",
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={duration}s",
            "--timeout=5s",
            f"--script={LUA}",
            f"http://127.0.0.1:{port}{path}",
        ],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    seconds = figures["duration_us"] / 1e6
    errors = sum(
        figures[name] for name in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return {
        "requests": figures["requests"],
        "rps": round(figures["requests"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p90_ms": round(figures["p90_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "max_ms": round(figures["max_us"] / 1000, 2),
        "errors": errors,
    }


def warm_up(port, options, **scenario):
    """Warm connections, caches and the syllabus with a short run that is not measured."""
    wrk(port, duration=max(1, options.duration // 5), connections=options.connections, threads=1, **scenario)


def measure_slice(port, options, **scenario):
    """Measure one slice of a page's time.

    One wrk thread drives all connections: on two cores, every core wrk takes
    is a core the server loses, for the baseline and the portal alike.
    """
    seconds = max(1, round(options.duration / options.slices))
    return wrk(port, duration=seconds, connections=options.connections, threads=1, **scenario)


def combine(slices):
    """Sum slices up as one run: throughput over all, the slices' p50s weighted by requests, the worst p90/p99/max."""
    requests = sum(part["requests"] for part in slices)
    seconds = sum(part["requests"] / part["rps"] for part in slices if part["rps"])
    return {
        "requests": requests,
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "p50_ms": round(sum(part["p50_ms"] * part["requests"] for part in slices) / max(requests, 1), 2),
        "p90_ms": max(part["p90_ms"] for part in slices),
        "p99_ms": max(part["p99_ms"] for part in slices),
        "max_ms": max(part["max_ms"] for part in slices),
        "errors": sum(part["errors"] for part in slices),
        "slices_rps": [part["rps"] for part in slices],
        "slices_p99_ms": [part["p99_ms"] for part in slices],
    }


def seeded_learners(environ):
    """How many seeded learners the database holds; 0 when they were seeded before the study tools were."""
    script = (
        "from accounts.models import User\n"
        "from progress.models import PacePlan\n"
        "from progress.management.commands.seed_learners import SEED_DOMAIN\n"
        "seeded = User.objects.filter(email__endswith='@' + SEED_DOMAIN)\n"
        "print(seeded.count() if PacePlan.objects.filter(user__in=seeded).exists() else 0)"
    )
    return int(run_django(environ, script))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration",
        type=int,
        default=10,
        help="seconds of load per page, in slices; as long again for the baseline (at most 120)",
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--slices", type=int, default=3, help="slices per page, each followed by one of the baseline")
    parser.add_argument("--learners", type=int, default=1000, help="synthetic learners in the database")
    parser.add_argument("--port", type=int, default=8180)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL"),
        help="cache and sessions in this Redis, emptied first (default: a Redis of its own; empty: the database cache)",
    )
    parser.add_argument("--json", type=Path, help="where to write the figures (default: bench-results/)")
    options = parser.parse_args()
    options.duration = max(1, min(options.duration, 120))
    options.slices = max(1, min(options.slices, options.duration))
    require_local(options.database_url, "--database-url")
    if options.redis_url:
        require_local(options.redis_url, "--redis-url")
    require_command("wrk", "wrk")
    own_redis = Redis() if options.redis_url is None else None
    try:
        run(options, own_redis.url if own_redis else options.redis_url)
    finally:
        if own_redis:
            own_redis.stop()


def run(options, redis_url):

    environ = production_environ(options.database_url, redis_url=redis_url)
    print(f"Preparing {options.database_url} ...")
    create_database(options.database_url)
    prepare_portal(environ)
    if seeded_learners(environ) != options.learners:
        manage(environ, "seed_learners", "--learners", str(options.learners), "--replace", quiet=False)
    else:  # earlier runs' toggles left dead rows behind
        vacuum(options.database_url, PROGRESS_TABLES)
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    emails = [f"seed-{n:07d}@learners.invalid" for n in range(min(SIGNED_IN_SESSIONS, options.learners))]
    keys = make_sessions(environ, emails)
    baseline_environ = environ | {
        "DJANGO_SETTINGS_MODULE": "baseline.settings",
        "PYTHONPATH": str(Path(__file__).resolve().parent),
    }
    manage(baseline_environ, "migrate", "--no-input")
    checkpoint(options.database_url)

    results = {}
    with tempfile.NamedTemporaryFile("w", suffix=".sessions") as sessions_file:
        sessions_file.write("".join(f"{key} {csrf_secret()}\n" for key in keys))
        sessions_file.flush()
        sessions = sessions_file.name

        print("Baseline: bare Django, no middleware, 12 rows through the ORM, a small template,")
        print(f"measured in {options.slices} slices alongside each page's {options.slices}")
        servers = []
        try:
            servers.append(start_gunicorn(baseline_environ, options.port + 1, app="baseline.wsgi"))
            servers.append(start_gunicorn(environ, options.port))
            warm_up(options.port + 1, options, scenario="get", path="/")
            runs = {
                "home, signed in": {"scenario": "get", "path": "/", "sessions": sessions},
                "lecture, signed in": {"scenario": "get", "path": "/lectures/training-data/", "sessions": sessions},
                "home, anonymous": {"scenario": "get", "path": "/"},
                "watched toggle": {"scenario": "toggle", "sessions": sessions, "lectures": TOGGLED_LECTURES},
            }
            baseline_slices = []
            for name, scenario in runs.items():
                warm_up(options.port, options, **scenario)
                page, alongside = [], []
                for _ in range(options.slices):
                    page.append(measure_slice(options.port, options, **scenario))
                    alongside.append(measure_slice(options.port + 1, options, scenario="get", path="/"))
                results[name] = combine(page)
                results[name]["baseline_rps"] = combine(alongside)["rps"]
                baseline_slices += alongside
                result = results[name]
                print(
                    f"  {name:<20} {result['rps']:>7,.0f} req/s  p99 {result['p99_ms']:>7.2f} ms  "
                    f"errors {result['errors']}  (baseline alongside {result['baseline_rps']:,.0f} req/s)"
                )
        finally:
            for server in servers:
                stop(server)

    results = {"baseline": combine(baseline_slices), **results}
    results["baseline"]["baseline_rps"] = results["baseline"]["rps"]
    for result in results.values():
        result["ratio"] = round(result["rps"] / result["baseline_rps"], 3)

    print()
    print("p50: over all slices; p99: the worst slice's. Ratio: to the baseline measured alongside.")
    print(f"{'page':<22} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'baseline':>9} {'ratio':>6}")
    for name, result in results.items():
        print(
            f"{name:<22} {result['rps']:>9,.0f} {result['p50_ms']:>8.2f} {result['p99_ms']:>8.2f} "
            f"{result['errors']:>7} {result['baseline_rps']:>9,.0f} {result['ratio']:>6.2f}"
        )
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "learners": options.learners,
        "duration_s": options.duration,
        "slices": options.slices,
        "connections": options.connections,
        "server": "gunicorn, 2 workers x 4 threads (gunicorn.conf.py)",
        "cache": "redis" if redis_url else "database",
        "results": results,
    }
    path = options.json or ROOT / "bench-results" / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    print(f"\nFigures written to {path}")
    errors = sum(result["errors"] for result in results.values())
    if errors:
        sys.exit(f"{errors} requests failed.")


if __name__ == "__main__":
    main()
