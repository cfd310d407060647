"""Fill PostgreSQL's connections with a burst of load, then check that they go back.

Starts a PostgreSQL server of its own (initdb in a temporary folder, on a free
port, with a small max_connections) and a Redis of its own, and serves the
portal from two gunicorn instances on 127.0.0.1: "portal" (2 workers) and
"burst" (--burst-workers workers), whose pools together may want more
connections than the server has. For --burst seconds wrk drives the burst
instance with many connections while the portal gets the mixed load; then the
burst stops and the portal's load drops to a light one for --after seconds.
Connections per instance are sampled every second.

The promises: the connection-budget check warns about this set-up; during the
burst a request that gets no connection fails fast with a 503; after it, the
burst server's idle connections go back to the server, and the light traffic
does not fail.

    .venv/bin/python scripts/connection_burst.py [--burst 10] [--after 40] [--max-connections 40]
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
from portal_env import (
    MixedLoad,
    Redis,
    create_database,
    csrf_secret,
    finish,
    free_port,
    make_sessions,
    phase_report,
    prepare_portal,
    production_environ,
    require_command,
    start_gunicorn,
    stop,
)

PREFIX = "burst-"
LEARNERS_PER_THREAD = 20


class PostgreSQL:
    """A PostgreSQL server of the script's own, in a temporary folder; never the machine's."""

    def __init__(self, directory, max_connections):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not binaries:
            sys.exit("PostgreSQL's server programs are needed: apt-get install postgresql")
        self.bin = Path(binaries[-1])
        self.directory = Path(directory)
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal_burst"
        # The server refuses to run as root: it runs as the postgres user then.
        self.user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.user:
            shutil.chown(self.directory, "postgres")
        data = self.directory / "data"
        self.run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
        settings = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        settings += f" -c max_connections={max_connections}"
        self.data = data
        self.run("pg_ctl", "-D", str(data), "-l", str(self.directory / "log"), "-o", settings, "-w", "start")

    def run(self, program, *args):
        subprocess.run([*self.user, str(self.bin / program), *args], check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")


def sample_connections(url, samples, stopping):
    """Every second: the database's connections per application_name (each instance names itself)."""
    with psycopg.connect(url.replace("/portal_burst", "/postgres"), autocommit=True) as connection:
        while not stopping.wait(1):
            rows = connection.execute(
                "SELECT application_name, count(*) FROM pg_stat_activity "
                "WHERE datname = 'portal_burst' GROUP BY application_name"
            ).fetchall()
            samples.append((time.monotonic(), dict(rows)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=10, help="whole seconds of heavy load, as wrk takes (at most 60)")
    parser.add_argument("--after", type=float, default=60, help="seconds of light load after it (at most 120)")
    parser.add_argument("--max-connections", type=int, default=24, help="the server's max_connections")
    parser.add_argument("--burst-workers", type=int, default=8, help="workers of the burst instance")
    parser.add_argument("--threads", type=int, default=8, help="client threads on the portal in the burst")
    parser.add_argument("--connections", type=int, default=128, help="wrk's connections to the burst instance")
    parser.add_argument("--port", type=int, default=8370, help="the portal's port; the burst instance takes the next")
    parser.add_argument("--json", type=Path, help="also write the report here")
    options = parser.parse_args()
    burst, after, threads = min(options.burst, 60), min(options.after, 120), min(options.threads, 32)
    require_command("wrk", "wrk")

    with tempfile.TemporaryDirectory(prefix="portal-burst-") as directory:
        database = PostgreSQL(directory, options.max_connections)
        redis = Redis()
        servers = []
        stopping = threading.Event()
        samples = []
        try:
            environ = production_environ(database.url, redis_url=redis.url)
            create_database(database.url)
            prepare_portal(environ)
            emails = [f"{PREFIX}{n:05d}@learners.invalid" for n in range(threads * LEARNERS_PER_THREAD)]
            learners = [(key, csrf_secret()) for key in make_sessions(environ, emails)]
            check = subprocess.run(
                [sys.executable, "manage.py", "check", "--database", "default"],
                env=environ | {"DJANGO_APP_SERVERS": "2", "WEB_CONCURRENCY": str(options.burst_workers)},
                cwd=Path(__file__).resolve().parent.parent,
                capture_output=True,
                text=True,
                check=False,
            )
            names = {"portal": options.port, "burst": options.port + 1}
            for name, port in names.items():
                workers = "2" if name == "portal" else str(options.burst_workers)
                named = environ | {"DATABASE_URL": f"{database.url}?application_name={name}"}
                servers.append(start_gunicorn(named, port, extra_args=["--workers", workers]))
            sampler = threading.Thread(target=sample_connections, args=(database.url, samples, stopping))
            sampler.start()

            load = MixedLoad(names["portal"], learners)
            start = time.monotonic()
            load.start(learners[n::threads] for n in range(threads))
            wrk = subprocess.run(
                ["wrk", "-t2", f"-c{options.connections}", f"-d{burst}s", "--timeout", "10s",
                 f"http://127.0.0.1:{names['burst']}/lectures/training-data/"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            load.finish()
            ended = time.monotonic()
            light = MixedLoad(names["portal"], learners)
            light.start(learners[n::4] for n in range(4))
            time.sleep(after)
            light.finish()
            end = time.monotonic()
        finally:
            stopping.set()
            for server in servers:
                stop(server)
            redis.stop()
            database.stop()

    def held(name, at):
        return next((counts.get(name, 0) for moment, counts in samples if moment >= at), None)

    burst_held = [(round(moment - ended, 1), counts.get("burst", 0)) for moment, counts in samples if moment >= ended]
    given_back = next((seconds for seconds, count in burst_held if count <= options.burst_workers), None)
    report = {
        "max_connections": options.max_connections,
        "instances": {"portal": "2 workers x 4 threads", "burst": f"{options.burst_workers} workers x 4 threads"},
        "connection-budget check": [line for line in check.stderr.splitlines() if "portal.W001" in line],
        "burst, portal's load": phase_report(load.records, {"burst": (start, ended)})["burst"],
        "burst, wrk on the burst instance": [line.strip() for line in wrk.stdout.splitlines()[2:] if line.strip()],
        "after the burst, light load on the portal": phase_report(light.records, {"after": (ended, end)})["after"],
        "most connections during the burst": {
            name: max((counts.get(name, 0) for moment, counts in samples if start <= moment <= ended), default=0)
            for name in names
        },
        "connections at the end of the burst": {name: held(name, ended - 1) for name in names},
        "burst's connections after it, every 5 s": burst_held[::5],
        "seconds until the burst's idle connections went back (one a worker left)": given_back,
    }

    problems = []
    if not report["connection-budget check"]:
        problems.append("the connection-budget check did not warn")
    for kind, counts in report["after the burst, light load on the portal"]["kinds"].items():
        if counts["failed"]:
            problems.append(f"after the burst, {counts['failed']} {kind} requests failed")
    if given_back is None:
        problems.append(f"the burst's connections did not go back within {after} s")
    finish(report, options, problems)


if __name__ == "__main__":
    main()
