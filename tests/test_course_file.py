import datetime

import pytest
from django.core.management import CommandError, call_command

from lectures.course_file import CourseFileError, export_course, import_course, parse
from lectures.models import Course, Lecture, Part, ReadingItem

from .conftest import BUNDLED_COURSE

pytestmark = pytest.mark.django_db

SMALL_COURSE = """\
slug: demo
title: Демо
parts:
  - slug: main
    kind: main
    title: Основное
  - slug: extra
    kind: bonus
    title: Бонус
lectures:
  - part: main
    number: 1
    slug: first
    status: published
    title: Первая
    duration: "1:02:03"
    date: 2022-10-03
    published_at: "2022-10-03T18:00:00+03:00"
    topics:
      - One
      - Two
    reading:
      - kind: paper
        title: A paper
        url: https://example.org/paper
        required: true
  - part: main
    number: 2
    slug: second
    status: announced
"""


def snapshot():
    """Everything an import could touch, to prove a failed import touched nothing."""
    return (
        list(Course.objects.values()),
        list(Part.objects.values()),
        list(Lecture.objects.values()),
        list(ReadingItem.objects.values()),
    )


def test_it_imports_the_bundled_course(course):
    lectures = Lecture.objects.filter(course=course)
    assert lectures.filter(part__kind="main").count() == 14
    assert lectures.filter(part__kind="bonus").count() == 2
    assert lectures.published().count() == 12
    # Lectures 11 to 14 are announced without an invented title or date.
    for lecture in lectures.filter(status="announced"):
        assert lecture.number in {11, 12, 13, 14}
        assert (lecture.title, lecture.title_en, lecture.date, lecture.lecturer) == ("", "", None, "")


def test_bundled_course_keeps_the_facts(course):
    first = Lecture.objects.get(slug="ml-in-practice")
    assert first.title == "Практическое применение машинного обучения"
    assert first.summary
    assert first.summary_en
    assert (first.lecturer, first.lecturer_confirmed) == ("Dmitry Kolodezev", False)
    # Only lecture 8 has its lecturer confirmed by a source.
    confirmed = Lecture.objects.filter(part__kind="main", lecturer_confirmed=True)
    assert list(confirmed.values_list("number", flat=True)) == [8]
    design_doc = Lecture.objects.get(slug="design-doc")
    assert design_doc.video_url == "https://www.youtube.com/watch?v=PW9TGNr1Vqk"
    assert design_doc.youtube_id == "PW9TGNr1Vqk"
    assert design_doc.slides_url.startswith("https://storage.yandexcloud.net/ds-ods/")
    # Every published main lecture suggests its chapter of Huyen's book.
    for lecture in Lecture.objects.filter(part__kind="main", status="published"):
        kinds = list(lecture.reading_items.values_list("kind", flat=True))
        assert "book_chapter" in kinds, lecture.slug
    # Nothing unknown is filled in: no dates, durations or main-course videos.
    assert not Lecture.objects.exclude(date=None).exists()
    assert not Lecture.objects.exclude(duration=None).exists()
    assert not Lecture.objects.filter(part__kind="main").exclude(video_url="").exists()


def test_a_second_import_changes_nothing(course):
    before = snapshot()
    report = import_course(parse(BUNDLED_COURSE.read_text()))
    assert not report.changed
    assert report.unchanged == 1 + 2 + 16
    # updated_at would move if any row had been saved again.
    assert snapshot() == before


def test_export_of_the_bundled_course_is_the_same_file(course):
    assert export_course(course) == BUNDLED_COURSE.read_text(encoding="utf-8")


def test_export_round_trips_every_field():
    import_course(parse(SMALL_COURSE))
    exported = export_course(Course.objects.get(slug="demo"))
    lecture = Lecture.objects.get(slug="first")
    assert lecture.duration == datetime.timedelta(hours=1, minutes=2, seconds=3)
    assert lecture.date == datetime.date(2022, 10, 3)
    assert lecture.published_at == datetime.datetime(2022, 10, 3, 15, 0, tzinfo=datetime.UTC)
    assert lecture.topics.splitlines() == ["One", "Two"]
    assert lecture.reading_items.get().required is True
    # The export is itself a valid file, and importing it changes nothing.
    assert not import_course(parse(exported)).changed
    assert export_course(Course.objects.get(slug="demo")) == exported


