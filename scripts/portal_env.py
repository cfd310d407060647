"""Helpers the operator scripts share: a production-like portal on 127.0.0.1 under gunicorn."""

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LECTURES = [
    "ml-in-practice", "design-foundations", "training-data", "feature-engineering", "model-development",
    "model-evaluation", "deployment", "failure-diagnosis", "streaming-data", "model-lifecycle",
    "ml-in-business-processes", "design-doc",
]  # fmt: skip


def require_local(url, name):
    host = urlsplit(url).hostname
    if host not in LOCAL_HOSTS and not (host or "").startswith("/"):
        sys.exit(f"{name} must point at 127.0.0.1: these scripts load and restart local services only.")


def require_command(command, package):
    """Install a Debian package for a missing tool when running as root; otherwise say how."""
    if shutil.which(command):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"Installing {package} (Debian) for {command} ...", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, stdout=subprocess.DEVNULL)
        if shutil.which(command):
            return
    sys.exit(f"{command} is needed: apt-get install {package}")


def production_environ(database_url, *, redis_url="", **extra):
    """Production settings, served over plain HTTP on 127.0.0.1."""
    environ = os.environ | {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_LOG_LEVEL": "CRITICAL",
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    return environ | extra


# Setting up (migrating, seeding, writing sessions) is not what is measured, and
# may run statements longer than a request may.
SETUP = {"DJANGO_DB_STATEMENT_TIMEOUT_MS": "0", "DJANGO_DB_LOCK_TIMEOUT_MS": "0"}


def manage(environ, *args, quiet=True):
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=environ | SETUP,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def create_database(database_url):
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def vacuum(database_url, tables):
    """Clean up after bulk writes and refresh the planner's statistics, so runs start from a steady state."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        for table in tables:
            connection.execute(f'VACUUM (ANALYZE) "{table}"')


def checkpoint(database_url):
    """Have the server write the setup's changes to disk now rather than while pages are measured.

    A CHECKPOINT also restarts the server's timer for the next one. It needs a
    superuser (or the pg_checkpoint role); without one the run goes on as it is.
    """
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        try:
            connection.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            print("Not allowed to run CHECKPOINT: the server may write the setup's changes during the run.")


def prepare_portal(environ):
    """Migrate, load the bundled course and collect static files, as a deployment does."""
    manage(environ, "migrate", "--no-input")
    manage(environ, "import_course", "lectures/data/ml-system-design-2022.yaml")
    manage(environ, "collectstatic", "--no-input")


SESSION_SCRIPT = """
import sys
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.conf import settings
from importlib import import_module
from accounts.models import User
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
emails = sys.stdin.read().split()
users = {user.email: user for user in User.objects.filter(email__in=emails)}
for email in emails:
    user = users.get(email) or User.objects.create(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(session.session_key)
"""


def run_django(environ, script, stdin=""):
    """Run a Python snippet with the portal's Django set up, in a process of its own; return its output."""
    result = subprocess.run(
        [PYTHON, "-c", "import django; django.setup()\n" + script],
        cwd=ROOT,
        env=environ | SETUP,
        input=stdin,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def make_sessions(environ, emails):
    """Sign learners in by writing their sessions directly (no login form: hashing is not what is measured)."""
    return run_django(environ, SESSION_SCRIPT, stdin="\n".join(emails)).split()


def csrf_secret():
    """A CSRF secret in Django's format, sent as both the cookie and the header."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def start_gunicorn(environ, port, *, app="portal.wsgi", extra_args=(), new_session=False, log=None):
    """Start gunicorn with the repository's configuration; new_session puts it in a process group of its own.

    log: a file for gunicorn's own log (its stderr).
    """
    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    server = subprocess.Popen(
        [
            gunicorn,
            app,
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            *extra_args,
        ],
        cwd=ROOT,
        env=environ,
        start_new_session=new_session,
        stderr=log,
    )
    wait_until_up(port, server)
    return server


def wait_until_up(port, server=None, path="/healthz", timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            sys.exit(f"The server on port {port} exited with code {server.returncode}.")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"The server on port {port} did not answer {path} within {timeout} s.")


def stop(server):
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


class ClientThreads:
    """Client threads on 127.0.0.1 that record what happened to each request until told to stop."""

    def __init__(self, port):
        self.port = port
        self.records = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = []

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def record(self, record):
        with self.lock:
            self.records.append(record)

    def worker(self, argument):
        raise NotImplementedError

    def start(self, arguments):
        """One thread per argument, each running worker(argument)."""
        self.threads = [threading.Thread(target=self.worker, args=(argument,), daemon=True) for argument in arguments]
        for thread in self.threads:
            thread.start()

    def finish(self, timeout=30):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=timeout)


def free_port():
    """A TCP port nobody listens on now, chosen by the kernel."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Redis:
    """A Redis server of the script's own, on a free port: stopped, paused and started again at will."""

    def __init__(self, port=0):
        require_command("redis-server", "redis-server")
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        sys.exit(f"redis-server did not start on port {self.port}.")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)


def count_rows(environ, emails_like):
    script = (
        "from progress.models import LectureProgress\n"
        f"print(LectureProgress.objects.filter(user__email__startswith={emails_like!r}).count())"
    )
    return int(run_django(environ, script))


def clear_rows(environ, emails_like):
    script = (
        "from progress.models import LectureProgress, ProgressEvent\n"
        f"LectureProgress.objects.filter(user__email__startswith={emails_like!r}).delete()\n"
        f"ProgressEvent.objects.filter(user__email__startswith={emails_like!r}).delete()"
    )
    run_django(environ, script)


def failed(kind, outcome):
    """Any answer but the expected one is a failure: an error, a 5xx, and a 4xx too (no request here deserves one)."""
    return isinstance(outcome, str) or outcome >= 400


class MixedLoad(ClientThreads):
    """Threads that each loop over the anonymous home, a signed-in lecture page, a watched toggle and /healthz.

    Each toggle marks a (learner, lecture) pair of the thread's own watched, never the
    same one twice, so the database must end with one row per confirmed write.
    Records (started, finished, kind, outcome).
    """

    KINDS = ("anonymous", "signed-in", "toggle", "healthz")

    def __init__(self, port, learners, *, timeout=10):
        super().__init__(port)
        self.learners = learners
        self.timeout = timeout

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def worker(self, learners):
        connection = self.connect()
        pairs = iter([(learner, slug) for learner in learners for slug in LECTURES])
        session, csrf = learners[0]
        step = 0
        while not self.stop.is_set():
            kind = self.KINDS[step % len(self.KINDS)]
            step += 1
            headers, body, method = {}, None, "GET"
            if kind == "anonymous":
                path = "/"
            elif kind == "signed-in":
                path = "/lectures/training-data/"
                headers = {"Cookie": f"sessionid={session}"}
            elif kind == "toggle":
                pair = next(pairs, None)
                if pair is None:
                    continue
                (session, csrf), slug = pair
                method, path, body = "POST", f"/lectures/{slug}/watched/", "watched=true"
                headers = {
                    "Cookie": f"sessionid={session}; csrftoken={csrf}",
                    "X-CSRFToken": csrf,
                    "HX-Request": "true",
                    "Content-Type": "application/x-www-form-urlencoded",
                }
            else:
                path = "/healthz"
            started = time.monotonic()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                outcome = response.status
            except (OSError, http.client.HTTPException) as error:
                outcome, data = type(error).__name__, b""
                connection.close()
                connection = self.connect()
            # What /healthz says of the cache.
            note = json.loads(data).get("cache") if kind == "healthz" and outcome == 200 else None
            self.record((started, time.monotonic(), kind, outcome, note))


def phase_report(records, phases):
    """Per phase, per kind of request: how many, how many failed, the status codes and the slowest."""
    report = {}
    for name, (low, high) in phases.items():
        inside = [record for record in records if low <= record[0] < high]
        kinds = {}
        for kind in MixedLoad.KINDS:
            mine = [record for record in inside if record[2] == kind]
            if not mine:
                continue
            outcomes = {}
            for record in mine:
                outcomes[str(record[3])] = outcomes.get(str(record[3]), 0) + 1
            failures = sum(1 for record in mine if failed(kind, record[3]))
            durations = sorted(record[1] - record[0] for record in mine)
            kinds[kind] = {
                "requests": len(mine),
                "failed": failures,
                "failed %": round(100 * failures / len(mine), 2),
                "statuses": dict(sorted(outcomes.items())),
                "p50 (s)": round(durations[len(durations) // 2], 3),
                "slowest (s)": round(durations[-1], 3),
            }
            if kind == "healthz":
                kinds[kind]["cache"] = sorted({record[4] for record in mine if record[4] is not None})
        report[name] = {"seconds": round(high - low, 2), "kinds": kinds}
    return report


def lost_writes(records, rows):
    """The lost-write check: every confirmed toggle is a row, and no row came from nowhere."""
    toggles = [record for record in records if record[2] == "toggle"]
    confirmed = sum(1 for record in toggles if record[3] == 200)
    unconfirmed = len(toggles) - confirmed
    return {
        "toggles confirmed": confirmed,
        "toggles not confirmed": unconfirmed,
        "progress rows in the database": rows,
        # A write may commit and still lose its answer, so rows may exceed the
        # confirmed ones, by the unconfirmed ones at most.
        "lost writes": max(0, confirmed - rows),
        "rows from nowhere": max(0, rows - confirmed - unconfirmed),
    }


def fault_options(parser, *, database, port=0):
    """The options of every fault script: its load, the ports, the database and the report's file."""
    parser.add_argument("--threads", type=int, default=8, help="client threads (at most 32)")
    parser.add_argument("--port", type=int, default=port, help="the portal's port (0: a free one)")
    parser.add_argument("--redis-port", type=int, default=0, help="its own Redis's port (default: a free one)")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    )
    parser.add_argument("--json", type=Path, help="also write the report here")


def parse_fault_options(parser):
    options = parser.parse_args()
    require_local(options.database_url, "--database-url")
    options.threads = min(options.threads, 32)
    options.port = options.port or free_port()
    return options


def write_problems(writes):
    """The problem to report when the rows in the database do not match the writes (from lost_writes)."""
    if writes["lost writes"] or writes["rows from nowhere"]:
        return ["the rows in the database do not match the confirmed writes"]
    return []


def finish(report, options, problems):
    """Print the report (and write it to --json), then exit non-zero naming the problems found."""
    text = json.dumps(report, indent=2)
    print(text)
    if options.json:
        options.json.write_text(text)
    if problems:
        sys.exit("; ".join(problems))
