"""Signed-in devices: the learner sees each session and ends any other one, or all of them."""

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django.utils import translation

from accounts.templatetags.accounts import device

from .conftest import PASSWORD, tags, text

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:135.0) Gecko/20100101 Firefox/135.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1"
)


def browser_of(user, agent, address="127.0.0.1"):
    browser = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")
    browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return browser


def test_the_list_shows_each_device_its_address_and_when(learner, course):
    laptop = browser_of(learner, FIREFOX, "192.0.2.10")
    browser_of(learner, IPHONE, "198.51.100.20")
    page = text(laptop.get("/accounts/sessions/").content)
    assert "Firefox on Windows 192.0.2.10" in page
    assert "Safari on iPhone 198.51.100.20" in page
    assert "This browser" in page


def test_a_learner_ends_one_other_session(learner, course):
    laptop, phone = browser_of(learner, FIREFOX), browser_of(learner, IPHONE)
    tablet = browser_of(learner, IPHONE)
    phone_session = UserSession.objects.get(session_key=phone.cookies["sessionid"].value)
    html = laptop.get("/accounts/sessions/").content.decode()
    assert tags(html, "form", action=f"/accounts/sessions/{phone_session.pk}/end/")
    response = laptop.post(f"/accounts/sessions/{phone_session.pk}/end/")
    assert response.status_code == 303
    assert phone.get("/progress/").status_code == 302
    assert laptop.get("/progress/").status_code == 200
    assert tablet.get("/progress/").status_code == 200


def test_a_learner_ends_all_other_sessions(learner, course):
    laptop, phone = browser_of(learner, FIREFOX), browser_of(learner, IPHONE)
    laptop.post("/accounts/sessions/")
    assert phone.get("/progress/").status_code == 302
    assert laptop.get("/progress/").status_code == 200


def test_the_end_session_access_matrix(learner, other_learner, course):
    laptop, phone = browser_of(learner, FIREFOX), browser_of(learner, IPHONE)
    phone_session = UserSession.objects.get(session_key=phone.cookies["sessionid"].value)
    own = UserSession.objects.get(session_key=laptop.cookies["sessionid"].value)
    url = f"/accounts/sessions/{phone_session.pk}/end/"
    # Anonymous: to sign-in. Another learner: not found. GET: refused. This very session: use Sign out.
    assert Client().post(url).status_code == 302
    assert browser_of(other_learner, FIREFOX).post(url).status_code == 404
    assert laptop.get(url).status_code == 405
    assert laptop.post(f"/accounts/sessions/{own.pk}/end/").status_code == 400
    assert phone.get("/progress/").status_code == 200


def test_a_password_change_still_ends_the_others(learner, course):
    laptop, phone = browser_of(learner, FIREFOX), browser_of(learner, IPHONE)
    new = "a brand new passphrase 77"
    laptop.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert phone.get("/progress/").status_code == 302
    assert "Safari on iPhone" not in text(laptop.get("/accounts/sessions/").content)


def test_last_seen_follows_the_session_every_few_minutes(learner, course):
    phone = browser_of(learner, IPHONE, "198.51.100.20")
    session = UserSession.objects.get(session_key=phone.cookies["sessionid"].value)
    UserSession.objects.filter(pk=session.pk).update(last_seen_at=session.created_at.replace(year=2020))
    store = phone.session
    store["accounts.seen_at"] = 0
    store.save()
    Client(HTTP_USER_AGENT=IPHONE, REMOTE_ADDR="203.0.113.5", HTTP_COOKIE=f"sessionid={store.session_key}").get(
        "/progress/"
    )
    session.refresh_from_db()
    assert session.last_seen_at.year > 2020
    assert session.ip == "203.0.113.5"


@pytest.mark.parametrize(
    ("agent", "words"),
    [
        (FIREFOX, "Firefox on Windows"),
        (IPHONE, "Safari on iPhone"),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0 Safari/537.36",
         "Chrome on Linux"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0 "
         "Safari/537.36 Edg/133.0", "Edge on macOS"),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)  # fmt: skip
def test_devices_are_named_as_people_name_them(agent, words):
    with translation.override("en"):
        assert device(agent) == words