def test_an_unquoted_duration_is_the_duration_it_reads_as():
    # YAML 1.1 reads 1:02:03 without quotes as the base-60 number 3723; the file means the duration.
    unquoted = SMALL_COURSE.replace('duration: "1:02:03"', "duration: 1:02:03")
    import_course(parse(unquoted))
    assert Lecture.objects.get(slug="first").duration == datetime.timedelta(hours=1, minutes=2, seconds=3)
    exported = export_course(Course.objects.get(slug="demo"))
    # The same course as the quoted file gives: importing that changes nothing, and the export is the same.
    assert not import_course(parse(SMALL_COURSE)).changed
    assert export_course(Course.objects.get(slug="demo")) == exported
    assert "duration: '1:02:03'\n" in exported


def test_it_updates_changed_fields_in_place():
    import_course(parse(SMALL_COURSE))
    first = Lecture.objects.get(slug="first")
    report = import_course(parse(SMALL_COURSE.replace("title: Первая", "title: Первая лекция")))
    assert report.updated == ["lecture first (title)"]
    assert Lecture.objects.get(pk=first.pk).title == "Первая лекция"
    assert Lecture.objects.count() == 2


def test_it_swaps_lecture_numbers():
    import_course(parse(SMALL_COURSE))
    swapped = SMALL_COURSE.replace("number: 1", "number: X").replace("number: 2", "number: 1")
    import_course(parse(swapped.replace("number: X", "number: 2")))
    assert dict(Lecture.objects.values_list("slug", "number")) == {"first": 2, "second": 1}


def test_it_replaces_a_changed_reading_list():
    import_course(parse(SMALL_COURSE))
    changed = SMALL_COURSE.replace("title: A paper", "title: A better paper")
    import_course(parse(changed))
    assert list(ReadingItem.objects.values_list("title", flat=True)) == ["A better paper"]


