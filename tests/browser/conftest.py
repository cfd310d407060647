"""Real-browser tests: Debian's Chromium driven by Playwright against live_server."""

import os
import shutil

import pytest
from django.test import Client
from playwright.sync_api import sync_playwright

from lectures.course_file import import_course, load

from ..conftest import BUNDLED_COURSE

# Chromium as root in a sandbox with no outside network: no sandboxing, no
# GPU, and none of the background connections it would otherwise attempt.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def find_chromium():
    return os.environ.get("PORTAL_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = find_chromium()
    if not executable:
        if os.environ.get("PORTAL_REQUIRE_BROWSER"):
            pytest.fail("PORTAL_REQUIRE_BROWSER is set, but no Chromium was found on the PATH.")
        pytest.skip("No Chromium found (apt-get install chromium): browser tests skipped.")
    return browser_type_launch_args | {"executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def playwright(_pw_api_request_contexts):
    # Playwright's sync API runs an event loop in this thread, which makes
    # Django refuse ORM calls; allow them only while Playwright is running.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        if _pw_api_request_contexts:
            _pw_api_request_contexts.instrument(pw)
        yield pw
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the bundled course; live_server tests flush the database after."""
    import_course(load(BUNDLED_COURSE))
    return live_server.url


@pytest.fixture
def console_errors(page):
    """Console errors, uncaught exceptions and CSP violations seen by the page during the test."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Init scripts run outside the page's CSP; the page itself could not add this listener inline.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (event) => "
        "console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));"
    )
    return errors


def sign_in(context, site, user):
    """Give the browser a session for the user, made directly rather than through the login form."""
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}])


@pytest.fixture
def learner_page(site, context, page):
    from ..conftest import make_user

    learner = make_user("browser-learner@example.org")
    sign_in(context, site, learner)
    page.learner = learner
    return page
