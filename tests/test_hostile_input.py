"""Bad input never reaches a 500: every URL pattern, with hostile values, answers 2xx/3xx or a 4xx error page.

Runs on SQLite and PostgreSQL (which refuses NUL bytes in text, where SQLite takes them).
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .conftest import client_for, make_user
from .test_security_headers import SAMPLES, URL_NAMES

pytestmark = pytest.mark.django_db

NUL = "nul\x00byte"
LONG = "x" * 20_000
HOSTILE_VALUES = [NUL, LONG, "' OR 1=1 --", "../../etc/passwd", "<script>alert(1)</script>", "%ff%fe", "9" * 5000]
# Every field a form of the site may read, each given hostile values, some twice, with fields nobody reads.
FIELDS = [
    "login", "email", "password", "password1", "password2", "oldpassword", "code", "remember", "next", "watched",
    "theme", "confirm", "action", "q", "page", "credential", "signup_code", "name", "post", "_selected_action",
    "title", "slug", "status", "part", "number", "body", "time", "read", "feed", "mode", "per_week", "finish_on",
    "weekdays", "study_time",
]  # fmt: skip


def hostile_form():
    form = []
    for index, field in enumerate(FIELDS):
        form += [(field, HOSTILE_VALUES[index % len(HOSTILE_VALUES)]), (field, NUL)]
    return [*form, ("unknown_field", LONG), ("csrfmiddlewaretoken", NUL)]


def encode(pairs):
    from urllib.parse import urlencode

    return urlencode(pairs)


def hostile_urls(name, params):
    """The URL with sample values, and with hostile ones wherever the pattern takes any text."""
    urls = [reverse(name, kwargs={param: SAMPLES[param] for param in params})]
    for value in [NUL, LONG, "\u202e\u0000", "%ff"]:
        try:
            urls.append(reverse(name, kwargs=dict.fromkeys(params, value)))
        except Exception:  # noqa: S112 - the pattern's converter refuses it: nothing to send
            continue
    return urls if params else urls[:1]


def answers(browser, method, url, **extra):
    response = getattr(browser, method)(url, **extra)
    status = response.status_code
    assert status < 500, f"{method.upper()} {url[:80]!r} {sorted(extra)[:3]}: {status}"
    if status >= 400 and response.get("Content-Type", "").startswith("text/html") and response.content:
        # A 4xx page is the site's own error page or a page of the site (a form with its errors);
        # a bare 405 says only which methods are allowed.
        assert b'class="site-header"' in response.content, f"{method.upper()} {url[:80]!r}: bare {status}"
    return status


@pytest.fixture
def browsers(course, db):
    staff = make_user("hostile-staff@example.org", is_staff=True, is_superuser=True)
    learner = make_user("hostile-learner@example.org")
    return {
        "visitor": Client(raise_request_exception=False),
        "learner": client_for(learner),
        "staff": client_for(staff),
    }


@pytest.mark.parametrize(("name", "params"), URL_NAMES, ids=[name for name, _ in URL_NAMES])
def test_hostile_requests_never_reach_a_500(name, params, browsers):
    who = ["staff"] if name.startswith("admin:") else ["visitor", "learner"]
    body = encode(hostile_form())
    too_big = "a=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    for url in hostile_urls(name, params):
        for person in who:
            browser = browsers[person]
            browser.raise_request_exception = False
            query = "?" + encode([("page", NUL), ("next", LONG), ("q", NUL), ("o", "%ff"), ("page", "-1")])
            answers(browser, "get", url + query)
            answers(browser, "get", url + "?q=%ff%fe&next=%c0%af&tz=%00")
            answers(browser, "post", url, data=body, content_type="application/x-www-form-urlencoded")
            answers(browser, "post", url, data=too_big, content_type="application/x-www-form-urlencoded")
            answers(browser, "post", url, data=b'{"login": "\\u0000"}', content_type="application/json")
            answers(browser, "post", url, data=b"--x\r\nnot multipart", content_type="multipart/form-data")


def test_invalid_utf8_in_the_path_is_a_404(browsers):
    for browser in browsers.values():
        assert answers(browser, "get", "/lectures/%ff%fe/") == 404
        assert answers(browser, "get", "/%c0%af/") == 404
