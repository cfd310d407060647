"""Throttling, sessions, escaping and who may open the admin."""

import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from lectures.models import Course, Lecture, ReadingItem
from progress.models import LectureProgress

from .conftest import ENGLISH, HTMX, PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


@override_settings(WATCHED_CHANGES_PER_MINUTE=4)
def test_the_watched_endpoint_answers_429_past_the_limit(learner_client, other_client, course):
    url = "/lectures/training-data/watched/"
    for value in ["true", "false", "true", "false"]:
        assert learner_client.post(url, {"watched": value}).status_code == 303
    response = learner_client.post(url, {"watched": "true"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Slow down a little" in response.content.decode()
    assert learner_client.post(url, {"watched": "true"}, **HTMX).status_code == 429
    assert not LectureProgress.objects.exists()
    # The limit is per learner.
    assert other_client.post(url, {"watched": "true"}).status_code == 303


def test_failed_sign_ins_lock_the_account(client, learner, course):
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": learner.email, "password": "not the password!"})
        assert response.status_code == 200
    # Even the right password is refused now, and from another browser too.
    response = Client(**ENGLISH).post("/accounts/login/", {"login": learner.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in Client().session
    # Other accounts are not locked.
    other = make_user("someone@example.org")
    assert Client().post("/accounts/login/", {"login": other.email, "password": PASSWORD}).status_code == 302


def test_sign_out_ends_the_session_on_the_server(learner, course):
    browser = Client()
    browser.post("/accounts/login/", {"login": learner.email, "password": PASSWORD})
    key = browser.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    browser.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    # Replaying the old cookie gets nowhere.
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get("/progress/").status_code == 302


def test_a_password_change_ends_the_other_sessions(learner, course):
    here, elsewhere = client_for(learner), client_for(learner)
    new_password = "a brand new passphrase 77"
    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert here.get("/progress/").status_code == 200
    assert elsewhere.get("/progress/").status_code == 302


def test_a_remembered_sign_in_lasts_two_weeks_in_a_cookie_scripts_cannot_read(learner, course):
    browser = Client()
    browser.post("/accounts/login/", {"login": learner.email, "password": PASSWORD, "remember": "on"})
    cookie = browser.cookies["sessionid"]
    assert cookie["max-age"] == 14 * 24 * 60 * 60
    assert (cookie["httponly"], cookie["samesite"]) == (True, "Lax")


def test_passwords_need_twelve_characters_and_no_common_ones():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(ValidationError, match="at least 12 characters"):
            validate_password("Sh0rt&sweet")
        with pytest.raises(ValidationError, match="too common"):
            validate_password("password1234")
    validate_password("correct horse battery staple")


@pytest.fixture
def hostile_course(course, learner):
    Course.objects.filter(pk=course.pk).update(title=HOSTILE, summary=HOSTILE)
    lecture = Lecture.objects.get(slug="training-data")
    Lecture.objects.filter(pk=lecture.pk).update(title=HOSTILE, title_en=HOSTILE, summary=HOSTILE, lecturer=HOSTILE)
    ReadingItem.objects.create(lecture=lecture, title=HOSTILE, url="https://example.org/x", note=HOSTILE, position=9)
    client_for(learner).post("/lectures/training-data/watched/", {"watched": "true"})
    return course


@pytest.mark.parametrize(
    "url",
    ["/", "/lectures/training-data/", "/lectures/ml-in-practice/", "/lectures/feature-engineering/", "/progress/"],
)
def test_hostile_titles_render_inert(hostile_course, learner_client, url):
    html = learner_client.get(url).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in html


def test_hostile_titles_render_inert_in_fragments_exports_and_admin(hostile_course, learner_client, staff_client):
    fragment = learner_client.post("/lectures/training-data/watched/", {"watched": "false"}, **HTMX)
    assert "<script>alert" not in fragment.content.decode()
    exported = learner_client.get("/progress/export.json")
    assert json.loads(b"".join(exported.streaming_content))["events"][0]["title"] == HOSTILE  # data, served as JSON
    assert exported["Content-Type"].startswith("application/json")
    assert exported["X-Content-Type-Options"] == "nosniff"
    for url in ["/admin/lectures/lecture/", "/admin/lectures/readingitem/", "/admin/progress/progressevent/"]:
        html = staff_client.get(url).content.decode()
        assert "<script>alert" not in html, url


def test_a_javascript_url_is_refused_in_the_admin(staff_client, course):
    lecture = Lecture.objects.get(slug="training-data")
    response = staff_client.post(
        f"/admin/lectures/lecture/{lecture.pk}/change/",
        {
            "part": lecture.part_id, "number": 3, "slug": "training-data", "status": "published",
            "title": "x", "video_url": "javascript:alert(1)",
            "reading_items-TOTAL_FORMS": 0, "reading_items-INITIAL_FORMS": 0,
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()


def test_the_admin_access_matrix(client, learner_client, staff_client, course):
    editor = make_user("editor@example.org", is_staff=True)  # staff, but no permissions
    editor_client = client_for(editor)
    lecture = Lecture.objects.get(slug="training-data")
    change = f"/admin/lectures/lecture/{lecture.pk}/change/"

    # Anonymous: every admin page leads to allauth's sign-in, never the admin's own form.
    response = client.get(change, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert client.post("/admin/login/", {"username": "staff@example.org", "password": PASSWORD}).status_code == 302
    assert "_auth_user_id" not in client.session
    # A learner is refused.
    assert learner_client.get(change, follow=True).status_code == 403
    # Staff without permissions see the admin but not the lectures.
    assert editor_client.get("/admin/").status_code == 200
    assert editor_client.get(change).status_code == 403
    # Staff with permissions edit.
    assert staff_client.get(change).status_code == 200
