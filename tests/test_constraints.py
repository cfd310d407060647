from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from lectures.models import Course, Lecture, Part, ReadingItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def part():
    course = Course.objects.create(slug="demo", title="Демо")
    return Part.objects.create(course=course, slug="main", title="Основное")


def make_lecture(part, **fields):
    values = {"number": 1, "slug": "first", "status": "published", "title": "Первая"} | fields
    return Lecture.objects.create(part=part, **values)


def rejected(create):
    """True when the database itself refuses the row."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_lecture_takes_its_course_from_its_part(part):
    assert make_lecture(part).course_id == part.course_id


def test_slug_is_unique_per_course(part):
    make_lecture(part)
    assert rejected(lambda: make_lecture(part, number=2))
    other = Part.objects.create(course=Course.objects.create(slug="other", title="Другой"), slug="main", title="x")
    assert not rejected(lambda: make_lecture(other))


def test_number_is_unique_per_part(part):
    make_lecture(part)
    assert rejected(lambda: make_lecture(part, slug="second"))
    bonus = Part.objects.create(course=part.course, slug="bonus", kind="bonus", title="Бонус")
    assert not rejected(lambda: make_lecture(bonus, slug="second"))


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "published", "title": ""},
        {"duration": timedelta(seconds=-1)},
        {"number": 0},
        {"slug": ""},
        {"status": "secret"},
    ],
    ids=["published without title", "negative duration", "number zero", "empty slug", "unknown status"],
)
def test_database_refuses_an_invalid_lecture(part, fields):
    assert rejected(lambda: make_lecture(part, **fields))


def test_an_announced_lecture_may_have_no_title(part):
    assert not rejected(lambda: make_lecture(part, status="announced", title=""))


def test_part_slug_is_unique_per_course_and_kind_is_checked(part):
    assert rejected(lambda: Part.objects.create(course=part.course, slug="main", title="x"))
    assert rejected(lambda: Part.objects.create(course=part.course, slug="extra", kind="side", title="x"))


def test_reading_item_needs_a_title_url_and_known_kind(part):
    lecture = make_lecture(part)
    good = {"lecture": lecture, "title": "A paper", "url": "https://example.org", "kind": "paper"}
    assert not rejected(lambda: ReadingItem.objects.create(**good))
    for broken in ({"title": ""}, {"url": ""}, {"kind": "podcast"}):
        assert rejected(lambda broken=broken: ReadingItem.objects.create(**(good | broken))), broken


def test_emails_are_unique_whatever_their_case(db):
    User.objects.create_user(email="Learner@Example.org")
    assert rejected(lambda: User.objects.create_user(email="learner@example.org"))


def test_text_lines_never_end_in_cr_in_the_database(part):
    from django.db import connection

    lecture = make_lecture(part)

    def write_cr():
        # Raw SQL: the model itself would store LF.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE lectures_lecture SET topics = %s WHERE id = %s", ["One\r\nTwo", lecture.pk])

    assert rejected(write_cr)


def test_only_a_change_made_by_staff_names_who_made_it(part):
    from progress.models import ProgressEvent

    learner = User.objects.create_user(email="learner@example.org")
    staff = User.objects.create_user(email="staff@example.org", is_staff=True)
    lecture = make_lecture(part)
    assert rejected(lambda: ProgressEvent.objects.create(user=learner, lecture=lecture, action="marked", by=staff))
    assert not rejected(
        lambda: ProgressEvent.objects.create(user=learner, lecture=lecture, action="marked", source="staff", by=staff)
    )
    # A change by a member of staff since deleted names nobody.
    assert not rejected(
        lambda: ProgressEvent.objects.create(user=learner, lecture=lecture, action="marked", source="staff")
    )
