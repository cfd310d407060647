"""Measure the staff pages at scale: the analytics page, a long timeline and the learners' CSV.

For SQLite and for PostgreSQL in turn: seeds synthetic learners (100,000 by default,
about 1.6 M progress rows) and one more with 10,000 progress events, serves the portal
with production settings under gunicorn on 127.0.0.1 (one worker of one thread, so that
its memory is the export's; a Redis of its own for the cache), and as a member of staff
- counts the analytics of each period a few times, as count_analytics does: the median and
  the slowest, printed without a target (Count now, or a page that finds no figures younger
  than 10 minutes, waits that long);
- opens /admin/analytics/ for each period, from the figures just counted: the median of a
  few loads, at most 500 ms;
- opens the first and the last page of the long timeline: at most 100 ms;
- downloads /admin/analytics/export.csv while sampling the worker's memory (RSS): it
  grows by less than 50 MB.
Prints the figures, and exits non-zero when one misses its target. Seeded databases are
kept and reused when they hold the same number of learners.

    .venv/bin/python scripts/bench_staff.py [--learners 100000] [--only sqlite|postgresql]
"""

import argparse
import http.client
import statistics
import sys
import threading
import time
from pathlib import Path

from portal_env import (
    ROOT,
    Redis,
    checkpoint,
    create_database,
    manage,
    prepare_portal,
    production_environ,
    require_local,
    run_django,
    start_gunicorn,
    stop,
    vacuum,
)

ANALYTICS_MS, TIMELINE_MS, EXPORT_MB = 500, 100, 50
TIMELINE_EVENTS = 10_000
RUNS = 5
TABLES = ["accounts_user", "progress_lectureprogress", "progress_progressevent", "progress_lastvisit"]

