import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User

from .conftest import PASSWORD, tags

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
NEW_PASSWORD = "another long passphrase 42"


def sign_up(client, email="new@example.org"):
    return client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def link_in_last_mail():
    return re.search(r"https?://testserver(/\S+)", mail.outbox[-1].body).group(1)


def code_in_last_mail():
    return re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.M).group(1)


def test_sign_up_requires_a_verified_email(client, course):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[ML System Design] ")
    # Not signed in until the address is verified.
    assert client.get("/progress/").status_code == 302
    user = User.objects.get(email="new@example.org")
    assert not user.emailaddress_set.get().verified


def test_the_emailed_link_verifies_the_address_and_signs_in(client, course):
    sign_up(client)
    assert mail.outbox[0].body.startswith("Hello from the ML System Design course portal!")
    link = link_in_last_mail()
    # Opening the link only asks; the POST confirms (mail scanners follow links).
    assert client.get(link).status_code == 200
    assert not User.objects.get(email="new@example.org").emailaddress_set.get().verified
    response = client.post(link)
    assert response.status_code == 302
    assert User.objects.get(email="new@example.org").emailaddress_set.get().verified
    assert client.get("/progress/").status_code == 200


def test_sign_up_refuses_a_short_or_common_password(client, course):
    response = client.post("/accounts/signup/", {"email": "a@example.org", "password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    response = client.post(
        "/accounts/signup/", {"email": "a@example.org", "password1": "password1234", "password2": "password1234"}
    )
    assert "too common" in response.content.decode()
    assert not User.objects.filter(email="a@example.org").exists()


def test_sign_in_with_a_password(client, learner, course):
    response = client.post("/accounts/login/", {"login": "learner@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/progress/").status_code == 200


def test_sign_in_returns_to_next(client, learner, course):
    response = client.post(
        "/accounts/login/?next=/lectures/training-data/", {"login": "learner@example.org", "password": PASSWORD}
    )
    assert response["Location"] == "/lectures/training-data/"


def test_sign_in_refuses_a_wrong_password(client, learner, course):
    response = client.post("/accounts/login/", {"login": "learner@example.org", "password": "wrong password here"})
    assert response.status_code == 200
    assert client.get("/progress/").status_code == 302


def test_sign_in_by_emailed_code(client, learner, course):
    response = client.post("/accounts/login/code/", {"email": "learner@example.org"})
    assert response.status_code == 302
    response = client.post(response["Location"], {"code": code_in_last_mail()})
    assert response.status_code == 302
    assert client.get("/progress/").status_code == 200


def test_password_reset_by_email(client, learner, course):
    response = client.post("/accounts/password/reset/", {"email": "learner@example.org"})
    assert response.status_code == 302
    reset_url = client.get(link_in_last_mail()).url
    response = client.post(reset_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)


def test_email_management_page(learner_client, course):
    html = learner_client.get("/accounts/email/").content.decode()
    assert "learner@example.org" in html
    response = learner_client.post("/accounts/email/", {"action_add": "", "email": "second@example.org"})
    assert response.status_code == 302
    assert "second@example.org" in learner_client.get("/accounts/email/").content.decode()


def test_sign_out_takes_a_post(learner_client, course):
    # A GET only asks; it cannot sign anyone out (a link or image could send it).
    assert learner_client.get("/accounts/logout/").status_code == 200
    assert learner_client.get("/progress/").status_code == 200
    assert learner_client.post("/accounts/logout/").status_code == 302
    assert learner_client.get("/progress/").status_code == 302


def test_account_pages_use_the_site_layout(client, learner_client, course):
    for browser, url in [
        (client, "/accounts/login/"),
        (client, "/accounts/signup/"),
        (client, "/accounts/password/reset/"),
        (client, "/accounts/login/code/"),
        (learner_client, "/accounts/email/"),
        (learner_client, "/accounts/password/change/"),
    ]:
        html = browser.get(url).content.decode()
        assert tags(html, "header", **{"class": "site-header"}), url
        assert tags(html, "form", **{"class": "form"}), url
        assert tags(html, "link", rel="stylesheet", href="/static/css/portal.css"), url


def test_no_social_sign_in_without_keys(client, course):
    html = client.get("/accounts/login/").content.decode()
    assert "GitHub" not in html
    assert "Google" not in html


def test_the_admin_login_is_allauths(client, course):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_staff_reach_the_admin_after_signing_in(client, staff, course):
    client.post("/accounts/login/", {"login": "staff@example.org", "password": PASSWORD})
    assert client.get("/admin/").status_code == 200


def test_a_learner_is_refused_the_admin(learner_client, course):
    assert learner_client.get("/admin/login/").status_code == 403


def test_sign_in_rotates_the_session(learner, course):
    browser = Client()
    browser.get("/accounts/login/")
    browser.cookies["sessionid"] = "attacker-chosen-session-key"
    browser.post("/accounts/login/", {"login": "learner@example.org", "password": PASSWORD})
    assert browser.cookies["sessionid"].value != "attacker-chosen-session-key"


def test_social_sign_in_appears_when_its_keys_are_set(tmp_path):
    # Installed apps are fixed at start-up, so this runs the portal in a process of its own.
    script = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); from django.test import Client; "
        "html = Client(HTTP_ACCEPT_LANGUAGE='en').get('/accounts/login/').content.decode(); "
        "print('Continue with GitHub' in html, 'Continue with Google' in html, '/accounts/github/login/' in html)"
    )
    environ = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "true",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "DJANGO_GITHUB_CLIENT_ID": "client-id",
        "DJANGO_GITHUB_SECRET": "client-secret",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "False", "True"]