BAD_FILES = {
    "syntax": (SMALL_COURSE.replace("    number: 1\n", "    number: [1\n"), "line 13, column 9: not valid YAML"),
    "missing field": (SMALL_COURSE.replace("    status: announced\n", ""), "missing field 'status'"),
    "unknown part": (
        SMALL_COURSE.replace("  - part: main\n    number: 2", "  - part: nope\n    number: 2"),
        "unknown part 'nope'",
    ),
    "duplicate slug": (
        SMALL_COURSE.replace("slug: second", "slug: first"),
        "duplicate slug 'first', first used on line 11",
    ),
    "duplicate number": (SMALL_COURSE.replace("number: 2", "number: 1"), "number 1 of part 'main' is already used"),
    "duplicate part": (SMALL_COURSE.replace("slug: extra", "slug: main"), "part 'main' is already defined"),
    "unknown field": (
        SMALL_COURSE.replace("    status: announced", "    status: announced\n    titel: x"),
        "unknown field 'titel'",
    ),
    "bad status": (SMALL_COURSE.replace("status: announced", "status: secret"), "'secret' is not one of"),
    "published without title": (
        SMALL_COURSE.replace("status: announced", "status: published"),
        "a published lecture needs a title",
    ),
    "bad url": (SMALL_COURSE.replace("https://example.org/paper", "ftp://example.org/paper"), "is not an http(s) URL"),
    "bad duration": (SMALL_COURSE.replace('"1:02:03"', '"an hour"'), "is not a duration"),
    "bad date": (SMALL_COURSE.replace("2022-10-03\n", "yesterday\n"), "is not a date"),
    "naive publish time": (SMALL_COURSE.replace("18:00:00+03:00", "18:00:00"), "is not a time with a zone"),
    # YAML reads an unquoted date as a date, and a date that does not exist as an error of its own.
    "impossible date": (
        SMALL_COURSE.replace("date: 2022-10-03", "date: 2022-02-30"),
        "line 17 (lectures[0].date): '2022-02-30' is not a date that exists (day is out of range for month)",
    ),
    "impossible quoted date": (
        SMALL_COURSE.replace("date: 2022-10-03", 'date: "2022-13-01"'),
        "line 17 (lectures[0].date): '2022-13-01' is not a date that exists (month must be in 1..12)",
    ),
    "impossible publish time": (
        SMALL_COURSE.replace('"2022-10-03T18:00:00+03:00"', "2022-02-30T18:00:00+03:00"),
        "line 18 (lectures[0].published_at): '2022-02-30T18:00:00+03:00' is not a time that exists "
        "(day is out of range for month)",
    ),
    "impossible quoted publish time": (
        SMALL_COURSE.replace("2022-10-03T18:00:00+03:00", "2022-10-03T25:00:00+03:00"),
        "line 18 (lectures[0].published_at): '2022-10-03T25:00:00+03:00' is not a time that exists "
        "(hour must be in 0..23)",
    ),
    "number in base 60": (SMALL_COURSE.replace("number: 2", "number: 1:05"), "'1:05' is not a number from 1 to 999"),
    "python tag": (
        SMALL_COURSE.replace("title: Первая", "title: !!python/object/apply:os.system [echo]"),
        "line 15: YAML tags (!!name, !name) are not allowed; write the value itself",
    ),
    "binary tag": (SMALL_COURSE.replace("title: Первая", "title: !!binary zz"), "line 15: YAML tags"),
    "timestamp tag": (SMALL_COURSE.replace("title: Первая", "title: !!timestamp soon"), "line 15: YAML tags"),
    "empty required field": (SMALL_COURSE.replace("slug: second", "slug:"), "field 'slug' is empty"),
    "key given twice": (
        SMALL_COURSE.replace("    status: announced", "    status: announced\n    status: draft"),
        "'status' is given twice",
    ),
    "not a mapping": ("- just\n- a list\n", "expected a mapping"),
    "empty file": ("", "the file is empty"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_it_rejects_a_bad_file_and_changes_nothing(name, course, tmp_path):
    text, message = BAD_FILES[name]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError) as error:
        call_command("import_course", str(path))
    assert message in str(error.value)
    assert str(path) in str(error.value)
    assert snapshot() == before


def test_it_names_the_line_of_each_problem():
    text = SMALL_COURSE.replace("status: announced", "status: secret").replace("slug: extra", "slug: main")
    with pytest.raises(CourseFileError) as error:
        parse(text, source="demo.yaml")
    assert len(error.value.problems) == 2
    assert "demo.yaml, line 7 (parts[1])" in error.value.problems[0]
    assert "demo.yaml, line 30 (lectures[1].status)" in error.value.problems[1]


def test_it_rolls_back_when_the_database_refuses_the_file():
    import_course(parse(SMALL_COURSE))
    before = snapshot()
    # "second" is not in the new file, so number 2 of part main stays taken.
    without_second = SMALL_COURSE.split("  - part: main\n    number: 2")[0]
    clash = without_second + "  - part: main\n    number: 2\n    slug: third\n    status: announced\n"
    changed_title = clash.replace("title: Демо", "title: Демо 2")
    with pytest.raises(CourseFileError, match="belongs to lecture 'second'"):
        import_course(parse(changed_title))
    assert snapshot() == before


def test_the_command_reports_what_it_did(tmp_path, capsys):
    path = tmp_path / "demo.yaml"
    path.write_text(SMALL_COURSE, encoding="utf-8")
    call_command("import_course", str(path))
    assert "5 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    call_command("import_course", str(path))
    assert "0 created, 0 updated, 5 unchanged" in capsys.readouterr().out


def test_the_command_rejects_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_course", str(tmp_path / "nope.yaml"))


def test_export_writes_to_a_file_or_stdout(course, tmp_path, capsys):
    path = tmp_path / "out.yaml"
    call_command("export_course", str(path))
    assert path.read_text(encoding="utf-8") == BUNDLED_COURSE.read_text(encoding="utf-8")
    call_command("export_course", "--course", "ml-system-design-2022")
    assert capsys.readouterr().out == BUNDLED_COURSE.read_text(encoding="utf-8")


def test_export_rejects_an_unknown_course(course):
    with pytest.raises(CommandError, match="No course with slug 'nope'"):
        call_command("export_course", "--course", "nope")


def test_it_rejects_a_value_longer_than_its_column():
    # SQLite would store it anyway; PostgreSQL would fail halfway. Refuse it up front.
    with pytest.raises(CourseFileError, match="'title' is longer than 200 characters"):
        parse(SMALL_COURSE.replace("title: Первая", "title: " + "я" * 201))


def test_it_refuses_anchors_and_aliases_with_their_lines():
    # Nine lines like these would expand to a billion values ("billion laughs").
    bomb = SMALL_COURSE + 'x1: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for n in range(2, 10):
        bomb += f"x{n}: &{chr(96 + n)} [{', '.join([f'*{chr(95 + n)}'] * 9)}]\n"
    with pytest.raises(CourseFileError) as error:
        parse(bomb, "bomb.yaml")
    first_line = SMALL_COURSE.count("\n") + 1
    assert error.value.problems[0] == (
        f"bomb.yaml, line {first_line}: anchors and aliases (&name, *name) are not allowed; write each value out"
    )
    assert f"bomb.yaml, line {first_line + 1}:" in error.value.problems[1]


def test_an_alias_for_a_lecture_is_refused_too():
    with pytest.raises(CourseFileError, match="anchors and aliases"):
        parse(SMALL_COURSE.replace("slug: demo", "slug: &course demo\ntitle_en: *course"), "demo.yaml")
