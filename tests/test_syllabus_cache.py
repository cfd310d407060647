"""The syllabus is built once per change of the course, not once per request."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lectures.course_file import import_course, parse
from lectures.models import Lecture

from .conftest import BUNDLED_COURSE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def syllabus_cache(settings):
    settings.SYLLABUS_CACHE = True
    settings.SYLLABUS_CHECK_SECONDS = 0  # look at the version on every request


def test_pages_read_the_syllabus_from_memory(client, course, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(1):  # the version number in the shared cache, nothing else
        assert "Практическое применение" in client.get("/lectures/ml-in-practice/").content.decode()


def test_between_checks_the_shared_cache_is_not_asked(client, course, settings, django_assert_num_queries):
    settings.SYLLABUS_CHECK_SECONDS = 60
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get("/lectures/ml-in-practice/").status_code == 200


def test_a_staff_edit_reaches_every_page_once_committed(
    client, staff_client, course, django_capture_on_commit_callbacks
):
    lecture = Lecture.objects.get(slug="model-lifecycle")
    assert "Жизненный цикл модели" in client.get("/").content.decode()
    lecture.title = "Жизненный цикл ML-модели"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lecture.save()
    assert callbacks  # the new version is set only after the commit
    assert "Жизненный цикл ML-модели" in client.get("/").content.decode()


def test_an_import_reaches_every_page(client, course, django_capture_on_commit_callbacks):
    assert "Обучающие данные" in client.get("/").content.decode()
    changed = BUNDLED_COURSE.read_text(encoding="utf-8").replace("title: Обучающие данные", "title: Данные")
    with django_capture_on_commit_callbacks(execute=True):
        import_course(parse(changed))
    html = client.get("/").content.decode()
    assert "Обучающие данные" not in html
    assert ">Данные<" in html


def test_a_scheduled_lecture_appears_on_time_without_a_rebuild(
    client, course, monkeypatch, django_capture_on_commit_callbacks
):
    soon = timezone.now() + timedelta(hours=1)
    lecture = Lecture.objects.get(slug="model-lifecycle")
    lecture.published_at = soon
    with django_capture_on_commit_callbacks(execute=True):
        lecture.save()
    assert client.get("/lectures/model-lifecycle/").status_code == 404
    monkeypatch.setattr("lectures.models.timezone.now", lambda: soon + timedelta(seconds=1))
    assert client.get("/lectures/model-lifecycle/").status_code == 200
