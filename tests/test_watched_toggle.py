import json

import pytest
from django.test import Client

from lectures.models import Lecture
from progress.models import LectureProgress, ProgressEvent, set_watched

from .conftest import HTMX, tags, text

pytestmark = pytest.mark.django_db

URL = "/lectures/training-data/watched/"


def is_watched(user, slug="training-data"):
    return LectureProgress.objects.filter(user=user, lecture__slug=slug).exists()


def bar(html):
    [progressbar] = tags(html, "div", role="progressbar")
    return int(progressbar["aria-valuenow"]), int(progressbar["aria-valuemax"])


def test_it_marks_a_lecture_watched_and_redirects_back(learner_client, learner, course):
    response = learner_client.post(URL, {"watched": "true"})
    assert response.status_code == 303
    assert response["Location"] == "/lectures/training-data/"
    assert is_watched(learner)
    event = ProgressEvent.objects.get(user=learner)
    assert (event.action, event.source, event.lecture.slug) == ("marked", "manual", "training-data")


def test_it_marks_a_lecture_not_watched(learner_client, learner, course):
    learner_client.post(URL, {"watched": "true"})
    response = learner_client.post(URL, {"watched": "false"})
    assert response.status_code == 303
    assert not is_watched(learner)
    assert list(ProgressEvent.objects.values_list("action", flat=True)) == ["marked", "unmarked"]


def test_repeats_are_harmless(learner_client, learner, course):
    for _ in range(3):
        assert learner_client.post(URL, {"watched": "true"}).status_code == 303
    for _ in range(2):
        assert learner_client.post(URL, {"watched": "false"}).status_code == 303
    assert not is_watched(learner)
    # Only real changes reach the log.
    assert list(ProgressEvent.objects.values_list("action", flat=True)) == ["marked", "unmarked"]


def test_it_keeps_learners_apart(learner_client, learner, other_learner, course):
    learner_client.post(URL, {"watched": "true"})
    assert is_watched(learner)
    assert not is_watched(other_learner)


def test_htmx_gets_the_toggle_and_the_progress_bar(learner_client, learner, course):
    response = learner_client.post(URL, {"watched": "true"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    [form] = tags(html, "form")
    assert (form["id"], form["action"]) == ("watched-toggle", "/lectures/training-data/watched/")
    assert tags(html, "button", id="watched-button", aria_pressed="true")
    # The form now offers the opposite state.
    assert tags(html, "input", name="watched", value="false")
    # The progress bar comes along out of band.
    assert tags(html, "div", id="course-progress", hx_swap_oob="true")
    assert bar(html) == (1, 10)
    assert "Lecture 3 marked as watched" in text(html)
    assert not tags(html, "html")


def test_htmx_unmark_reports_not_watched(learner_client, course):
    learner_client.post(URL, {"watched": "true"})
    html = learner_client.post(URL, {"watched": "false"}, **HTMX).content.decode()
    assert tags(html, "button", id="watched-button", aria_pressed="false")
    assert bar(html) == (0, 10)
    assert "Lecture 3 marked as not watched" in text(html)


def test_htmx_progress_bar_counts_the_other_watched_lectures(learner_client, course):
    for slug in ("ml-in-practice", "design-foundations"):
        learner_client.post(f"/lectures/{slug}/watched/", {"watched": "true"})
    html = learner_client.post(URL, {"watched": "true"}, **HTMX).content.decode()
    assert bar(html) == (3, 10)
    # A repeat changes nothing and says so with the same count.
    html = learner_client.post(URL, {"watched": "true"}, **HTMX).content.decode()
    assert bar(html) == (3, 10)
    html = learner_client.post("/lectures/ml-in-practice/watched/", {"watched": "false"}, **HTMX).content.decode()
    assert bar(html) == (2, 10)


def test_set_watched_says_whether_it_changed_anything(learner, other_learner, course):
    lectures = {lecture.slug: lecture for lecture in Lecture.objects.all()}
    first, second = lectures["ml-in-practice"], lectures["training-data"]
    set_watched(user=other_learner, lecture=first, watched=True)  # another learner's rows stay out

    assert set_watched(user=learner, lecture=first, watched=True) is True
    assert set_watched(user=learner, lecture=second, watched=True) is True
    assert set_watched(user=learner, lecture=second, watched=True) is False
    assert set_watched(user=learner, lecture=first, watched=False) is True
    assert set_watched(user=learner, lecture=first, watched=False) is False
    assert list(learner.lecture_progress.values_list("lecture", flat=True)) == [second.pk]
    assert list(ProgressEvent.objects.filter(user=learner).values_list("action", flat=True).order_by("pk")) == [
        "marked",
        "marked",
        "unmarked",
    ]


def test_plain_post_follows_a_safe_next(learner_client, course):
    response = learner_client.post(URL, {"watched": "true", "next": "/lectures/feature-engineering/"})
    assert response.status_code == 303
    assert response["Location"] == "/lectures/feature-engineering/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example.org/", "//evil.example.org/", "/\\evil.example.org", "javascript:alert(1)", "http:///x"],
)
def test_plain_post_ignores_an_unsafe_next(learner_client, course, target):
    response = learner_client.post(URL, {"watched": "true", "next": target})
    assert response.status_code == 303
    assert response["Location"] == "/lectures/training-data/"


