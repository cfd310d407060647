"""Every page runs a fixed number of queries, whatever the size of the course and its audience."""

import pytest
from django.db import connection

from accounts.models import User
from lectures.models import Lecture, Part, ReadingItem
from progress.models import LectureProgress, ProgressEvent, set_watched

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
POSTGRES = connection.vendor == "postgresql"

# Queries per request, pinned, with the syllabus already in memory (as after the
# first request of an app server) and its version checked on every request (in
# production at most once a second). Budgets are for the default database cache;
# with Redis the session, user and cache lookups below leave the database.
BUDGETS = {
    "home, anonymous": 1,  # syllabus version (cache)
    "home, learner": 4,  # session, user, syllabus version, watched lectures with the last visit
    "lecture, anonymous": 1,  # syllabus version
    "lecture, learner": 4,  # session, user, syllabus version, watched with last visit (unchanged: no write)
    "lecture, learner, new visit": 5,  # the same, and the last-visit upsert
    # The per-learner throttle counts in the cache: 6 queries with the default
    # database cache (a get, then a set that counts rows for culling). The write
    # is one statement on PostgreSQL; elsewhere the change and the event in an
    # atomic block (a savepoint inside the test's transaction).
    "toggle, plain": 10 if POSTGRES else 13,  # session, user, throttle (6), version, the write (1, or 4)
    # htmx also needs the watched lectures for the progress bar: on PostgreSQL
    # the write's own statement brings them back, elsewhere one more query.
    "toggle, htmx": 10 if POSTGRES else 14,
    "progress page": 6,  # session, user, syllabus version, watched with last visit, watched list, events
    "export.json": 4,  # session, user, watched list, events
    "export.csv": 3,  # session, user, watched list
}


@pytest.fixture(autouse=True)
def syllabus_cache(settings):
    """As in production: the syllabus is built once, then read from memory, its version checked each request."""
    settings.SYLLABUS_CACHE = True
    settings.SYLLABUS_CHECK_SECONDS = 0


@pytest.fixture(autouse=True)
def one_minute(monkeypatch):
    """Keep the throttle's counting window still, so a warm-up and its measure share it."""
    monkeypatch.setattr("progress.views._this_minute", lambda: 29_000_000)


@pytest.fixture(params=["bundled course", "grown course"])
def sized_course(request, course, learner):
    """The bundled course as it is, or grown to many lectures, learners and progress rows."""
    if request.param == "grown course":
        extra = Part.objects.create(course=course, slug="extra", kind="main", title="Extra", position=5)
        lectures = Lecture.objects.bulk_create(
            Lecture(course=course, part=extra, number=n, slug=f"extra-{n}", status="published", title=f"Лекция {n}")
            for n in range(1, 61)
        )
        ReadingItem.objects.bulk_create(
            ReadingItem(lecture=lecture, title="Read", url="https://example.org", position=i)
            for lecture in lectures
            for i in range(3)
        )
        others = User.objects.bulk_create(User(email=f"learner{n}@example.org") for n in range(40))
        LectureProgress.objects.bulk_create(
            LectureProgress(user=user, lecture=lecture) for user in others for lecture in lectures[:30]
        )
        for lecture in lectures[:45]:
            set_watched(user=learner, lecture=lecture, watched=True)
        ProgressEvent.objects.bulk_create(
            ProgressEvent(user=user, lecture=lecture, action="marked") for user in others for lecture in lectures
        )
    set_watched(user=learner, lecture=Lecture.objects.get(slug="ml-in-practice"), watched=True)
    return course


def test_home_anonymous(client, sized_course, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(BUDGETS["home, anonymous"]):
        assert client.get("/").status_code == 200


def test_home_learner(learner_client, sized_course, django_assert_num_queries):
    learner_client.get("/lectures/deployment/")
    learner_client.get("/")
    with django_assert_num_queries(BUDGETS["home, learner"]):
        assert learner_client.get("/").status_code == 200


def test_lecture_anonymous(client, sized_course, django_assert_num_queries):
    client.get("/lectures/failure-diagnosis/")
    with django_assert_num_queries(BUDGETS["lecture, anonymous"]):
        assert client.get("/lectures/failure-diagnosis/").status_code == 200


def test_lecture_learner(learner_client, sized_course, django_assert_num_queries):
    learner_client.get("/lectures/deployment/")
    with django_assert_num_queries(BUDGETS["lecture, learner, new visit"]):
        assert learner_client.get("/lectures/failure-diagnosis/").status_code == 200
    with django_assert_num_queries(BUDGETS["lecture, learner"]):
        assert learner_client.get("/lectures/failure-diagnosis/").status_code == 200


def test_toggle_htmx(learner_client, sized_course, django_assert_num_queries):
    learner_client.post("/lectures/training-data/watched/", {"watched": "true"})  # this minute's first change
    with django_assert_num_queries(BUDGETS["toggle, htmx"]):
        assert learner_client.post("/lectures/deployment/watched/", {"watched": "true"}, **HTMX).status_code == 200


def test_toggle_plain(learner_client, sized_course, django_assert_num_queries):
    learner_client.post("/lectures/training-data/watched/", {"watched": "true"})  # this minute's first change
    with django_assert_num_queries(BUDGETS["toggle, plain"]):
        assert learner_client.post("/lectures/deployment/watched/", {"watched": "true"}).status_code == 303


def test_progress_page(learner_client, sized_course, django_assert_num_queries):
    learner_client.get("/progress/")
    with django_assert_num_queries(BUDGETS["progress page"]):
        assert learner_client.get("/progress/").status_code == 200


@pytest.mark.parametrize("name", ["export.json", "export.csv"])
def test_exports(learner_client, sized_course, django_assert_num_queries, name):
    with django_assert_num_queries(BUDGETS[name]):
        assert learner_client.get(f"/progress/{name}").status_code == 200
