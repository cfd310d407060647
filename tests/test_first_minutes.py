"""Mail and the first minutes of an account: links that work as printed, confirming signs in, words that read well."""

import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client, override_settings

from portal.mail import ConsoleEmailBackend

from .conftest import PASSWORD, tags, text

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SUPPORT = "help@ods.example.org"


def test_development_mail_prints_a_long_link_on_one_line():
    link = "http://127.0.0.1:8000/accounts/confirm-email/" + "Mg:1uQ5cL:" + "k" * 90 + "/"
    stream = io.StringIO()
    ConsoleEmailBackend(stream=stream).send_messages(
        [EmailMessage("Confirm", f"Привет! Open this link:\n\n{link}\n", "portal@localhost", ["new@example.org"])]
    )
    printed = stream.getvalue()
    assert f"\n{link}\n" in printed
    assert "Привет" in printed  # UTF-8 as it is, not encoded
    assert "=\n" not in printed


def free_port():
    for port in range(8400, 8500):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8400-8499")


@pytest.fixture
def dev_server(tmp_path):
    """`manage.py runserver` as `make run` starts it: development settings, console mail, its own database."""
    port = free_port()
    environ = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    environ |= {
        "DJANGO_DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"], cwd=ROOT, env=environ, check=True,
                   capture_output=True)  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    reader = threading.Thread(target=lambda: output.extend(server.stdout), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/healthz", timeout=2)
            break
        except requests.ConnectionError:
            time.sleep(0.2)
    try:
        yield base, output
    finally:
        server.terminate()
        server.wait(timeout=10)


def csrf_token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def test_the_link_printed_by_the_development_server_confirms_and_signs_in(dev_server):
    base, output = dev_server
    browser = requests.Session()
    browser.headers["Accept-Language"] = "en"
    signup = browser.get(base + "/accounts/signup/")
    form = {"csrfmiddlewaretoken": csrf_token(signup), "email": "newcomer@example.org"}
    browser.post(base + "/accounts/signup/", form | {"password1": PASSWORD, "password2": PASSWORD}, timeout=10)
    deadline = time.monotonic() + 10
    link = None
    while link is None and time.monotonic() < deadline:
        found = re.search(rf"^({re.escape(base)}/accounts/confirm-email/\S+)$", "".join(output), re.M)
        link = found and found.group(1)
        time.sleep(0.1)
    assert link, "".join(output)[-2000:]
    page = browser.get(link)  # the link exactly as printed
    assert "Confirm your email address" in page.text
    landed = browser.post(link, {"csrfmiddlewaretoken": csrf_token(page)})
    # Confirmed in the browser that signed up: signed in, on the course.
    assert landed.url == base + "/"
    assert browser.get(base + "/progress/", allow_redirects=False).status_code == 200


def test_the_confirmation_mail_and_page_read_naturally(client, course):
    client.post("/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
    [message] = mail.outbox
    assert message.subject == "[ML System Design] Confirm your email address"
    assert "Please confirm that new@example.org is your email address" in message.body
    assert "for user" not in message.body
    link = re.search(r"https?://testserver(/\S+)", message.body).group(1)
    page = text(client.get(link).content)
    assert "Is new@example.org your email address? Confirm it to finish setting up your account." in page
    assert "for user" not in page


def test_confirming_in_the_signup_browser_lands_on_the_course(client, course):
    client.post("/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[0].body).group(1)
    response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Your progress" in text(response.content)


def test_the_reset_done_page_leads_back_to_sign_in(client, course):
    response = client.post("/accounts/password/reset/", {"email": "someone@example.org"}, follow=True)
    assert tags(response.content, "a", href="/accounts/login/")


@override_settings(SUPPORT_EMAIL=SUPPORT)
@pytest.mark.parametrize(
    "url", ["/accounts/password/reset/", "/accounts/password/reset/done/", "/accounts/confirm-email/"]
)
def test_pages_that_say_to_write_to_staff_name_the_address(client, course, url):
    html = client.get(url).content
    assert tags(html, "a", href=f"mailto:{SUPPORT}"), url


@override_settings(SUPPORT_EMAIL=SUPPORT, ROOT_URLCONF="tests.urls_failing")
def test_the_500_page_names_the_support_address(course):
    response = Client(raise_request_exception=False).get("/fail/")
    assert tags(response.content, "a", href=f"mailto:{SUPPORT}")


def test_the_code_sign_in_page_sets_its_main_action_apart_from_cancel(client, learner, course):
    response = client.post("/accounts/login/code/", {"email": learner.email}, follow=True)
    buttons = tags(response.content, "button")
    # The header's language switch aside, the page's own buttons.
    submit = [
        button for button in buttons if "class" in button and "form" not in button and button.get("name") != "language"
    ]
    cancel = [button for button in buttons if button.get("form") == "logout-from-stage"]
    # Confirm is the page's one main action; Cancel is drawn as a secondary one.
    assert [button["class"] for button in submit] == ["button"]
    assert [button["class"] for button in cancel] == ["button button--secondary"]