SEEDED_SCRIPT = """
from accounts.models import User
from progress.management.commands.seed_learners import SEED_DOMAIN
print(User.objects.filter(email__endswith="@" + SEED_DOMAIN).exclude(email="timeline@" + SEED_DOMAIN).count())
"""
# One more learner (in the seed's domain, so a new seed removes them) with a long history:
# marks and unmarks spread over 100 days, over the published lectures.
TIMELINE_SCRIPT = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from lectures.models import Lecture
from progress.models import ProgressEvent
from progress.management.commands.seed_learners import SEED_DOMAIN
events = int({events})
learner, _ = User.objects.get_or_create(email="timeline@" + SEED_DOMAIN)
if ProgressEvent.objects.filter(user=learner).count() != events:
    ProgressEvent.objects.filter(user=learner).delete()
    lectures = list(Lecture.objects.published())
    now = timezone.now()
    ProgressEvent.objects.bulk_create(
        (
            ProgressEvent(
                user=learner,
                lecture=lectures[n % len(lectures)],
                action="unmarked" if (n // len(lectures)) % 2 else "marked",
                at=now - timedelta(minutes=15 * (events - n)),
            )
            for n in range(events)
        ),
        batch_size=2000,
    )
print(learner.pk)
"""
# Counting the figures of each period a few times, as count_analytics does (and keeping them for
# the page): the median and the slowest, in ms.
COUNT_SCRIPT = """
import statistics, time
from lectures.models import Course
from progress.analytics import PERIODS, count_figures
course = Course.objects.first()
for period in PERIODS:
    times = []
    for _ in range({runs}):
        started = time.perf_counter()
        count_figures(course=course, period=period)
        times.append((time.perf_counter() - started) * 1000)
    print(period, statistics.median(times), max(times))
"""
STAFF_SCRIPT = """
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from importlib import import_module
from accounts.models import User
staff, _ = User.objects.get_or_create(
    email="bench-staff@staff.invalid", defaults={"is_staff": True, "is_superuser": True}
)
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(staff.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def get(port, path, session, *, stream=None):
    """GET a page as the member of staff; return (status, milliseconds, bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": f"sessionid={session}"})
    response = connection.getresponse()
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
        if stream:
            stream(chunk)
    took = (time.perf_counter() - started) * 1000
    connection.close()
    if response.status != 200:
        sys.exit(f"GET {path} answered {response.status}.")
    return took, size


def timed(port, path, session):
    """The median and the slowest of a few loads, after one that warms up."""
    get(port, path, session)
    times = [get(port, path, session)[0] for _ in range(RUNS)]
    return statistics.median(times), max(times)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker_pid(server):
    """The one gunicorn worker's process id."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    sys.exit("The gunicorn worker did not start.")


def export_growth(port, session, pid):
    """Download the learners' CSV while sampling the worker's memory; return (MB grown, seconds, rows)."""
    baseline = rss_mb(pid)
    peak, lines = baseline, 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mb(pid))
            time.sleep(0.02)

    def count(chunk):
        nonlocal lines
        lines += chunk.count(b"\n")

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    took, _size = get(port, "/admin/analytics/export.csv", session, stream=count)
    done.set()
    sampler.join()
    return peak - baseline, took / 1000, lines - 1  # the header is not a learner


def measure(name, database_url, redis_url, options):
    print(f"\n{name}: {database_url}")
    environ = production_environ(
        database_url,
        redis_url=redis_url,
        # Staff sign in here with a session written directly, without a second factor.
        DJANGO_ADMIN_REQUIRES_MFA="false",
    )
    if database_url.startswith("postgres"):
        create_database(database_url)
    prepare_portal(environ)
    if int(run_django(environ, SEEDED_SCRIPT)) != options.learners:
        manage(environ, "seed_learners", "--learners", str(options.learners), "--replace", quiet=False)
    timeline_id = int(run_django(environ, TIMELINE_SCRIPT.format(events=TIMELINE_EVENTS)))
    session = run_django(environ, STAFF_SCRIPT).strip()
    if database_url.startswith("postgres"):
        vacuum(database_url, TABLES)
        checkpoint(database_url)

    counting = {}
    for line in run_django(environ, COUNT_SCRIPT.format(runs=RUNS)).splitlines():
        period, median, slowest = line.split()
        counting[f"counting, {period}"] = float(median), float(slowest)

    server = start_gunicorn(
        environ, options.port, extra_args=["--workers", "1", "--threads", "1", "--max-requests", "0"]
    )
    figures = {}
    try:
        pid = worker_pid(server)
        for period in ["7", "30", "90", "all"]:
            figures[f"analytics, {period}"] = timed(options.port, f"/admin/analytics/?period={period}", session)
        last_page = TIMELINE_EVENTS // 50
        timeline = f"/admin/analytics/learners/{timeline_id}/"
        figures["timeline, first page"] = timed(options.port, timeline, session)
        figures[f"timeline, page {last_page}"] = timed(options.port, f"{timeline}?page={last_page}", session)
        growth, seconds, rows = export_growth(options.port, session, pid)
    finally:
        stop(server)

    failed = []
    for page, (median, slowest) in figures.items():
        target = ANALYTICS_MS if page.startswith("analytics") else TIMELINE_MS
        verdict = "ok" if median <= target else "SLOW"
        if verdict != "ok":
            failed.append(page)
        print(f"  {page:<24} median {median:7.1f} ms  slowest {slowest:7.1f} ms  (target {target} ms) {verdict}")
    for counted, (median, slowest) in counting.items():
        print(f"  {counted:<24} median {median:7.1f} ms  slowest {slowest:7.1f} ms  (no target)")
    verdict = "ok" if growth < EXPORT_MB else "TOO MUCH"
    if verdict != "ok":
        failed.append("export")
    print(
        f"  {'export.csv':<24} {rows:,} learners in {seconds:.1f} s, "
        f"the worker's memory grew by {growth:.1f} MB (target < {EXPORT_MB} MB) {verdict}"
    )
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=100_000, help="synthetic learners in each database")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="measure one database only")
    parser.add_argument("--sqlite", type=Path, default=ROOT / "bench-results" / "bench-staff.sqlite3")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/portal_bench_staff", help="PostgreSQL"
    )
    parser.add_argument("--port", type=int, default=8610)
    options = parser.parse_args()
    require_local(options.database_url, "--database-url")
    options.sqlite.parent.mkdir(parents=True, exist_ok=True)

    # Production wants a Redis for its cache and sessions: one of the script's own.
    redis = Redis()
    failed = []
    try:
        if options.only != "postgresql":
            failed += measure("SQLite", f"sqlite:///{options.sqlite.resolve()}", redis.url, options)
        if options.only != "sqlite":
            failed += measure("PostgreSQL", options.database_url, redis.url, options)
    finally:
        redis.stop()
    if failed:
        sys.exit(f"\nMissed targets: {', '.join(failed)}.")


if __name__ == "__main__":
    main()
