import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.duration import duration_string

from lectures.course_file import import_course, load
from lectures.models import Course

BUNDLED_COURSE = Path(__file__).resolve().parent.parent / "lectures" / "data" / "ml-system-design-2022.yaml"
PASSWORD = "correct horse battery staple"
# What htmx sends with each request it makes.
HTMX = {"HTTP_HX_REQUEST": "true"}


def redis_or_skip(url):
    """A client of the local Redis; skips when there is none, unless PORTAL_REQUIRE_REDIS is set (CI)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("PORTAL_REQUIRE_REDIS"):
            pytest.fail(f"PORTAL_REQUIRE_REDIS is set and there is no Redis at {url}")
        pytest.skip(f"no Redis at {url}")
    return client


def redis_server_or_skip():
    """The path of redis-server, for a test that runs a Redis of its own; skips without one, unless
    PORTAL_REQUIRE_REDIS is set (CI)."""
    executable = shutil.which("redis-server")
    if not executable:
        if os.environ.get("PORTAL_REQUIRE_REDIS"):
            pytest.fail("PORTAL_REQUIRE_REDIS is set and redis-server is not installed")
        pytest.skip("redis-server is not installed")
    return executable


@pytest.fixture
def course(db):
    """The bundled 2022 course, imported as `make run` imports it."""
    import_course(load(BUNDLED_COURSE))
    return Course.objects.get(slug="ml-system-design-2022")


def make_user(email, **extra):
    from accounts.models import User

    user = User.objects.create_user(email=email, password=PASSWORD, **extra)
    # allauth requires a verified address before a password sign-in succeeds.
    user.emailaddress_set.create(email=email, primary=True, verified=True)
    return user


@pytest.fixture
def learner(db):
    return make_user("learner@example.org")


@pytest.fixture
def other_learner(db):
    return make_user("other@example.org")


@pytest.fixture
def staff(db):
    return make_user("staff@example.org", is_staff=True, is_superuser=True)


# Most tests read the English interface; tests of the Russian one say so.
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def client():
    """A browser that prefers English."""
    return Client(**ENGLISH)


def client_for(user, **headers):
    client = Client(**(ENGLISH | headers))
    client.force_login(user)
    return client


@pytest.fixture
def learner_client(learner):
    return client_for(learner)


@pytest.fixture
def other_client(other_learner):
    return client_for(other_learner)


@pytest.fixture
def staff_client(staff):
    return client_for(staff)


def crlf(text):
    # Browsers send a text area's lines ended with CR LF.
    return text.replace("\n", "\r\n")


def lecture_form(lecture, **changes):
    """The lecture's admin change form as a browser posts it: every field, and the reading inline."""
    published_at = timezone.localtime(lecture.published_at) if lecture.published_at else None
    data = {
        "part": lecture.part_id,
        "number": lecture.number,
        "slug": lecture.slug,
        "status": lecture.status,
        "published_at_0": published_at.date().isoformat() if published_at else "",
        "published_at_1": published_at.time().isoformat() if published_at else "",
        "title": lecture.title,
        "title_en": lecture.title_en,
        "summary": crlf(lecture.summary),
        "summary_en": crlf(lecture.summary_en),
        "topics": crlf(lecture.topics),
        "topics_en": crlf(lecture.topics_en),
        "lecturer": lecture.lecturer,
        "date": lecture.date.isoformat() if lecture.date else "",
        "duration": duration_string(lecture.duration) if lecture.duration is not None else "",
        "video_url": lecture.video_url,
        "slides_url": lecture.slides_url,
    }
    if lecture.lecturer_confirmed:
        data["lecturer_confirmed"] = "on"
    items = list(lecture.reading_items.all())
    data |= {
        "reading_items-TOTAL_FORMS": len(items),
        "reading_items-INITIAL_FORMS": len(items),
        "reading_items-MIN_NUM_FORMS": 0,
        "reading_items-MAX_NUM_FORMS": 1000,
    }
    for index, item in enumerate(items):
        prefix = f"reading_items-{index}-"
        data |= {
            f"{prefix}id": item.pk,
            f"{prefix}lecture": lecture.pk,
            f"{prefix}position": item.position,
            f"{prefix}kind": item.kind,
            f"{prefix}title": item.title,
            f"{prefix}url": item.url,
            f"{prefix}note": item.note,
            f"{prefix}note_en": item.note_en,
        }
        if item.required:
            data[f"{prefix}required"] = "on"
    return data | changes


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: "" if value is None else value for name, value in attrs}))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def _parse(html):
    parser = _Tags()
    parser.feed(html if isinstance(html, str) else html.decode())
    parser.close()
    return parser


def tags(html, tag, /, **attributes):
    """The attributes of each `tag` in the HTML that has all the given ones (underscores for dashes).

    Attribute order and quoting are not the point of a test; the values are.
    """
    wanted = {key.replace("_", "-"): value for key, value in attributes.items()}
    return [
        found
        for name, found in _parse(html).tags
        if name == tag and all(found.get(key) == value for key, value in wanted.items())
    ]


def text(html):
    """The HTML's text as a reader sees it: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join("".join(_parse(html).text).split())


def totp_code(secret, *, at=None):
    """The six-digit code an authenticator app shows for a base32 secret (RFC 6238: SHA-1, 30 s)."""
    import base64
    import hashlib
    import hmac
    import struct
    import time

    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"
