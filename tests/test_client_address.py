"""Per-address limits count each visitor's own address, also behind the documented proxy."""

import os
import runpy
from pathlib import Path

import pytest
from django.test import Client, override_settings

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

SETTINGS = Path(__file__).resolve().parent.parent / "portal" / "settings.py"


def behind_proxies(count):
    """The settings DJANGO_TRUSTED_PROXIES=count gives, in force for the test."""
    environ = {"DJANGO_DEBUG": "true", "DJANGO_TRUSTED_PROXIES": str(count)}
    saved = {name: os.environ.get(name) for name in environ}
    os.environ.update(environ)
    try:
        values = runpy.run_path(str(SETTINGS))
    finally:
        for name, value in saved.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value
    return override_settings(**{name: value for name, value in values.items() if "TRUSTED_PROXY" in name})


# Every request arrives from the proxy's socket; the proxy appends the client's address.
PROXY = "127.0.0.1"


def fail_sign_ins(count, *, forwarded_for):
    for n in range(count):
        Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for(n)).post(
            "/accounts/login/", {"login": f"nobody{n}@example.org", "password": "a wrong password"}
        )


def signs_in(user, *, forwarded_for):
    browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return browser.get("/progress/").status_code == 200


@behind_proxies(1)
def test_behind_one_proxy_failures_from_one_client_do_not_block_another(learner, course):
    fail_sign_ins(12, forwarded_for=lambda n: "203.0.113.7")
    assert not signs_in(learner, forwarded_for="203.0.113.7")  # the guesser is held back
    assert signs_in(learner, forwarded_for="198.51.100.9")  # everyone else is not


@behind_proxies(1)
def test_behind_one_proxy_a_client_cannot_choose_its_address(learner, course):
    # nginx appends the address it saw to whatever the client sent: only the last one counts.
    fail_sign_ins(12, forwarded_for=lambda n: f"10.0.0.{n}, 203.0.113.7")
    assert not signs_in(learner, forwarded_for="10.0.0.99, 203.0.113.7")


@behind_proxies(0)
def test_without_proxies_a_forged_forwarded_for_changes_nothing(learner, course):
    fail_sign_ins(12, forwarded_for=lambda n: f"192.0.2.{n}")
    assert not signs_in(learner, forwarded_for="198.51.100.9")


@behind_proxies(2)
def test_a_request_that_skipped_a_proxy_counts_the_nearest_address(learner, course):
    # Fewer addresses than proxies: allauth would refuse to guess; the socket's address stands.
    assert signs_in(learner, forwarded_for="198.51.100.9")
