"""Settings for the course portal, read from the environment.

With no environment at all these are production's settings, which refuse to
start without a real secret key, allowed hosts and Redis. Development says
DJANGO_DEBUG=true (make run, the tests and .env.example do) and then runs
with SQLite and a throwaway key. Every variable is listed in .env.example.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off"}


def env_str(name, default=""):
    return os.environ.get(name, default).strip()


def env_bool(name, default):
    value = env_str(name).lower()
    if not value:
        return default
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name, default, *, minimum=0):
    value = env_str(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name, default=()):
    value = env_str(name)
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name, *, schemes):
    value = env_str(name)
    if value:
        parts = urlsplit(value)
        # A unix:// URL names a socket's path, not a host.
        where = parts.path if parts.scheme == "unix" else parts.netloc
        if parts.scheme not in schemes or not where:
            allowed = ", ".join(f"{scheme}://" for scheme in schemes)
            raise ImproperlyConfigured(f"{name} must be a URL starting with {allowed}.")
    return value


# Secure by default: a server started without DJANGO_DEBUG is a production one.
DEBUG = env_bool("DJANGO_DEBUG", False)

# Values that mean "nobody set a real key": the development default and the
# placeholder shipped in .env.example.
INSECURE_KEY_PREFIX = "django-insecure-"
PLACEHOLDER_KEYS = {"change-me", "changeme", "secret", "replace-me"}

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not DEBUG and (
    not SECRET_KEY
    or SECRET_KEY.lower() in PLACEHOLDER_KEYS
    or SECRET_KEY.startswith(INSECURE_KEY_PREFIX)
    or len(SECRET_KEY) < 50
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
        "when DJANGO_DEBUG is false. Generate one with: python -c "
        '"import secrets; print(secrets.token_urlsafe(50))"'
    )
if not SECRET_KEY:
    SECRET_KEY = INSECURE_KEY_PREFIX + "development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names when DJANGO_DEBUG is false.")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
for origin in CSRF_TRUSTED_ORIGINS:
    if urlsplit(origin).scheme not in {"http", "https"} or not urlsplit(origin).netloc:
        raise ImproperlyConfigured(
            f"DJANGO_CSRF_TRUSTED_ORIGINS entries must look like https://example.org, not {origin!r}."
        )

INSTALLED_APPS = [
    # Django's admin on portal.admin.AdminSite: allauth's sign-in, and staff need a second factor.
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # allauth.mfa's passkey list writes "3 days ago"
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "allauth.usersessions",
    "portal",
    "accounts",
    "lectures",
    "progress",
]

MIDDLEWARE = [
    "portal.middleware.security_headers",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above CommonMiddleware, so that its 400 for a bad Host header is framed too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.account_language",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.last_seen",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.method_not_allowed_page",
]

ROOT_URLCONF = "portal.urls"
# A lecture's page shows it with the learner's progress, so the pages live in
# the progress app; the content models learn their addresses here, and the
# lectures app never depends on the pages built around it.
ABSOLUTE_URL_OVERRIDES = {
    "lectures.course": lambda course: reverse("progress:home"),
    "lectures.lecture": lambda lecture: reverse("progress:lecture", args=[lecture.slug]),
}
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.theme",
            ],
        },
    },
]

# Database: SQLite next to the code unless DATABASE_URL names another one.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_health_checks=True)}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL Django can use: {error}") from None
if env_str("DJANGO_CONN_MAX_AGE"):
    raise ImproperlyConfigured(
        "DJANGO_CONN_MAX_AGE is no longer read: PostgreSQL connections are pooled (see README). Remove it."
    )
# gunicorn's workers and threads per app server (gunicorn.conf.py reads the same
# variables), and how many app servers share the database: together they are
# the most connections the portal opens (checked by `manage.py migrate` and
# `check --database default`).
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 2, minimum=1)
GUNICORN_THREADS = env_int("GUNICORN_THREADS", 4, minimum=1)
APP_SERVERS = env_int("DJANGO_APP_SERVERS", 1, minimum=1)
# PostgreSQL cancels a query that runs longer than this, or waits longer for a
# lock, and the page answers 503. gthread workers never end a slow request
# themselves, so these are what bounds one. No page waits for a lock in normal
# work; one held longer is a migration's or maintenance's, and both the pages
# behind it and a migration queued in front of every page had better give up
# soon. 0 turns a limit off (a long migration).
DB_STATEMENT_TIMEOUT_MS = env_int("DJANGO_DB_STATEMENT_TIMEOUT_MS", 5000)
DB_LOCK_TIMEOUT_MS = env_int("DJANGO_DB_LOCK_TIMEOUT_MS", 500)
PREPARED_STATEMENTS = env_bool("DJANGO_DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = " ".join(
        [
            options.get("options", ""),
            f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
            f"-c lock_timeout={DB_LOCK_TIMEOUT_MS}",
        ]
    ).strip()
    # Each worker keeps a pool of at most one connection per thread, checked
    # before use so the portal carries on after a database restart. One left
    # unused for max_idle seconds is closed, down to one a worker, so a burst's
    # connections go back to the server. A request that cannot get a connection
    # within `timeout` answers 503 instead of queueing.
    options["pool"] = {"min_size": 1, "max_size": GUNICORN_THREADS, "max_idle": 10, "timeout": 2}
    if PREPARED_STATEMENTS:
        # Parameters bound by the server, and a query run five times on a connection
        # is prepared, so PostgreSQL stops parsing and planning the hot queries again.
        # Turn off behind a connection pooler in transaction mode, which cannot keep
        # prepared statements.
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", 5)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no server to keep a connection to; WAL lets readers run
    # while a writer commits, and IMMEDIATE avoids deadlocked upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache is shared by every app server: Redis when REDIS_URL is set,
# otherwise a table in the database (created by a migration). Sessions live in
# the database and are read through the cache. Redis is a cache, not a
# dependency: while it is stopped or hung the portal works from the database
# (portal/cache.py), and no call waits for it longer than REDIS_TIMEOUT_MS.
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
REDIS_TIMEOUT_MS = env_int("REDIS_TIMEOUT_MS", 250, minimum=1)
# Deployments sharing one Redis must not read each other's keys. By default
# the keys belong to the database they were cached from.
database = DATABASES["default"]
CACHE_KEY_PREFIX = env_str("DJANGO_CACHE_KEY_PREFIX") or f"{database['HOST']}:{database['PORT']}/{database['NAME']}"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # redis-py's connection pool options.
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_MS / 1000,
                "socket_timeout": REDIS_TIMEOUT_MS / 1000,
            },
        }
    }
else:
    # A table of the database itself: never shared with another deployment's.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Throttles count with the cache's add() and incr(). Redis counts atomically;
# the database cache's incr() is a read then a write, so parallel requests
# lose counts there and a limit lets more through than it says. Production
# therefore needs Redis; development and the tests may count in the database.
if not DEBUG and not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL must name a Redis server when DJANGO_DEBUG is false: throttles count exactly only there."
    )

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# allauth: email is the identity; the site has no usernames. Learners sign in
# with a password or a code sent by email, after verifying their address.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ML System Design] "
ACCOUNT_LOGOUT_REDIRECT_URL = "progress:home"
# A sign-up waits this long for its address to be confirmed in the same browser,
# which then signs in at once (allauth's default is 15 minutes; mail is slower).
ACCOUNT_LOGIN_TIMEOUT = 60 * 60
LOGIN_REDIRECT_URL = "progress:home"
LOGIN_URL = "account_login"

# Throttles count in the shared cache, so they hold across app servers (and
# exactly: production requires Redis, see above). Failed sign-ins lock an
# account for five minutes after five attempts.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "confirm_email": "1/180s/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "request_login_code": "20/m/ip,3/m/key",
}
# --- Accounts a learner can trust -------------------------------------------
# The client address that per-address limits count (and the session list
# shows): the socket's, or behind proxies that append to X-Forwarded-For, the
# address the outermost trusted one saw. Never more than the proxies really
# in front: each extra one lets a client choose its own address.
TRUSTED_PROXIES = env_int("DJANGO_TRUSTED_PROXIES", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXIES
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Deleting the account asks for the password (or a second factor) again when
# the last one is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300

# Second factors: an authenticator app with recovery codes, and passkeys, which
# also sign in on their own. Passkey sign-up is off: it needs addresses
# confirmed by code, and ours are confirmed by link.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "ML System Design portal"
# Staff open the admin only with a second factor; on by default in production.
ADMIN_REQUIRES_MFA = env_bool("DJANGO_ADMIN_REQUIRES_MFA", not DEBUG)
# Sessions are listed by allauth.usersessions; accounts.middleware.last_seen
# keeps "last seen" fresh every few minutes instead of writing on every request.
USERSESSIONS_TRACK_ACTIVITY = False

# The address pages give when they say to contact staff.
SUPPORT_EMAIL = env_str("DJANGO_SUPPORT_EMAIL", "support@localhost")
try:
    validate_email(SUPPORT_EMAIL)
except ValidationError:
    raise ImproperlyConfigured(f"DJANGO_SUPPORT_EMAIL must be an email address, not {SUPPORT_EMAIL!r}.") from None
# How often a learner may download their data: each export reads all their history.
EXPORTS_PER_HOUR = 10
# --- end: accounts a learner can trust --------------------------------------

# A learner may change watched states this many times per minute; past it, 429.
WATCHED_CHANGES_PER_MINUTE = env_int("DJANGO_WATCHED_CHANGES_PER_MINUTE", 60, minimum=1)
# Reading items count with them, each kind of change on its own; notes and plans have their own limits.
NOTE_CHANGES_PER_MINUTE = env_int("DJANGO_NOTE_CHANGES_PER_MINUTE", 30, minimum=1)
PLAN_CHANGES_PER_MINUTE = 20

# GitHub and Google sign-in appear only when their OAuth keys are configured.
SOCIALACCOUNT_PROVIDERS = {}
SOCIAL_PROVIDERS = {
    "github": ("DJANGO_GITHUB_CLIENT_ID", "DJANGO_GITHUB_SECRET", "https://github.com", {"SCOPE": ["user:email"]}),
    "google": (
        "DJANGO_GOOGLE_CLIENT_ID",
        "DJANGO_GOOGLE_SECRET",
        "https://accounts.google.com",
        {"SCOPE": ["profile", "email"]},
    ),
}
SOCIAL_SIGN_IN_ORIGINS = []
for provider, (id_variable, secret_variable, origin, options) in SOCIAL_PROVIDERS.items():
    client_id, secret = env_str(id_variable), env_str(secret_variable)
    if bool(client_id) != bool(secret):
        raise ImproperlyConfigured(f"Set both {id_variable} and {secret_variable}, or neither.")
    if client_id:
        INSTALLED_APPS.append(f"allauth.socialaccount.providers.{provider}")
        SOCIALACCOUNT_PROVIDERS[provider] = options | {"APPS": [{"client_id": client_id, "secret": secret}]}
        SOCIAL_SIGN_IN_ORIGINS.append(origin)

# Russian and English. A visitor gets the language they chose (kept on the
# account and in a cookie), else their browser's, else Russian: the course's own.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    # Development serves files straight from the finders; no collectstatic needed.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Mail: the console in development, SMTP in production or whenever a host is set.
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "ML System Design portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMTP_HOST = env_str("DJANGO_SMTP_HOST")
if SMTP_HOST or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST or "localhost",
                "port": env_int("DJANGO_SMTP_PORT", 587, minimum=1),
                "username": env_str("DJANGO_SMTP_USER"),
                "password": env_str("DJANGO_SMTP_PASSWORD"),
                "use_tls": env_bool("DJANGO_SMTP_TLS", True),
                "timeout": 10,
            },
        }
    }
else:
    # Printed whole, without quoted-printable line breaks, so links work as printed.
    MAILERS = {"default": {"BACKEND": "portal.mail.ConsoleEmailBackend"}}

# Content-Security-Policy, sent by Django's own middleware on every response.
# Scripts run only from our origin or with the per-request nonce; the only
# frame is the privacy-enhanced YouTube player.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": ["https://www.youtube-nocookie.com"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    # Social sign-in posts to us and is redirected to the provider; browsers
    # check that redirect against form-action too.
    "form-action": [CSP.SELF, *SOCIAL_SIGN_IN_ORIGINS],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"

# Sessions last two weeks, or until the browser closes when a learner signs
# in without "Remember me". Sign-in issues a new session key, sign-out
# deletes the session on the server, and a password change ends every other
# session of that account.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

if not DEBUG:
    # Behind a proxy that terminates TLS and redirects itself, set
    # DJANGO_SECURE_SSL_REDIRECT=false; trust its X-Forwarded-Proto header
    # only when DJANGO_TRUST_X_FORWARDED_PROTO says the proxy sets it.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
if env_bool("DJANGO_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}.")

# Everything goes to the console once, through the root logger: Django's own
# "django" logger would otherwise print each of its lines a second time.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django": {"handlers": [], "level": LOG_LEVEL, "propagate": True}},
}
