import os
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.core.cache import caches as django_caches
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from .conftest import redis_server_or_skip

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 20 + "-Z9x" * 10
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": GOOD_KEY,
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    "REDIS_URL": "redis://redis.internal:6379/0",
}
VARIABLES = [
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DATABASE_URL",
    "DJANGO_DB_PREPARED_STATEMENTS",
    "DJANGO_DB_STATEMENT_TIMEOUT_MS",
    "DJANGO_DB_LOCK_TIMEOUT_MS",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "DJANGO_APP_SERVERS",
    "REDIS_URL",
    "REDIS_TIMEOUT_MS",
    "DJANGO_CACHE_KEY_PREFIX",
    "DJANGO_SMTP_HOST",
    "DJANGO_SMTP_PORT",
    "DJANGO_SMTP_USER",
    "DJANGO_SMTP_PASSWORD",
    "DJANGO_SMTP_TLS",
    "DJANGO_DEFAULT_FROM_EMAIL",
    "DJANGO_LOG_LEVEL",
    "DJANGO_GITHUB_CLIENT_ID",
    "DJANGO_GITHUB_SECRET",
    "DJANGO_GOOGLE_CLIENT_ID",
    "DJANGO_GOOGLE_SECRET",
    "DJANGO_TRUST_X_FORWARDED_PROTO",
    "DJANGO_WATCHED_CHANGES_PER_MINUTE",
    "DJANGO_NOTE_CHANGES_PER_MINUTE",
    "DJANGO_TRUSTED_PROXIES",
    "DJANGO_ADMIN_REQUIRES_MFA",
    "DJANGO_SUPPORT_EMAIL",
]


@pytest.fixture
def load_settings(monkeypatch):
    """Evaluate portal/settings.py afresh under the given environment."""

    def load(**environ):
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(ROOT / "portal" / "settings.py"))

    return load


def test_with_no_environment_the_settings_are_productions(load_settings):
    # Secure by default: a server started with nothing set refuses to run without a real secret.
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        load_settings()


def test_a_fresh_clone_needs_only_debug_said_out_loud(load_settings):
    settings = load_settings(DJANGO_DEBUG="true")
    assert settings["DEBUG"] is True
    assert settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["MAILERS"]["default"]["BACKEND"] == "portal.mail.ConsoleEmailBackend"
    assert settings["SECRET_KEY"].startswith("django-insecure-")


def test_production_runs_with_real_values(load_settings):
    settings = load_settings(**PRODUCTION)
    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == GOOD_KEY
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SESSION_COOKIE_SECURE"]
    assert settings["CSRF_COOKIE_SECURE"]
    assert settings["MAILERS"]["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert "EMAIL_BACKEND" not in settings


@pytest.mark.parametrize("key", [None, "change-me", "django-insecure-" + "x" * 50, "short-but-random-3f9a"])
def test_production_refuses_a_missing_or_placeholder_secret(load_settings, key):
    environ = dict(PRODUCTION)
    if key is None:
        del environ["DJANGO_SECRET_KEY"]
    else:
        environ["DJANGO_SECRET_KEY"] = key
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        load_settings(**environ)


def test_production_requires_redis_for_exact_throttle_counts(load_settings):
    environ = dict(PRODUCTION)
    del environ["REDIS_URL"]
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must name a Redis server"):
        load_settings(**environ)


def test_production_requires_a_second_factor_for_the_admin_unless_told(load_settings):
    assert load_settings(**PRODUCTION)["ADMIN_REQUIRES_MFA"] is True
    assert load_settings(**PRODUCTION, DJANGO_ADMIN_REQUIRES_MFA="false")["ADMIN_REQUIRES_MFA"] is False
    assert load_settings(DJANGO_DEBUG="true")["ADMIN_REQUIRES_MFA"] is False


def test_production_requires_allowed_hosts(load_settings):
    environ = dict(PRODUCTION)
    del environ["DJANGO_ALLOWED_HOSTS"]
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ALLOWED_HOSTS"):
        load_settings(**environ)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DJANGO_SECURE_SSL_REDIRECT", "sometimes"),
        ("DJANGO_DB_STATEMENT_TIMEOUT_MS", "5s"),
        ("DJANGO_DB_LOCK_TIMEOUT_MS", "-1"),
        ("GUNICORN_THREADS", "0"),
        ("DJANGO_APP_SERVERS", "two"),
        ("REDIS_TIMEOUT_MS", "0"),
        ("DJANGO_CONN_MAX_AGE", "600"),
        ("DJANGO_SMTP_PORT", "0"),
        ("DJANGO_SMTP_TLS", "perhaps"),
        ("DJANGO_CSRF_TRUSTED_ORIGINS", "portal.example.org"),
        ("DATABASE_URL", "mysqlx://nowhere"),
        ("REDIS_URL", "localhost:6379"),
        ("DJANGO_LOG_LEVEL", "LOUD"),
        ("DJANGO_TRUST_X_FORWARDED_PROTO", "maybe"),
        ("DJANGO_WATCHED_CHANGES_PER_MINUTE", "0"),
        ("DJANGO_NOTE_CHANGES_PER_MINUTE", "many"),
        ("DJANGO_TRUSTED_PROXIES", "-1"),
        ("DJANGO_TRUSTED_PROXIES", "one"),
        ("DJANGO_ADMIN_REQUIRES_MFA", "later"),
        ("DJANGO_SUPPORT_EMAIL", "the staff"),
    ],
)
def test_it_names_the_variable_with_a_bad_value(load_settings, name, value):
    environ = dict(PRODUCTION, DJANGO_SMTP_HOST="smtp.example.org")
    environ[name] = value
    with pytest.raises(ImproperlyConfigured, match=name):
        load_settings(**environ)