def test_anonymous_post_goes_to_sign_in(client, course):
    response = client.post(URL, {"watched": "true"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/lectures/training-data/"
    assert not LectureProgress.objects.exists()


def test_anonymous_htmx_post_gets_a_client_redirect(client, course):
    response = client.post(URL, {"watched": "true"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/lectures/training-data/"
    assert not LectureProgress.objects.exists()


@pytest.mark.parametrize("value", ["", "yes", "1", "True", "on"])
def test_any_other_value_is_400(learner_client, course, value):
    assert learner_client.post(URL, {"watched": value}).status_code == 400
    assert not LectureProgress.objects.exists()


def test_a_missing_value_is_400(learner_client, course):
    assert learner_client.post(URL).status_code == 400


@pytest.mark.parametrize("slug", ["no-such-lecture", "lecture-11", "model-lifecycle"])
def test_unknown_draft_or_announced_lecture_is_404(learner_client, staff_client, course, slug):
    Lecture.objects.filter(slug="model-lifecycle").update(status="draft")
    for browser in (learner_client, staff_client):
        assert browser.post(f"/lectures/{slug}/watched/", {"watched": "true"}).status_code == 404
    assert not LectureProgress.objects.exists()


def test_get_is_405(learner_client, client, course):
    assert learner_client.get(URL).status_code == 405
    assert client.get(URL).status_code == 405


def test_missing_csrf_token_is_403(learner, course):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    assert browser.post(URL, {"watched": "true"}).status_code == 403
    assert browser.post(URL, {"watched": "true"}, **HTMX).status_code == 403
    assert not is_watched(learner)


def test_a_csrf_token_from_the_page_is_accepted(learner, course):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    page = browser.get("/lectures/training-data/").content.decode()
    token = tags(page, "input", name="csrfmiddlewaretoken")[0]["value"]
    assert browser.post(URL, {"watched": "true", "csrfmiddlewaretoken": token}).status_code == 303
    # htmx sends the token as a header, from the body's hx-headers.
    header = json.loads(tags(page, "body")[0]["hx-headers"])["x-csrftoken"]
    response = browser.post(URL, {"watched": "false"}, HTTP_X_CSRFTOKEN=header, **HTMX)
    assert response.status_code == 200
    assert not is_watched(learner)


def test_it_records_when_and_how_the_lecture_was_marked(learner_client, learner, course):
    from datetime import timedelta

    from django.utils import timezone

    before = timezone.now()
    learner_client.post(URL, {"watched": "true"})
    row = LectureProgress.objects.get(user=learner)
    event = ProgressEvent.objects.get(user=learner)
    assert before - timedelta(seconds=1) <= row.watched_at <= timezone.now()
    assert row.watched_at == event.at
    assert row.source == event.source == "manual"


def test_a_change_by_staff_names_its_member_of_staff_and_only_it_does(learner, staff, course):
    lecture = Lecture.objects.get(slug="deployment")
    with pytest.raises(ValueError, match="names the member of staff"):
        set_watched(user=learner, lecture=lecture, watched=True, source="staff")
    with pytest.raises(ValueError, match="names the member of staff"):
        set_watched(user=learner, lecture=lecture, watched=True, by=staff)
    assert set_watched(user=learner, lecture=lecture, watched=True, source="staff", by=staff)
