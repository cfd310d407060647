"""Every page runs a fixed number of queries, whatever the size of the course and its audience."""

from datetime import time

import pytest

from accounts.models import User
from lectures.models import Lecture, Part, ReadingItem
from progress.models import (
    LectureProgress,
    Note,
    PacePlan,
    PlanChoice,
    ProgressEvent,
    ReadingProgress,
    lay_out_plan,
    set_feed,
    set_watched,
)

from .conftest import HTMX

pytestmark = pytest.mark.django_db


# Queries per request, pinned. The cache is the database's (Redis in production
# moves the session and the throttle's counts out of the database).
BUDGETS = {
    "home, anonymous": 2,  # course, lectures with their parts
    # session, user, course, lectures, watched lectures, last visit, the pace plan and its days
    "home, learner": 8,
    "lecture, anonymous": 4,  # course, the lecture with its part, its reading list, the syllabus
    # session, user, the same four, watched lectures, last visit, read items of the list, notes
    "lecture, learner": 10,
    "lecture, learner, new visit": 11,  # and the last-visit upsert
    # The per-learner throttle counts in the cache: with the database's, add()
    # and incr() are six queries each (a read, a count of rows for culling, and
    # a write in a savepoint). The write is a savepoint, the insert, the event,
    # the last visit (the learner was here) and the release.
    "toggle, plain": 21,  # session, user, throttle (12), course, lecture, write (5)
    "toggle, htmx": 24,  # and the syllabus, watched lectures and last visit for the bar
    # session, user, course, lectures, watched lectures, last visit, watched list, events (one page), their count,
    # the reading figures (one aggregate), the pace plan and its days
    "progress page": 12,
    # The exports' per-learner throttle counts in the cache like the toggle's (12 with the database's).
    "export.json": 17,  # session, user, throttle (12), watched list, read items, events
    "export.csv": 15,  # session, user, throttle (12), watched list
    # session, user, course, staff accounts, lectures, learners, verified, active (last visits),
    # watched per lecture, the pass over learners, changes per week, then the figures kept in the
    # cache (5 with the database's: its size, then a savepoint round a read and a write)
    "analytics, counting": 16,
    "analytics, counting all time": 17,  # and the first change, where the weeks start
    "analytics": 5,  # session, user, course, the figures as counted (from the cache), their lectures
    # session, user, learner, course, lectures, watched lectures, last visit, watched rows,
    # verified, events counted, a page of events, their lectures (and the staff who made changes
    # on it, if any)
    "learner timeline": 12,
    "notes.md": 16,  # session, user, throttle (12), course, notes with their lectures
    # session, user, throttle (12), course, lecture, the item, write (1, no event), then the lecture's
    # reading list and the learner's read items of it, for the count
    "reading toggle, htmx": 20,
    # session, user, throttle (12), course, lecture, the count under a lock (savepoint, lock, count,
    # insert, release), then the notes for the block
    "note add, htmx": 22,
    "note add, plain": 21,
    # session, user, course, lectures, watched lectures, last visit, plan, its days
    "plan page": 8,
    # the plan by its token, the course, the planned lectures still to watch
    "calendar feed": 3,
}


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
    study_tools(learner, notes_per_lecture=25 if request.param == "grown course" else 2)
    return course


def study_tools(learner, *, notes_per_lecture):
    """Notes, read items and a pace plan with its calendar link, for the learner and for another one."""
    other = User.objects.create(email="planner@example.org")
    published = list(Lecture.objects.published().in_course_order())
    watched = set(learner.lecture_progress.values_list("lecture_id", flat=True))
    for user in (learner, other):
        Note.objects.bulk_create(
            Note(user=user, lecture=lecture, body=f"Note {n}", html=f"<p>Note {n}</p>", seconds=n * 60)
            for lecture in published
            for n in range(notes_per_lecture)
        )
        ReadingProgress.objects.bulk_create(
            ReadingProgress(user=user, item=item) for item in ReadingItem.objects.filter(lecture__in=published)
        )
        choice = PlanChoice(mode="weekly", weekdays=frozenset({0, 2, 4}), study_time=time(19), per_week=3)
        lay_out_plan(user=user, lectures=published, watched=watched, zone_name="Europe/Moscow", choice=choice)
        set_feed(user=user, feed="on")


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


@pytest.mark.parametrize("name", ["export.json", "export.csv", "notes.md"])
def test_exports(learner_client, sized_course, django_assert_num_queries, name):
    learner_client.get(f"/progress/{name}")  # the hour's first export
    with django_assert_num_queries(BUDGETS[name]):
        response = learner_client.get(f"/progress/{name}")
        assert response.status_code == 200
        b"".join(response.streaming_content)  # the rows are read as the file streams


def test_analytics(staff_client, sized_course, django_assert_num_queries):
    staff_client.get("/admin/analytics/")
    with django_assert_num_queries(BUDGETS["analytics, counting"]):
        assert staff_client.post("/admin/analytics/count/", {"period": "30"}).status_code == 303
    with django_assert_num_queries(BUDGETS["analytics, counting all time"]):
        assert staff_client.post("/admin/analytics/count/", {"period": "all"}).status_code == 303
    with django_assert_num_queries(BUDGETS["analytics"]):
        assert staff_client.get("/admin/analytics/?period=all").status_code == 200


def test_learner_timeline(staff_client, learner, sized_course, django_assert_num_queries):
    staff_client.get(f"/admin/analytics/learners/{learner.pk}/")
    with django_assert_num_queries(BUDGETS["learner timeline"]):
        assert staff_client.get(f"/admin/analytics/learners/{learner.pk}/").status_code == 200


def test_reading_toggle_htmx(learner_client, sized_course, django_assert_num_queries):
    item = ReadingItem.objects.filter(lecture__slug="failure-diagnosis").first()
    url = f"/lectures/failure-diagnosis/reading/{item.pk}/read/"
    learner_client.post(url, {"read": "false"})  # this minute's first change
    with django_assert_num_queries(BUDGETS["reading toggle, htmx"]):
        assert learner_client.post(url, {"read": "true"}, **HTMX).status_code == 200


@pytest.mark.parametrize(("name", "headers", "status"), [("note add, htmx", HTMX, 200), ("note add, plain", {}, 303)])
def test_note_add(learner_client, sized_course, django_assert_num_queries, name, headers, status):
    url = "/lectures/failure-diagnosis/notes/"
    learner_client.post(url, {"body": "The minute's first change"})
    with django_assert_num_queries(BUDGETS[name]):
        assert learner_client.post(url, {"body": "Drift", "time": "12:05"}, **headers).status_code == status


def test_plan_page(learner_client, sized_course, django_assert_num_queries):
    learner_client.get("/progress/plan/")
    with django_assert_num_queries(BUDGETS["plan page"]):
        assert learner_client.get("/progress/plan/").status_code == 200


def test_calendar_feed(client, learner, sized_course, django_assert_num_queries):
    url = f"/calendar/{PacePlan.objects.get(user=learner).feed_token}.ics"
    client.get(url)
    with django_assert_num_queries(BUDGETS["calendar feed"]):
        assert client.get(url).status_code == 200