def test_social_sign_in_appears_only_with_its_keys(load_settings):
    assert load_settings(DJANGO_DEBUG="true")["SOCIALACCOUNT_PROVIDERS"] == {}
    settings = load_settings(DJANGO_DEBUG="true", DJANGO_GITHUB_CLIENT_ID="id-123", DJANGO_GITHUB_SECRET="s3cret")
    assert "allauth.socialaccount.providers.github" in settings["INSTALLED_APPS"]
    assert "allauth.socialaccount.providers.google" not in settings["INSTALLED_APPS"]
    assert settings["SOCIALACCOUNT_PROVIDERS"]["github"]["APPS"] == [{"client_id": "id-123", "secret": "s3cret"}]


def test_a_social_key_without_its_secret_stops_start_up(load_settings):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_GOOGLE_SECRET"):
        load_settings(DJANGO_DEBUG="true", DJANGO_GOOGLE_CLIENT_ID="id-123")


def test_postgres_connections_are_pooled_limited_in_time_and_prepare_frequent_queries(load_settings):
    database = load_settings(DJANGO_DEBUG="true", DATABASE_URL="postgres://portal:secret@db.example.org:5432/portal")[
        "DATABASES"
    ]["default"]
    assert database["CONN_MAX_AGE"] == 0  # the pool keeps connections, one per gunicorn thread at most
    assert database["OPTIONS"] == {
        "options": "-c statement_timeout=5000 -c lock_timeout=500",
        "pool": {"min_size": 1, "max_size": 4, "max_idle": 10, "timeout": 2},
        "server_side_binding": True,
        "prepare_threshold": 5,
    }


def test_prepared_statements_can_be_turned_off_and_url_options_stay(load_settings):
    settings = load_settings(
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://portal:secret@db.example.org:5432/portal?sslmode=require&options=-c%20work_mem%3D8MB",
        DJANGO_DB_PREPARED_STATEMENTS="false",
        DJANGO_DB_STATEMENT_TIMEOUT_MS="0",
        GUNICORN_THREADS="8",
    )
    options = settings["DATABASES"]["default"]["OPTIONS"]
    assert options["sslmode"] == "require"
    assert options["options"] == "-c work_mem=8MB -c statement_timeout=0 -c lock_timeout=500"
    assert options["pool"]["max_size"] == 8
    assert "prepare_threshold" not in options


def test_redis_calls_time_out_quickly_and_keys_carry_the_deployments_prefix(load_settings):
    settings = load_settings(
        DJANGO_DEBUG="true", DATABASE_URL="postgres://db.example.org:5432/portal", REDIS_URL="redis://cache:6379/0"
    )
    cache = settings["CACHES"]["default"]
    assert cache["KEY_PREFIX"] == "db.example.org:5432/portal"
    assert cache["OPTIONS"] == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
    named = load_settings(
        DJANGO_DEBUG="true", REDIS_URL="redis://cache:6379/0", DJANGO_CACHE_KEY_PREFIX="staging", REDIS_TIMEOUT_MS="100"
    )
    assert named["CACHES"]["default"]["KEY_PREFIX"] == "staging"
    assert named["CACHES"]["default"]["OPTIONS"]["socket_timeout"] == 0.1


def test_redis_can_be_reached_through_a_unix_socket(load_settings):
    executable = redis_server_or_skip()
    # A short directory: a socket's path may not be longer than about 100 bytes.
    with tempfile.TemporaryDirectory(dir="/tmp") as directory:
        path = Path(directory) / "redis.sock"
        server = subprocess.Popen(
            [executable, "--port", "0", "--unixsocket", str(path), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while not path.exists():
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
            caches = load_settings(**PRODUCTION | {"REDIS_URL": f"unix://{path}?db=0"})["CACHES"]
            with override_settings(CACHES=caches):
                django_caches["default"].set("greeting", "hello")
                assert django_caches["default"].get("greeting") == "hello"
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.mark.parametrize("url", ["unix://", "unix://localhost"])
def test_a_unix_socket_url_needs_its_path(load_settings, url):
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        load_settings(**PRODUCTION | {"REDIS_URL": url})


def test_every_variable_is_in_the_example_file():
    example = (ROOT / ".env.example").read_text()
    source = (ROOT / "portal" / "settings.py").read_text()
    for name in VARIABLES:
        assert f"\n{name}=" in example, name
        assert f'"{name}"' in source, name


def test_start_up_stops_with_the_message(tmp_path):
    # The real entry point, in a process of its own: a bad value stops it.
    environ = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    environ |= {"DJANGO_DEBUG": "nope", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environ, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false, not 'nope'." in result.stderr


@pytest.mark.parametrize("debug", ["true", "false"])
def test_each_log_line_is_printed_once(debug):
    environ = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    environ |= PRODUCTION | {"DJANGO_DEBUG": debug, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('probe from django'); "
        "logging.getLogger('progress').warning('probe from the portal')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True, check=True
    )
    assert result.stderr.count("probe from django") == 1
    assert result.stderr.count("probe from the portal") == 1
