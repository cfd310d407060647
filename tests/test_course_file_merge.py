"""A re-import of the course file never loses what staff changed in the admin."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from lectures.models import Course, Lecture, Part

from .conftest import BUNDLED_COURSE, lecture_form

pytestmark = pytest.mark.django_db


def restart(path=BUNDLED_COURSE, *options):
    """What `make run` does to the course on each start; returns the command's (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_course", str(path), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def course_file(tmp_path, *edits):
    """A copy of the bundled course file with edits (old, new), as a commit to it would make them."""
    text = BUNDLED_COURSE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "course.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def updates(out):
    return [line for line in out.splitlines() if line.startswith("updated ")]


def save_in_admin(client, lecture, **changes):
    response = client.post(f"/admin/lectures/lecture/{lecture.pk}/change/", lecture_form(lecture, **changes))
    # The admin answers an invalid form with the form again (200), a saved one with a redirect.
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Lecture.objects.get(pk=lecture.pk)


def test_an_unchanged_save_in_the_admin_changes_nothing(staff_client, course):
    lecture = Lecture.objects.get(slug="model-development")
    assert "\n" in lecture.topics  # so the form sends CR LF
    save_in_admin(staff_client, lecture)
    assert Lecture.objects.get(pk=lecture.pk).topics == lecture.topics
    out, err = restart()
    assert "0 created, 0 updated" in out
    assert "updated" not in out.replace("0 updated", "")
    assert err == ""


def test_text_from_any_source_is_stored_with_lf_line_ends(course):
    course.summary = "First line\r\nSecond line\rThird line"
    course.save()
    assert Course.objects.get(pk=course.pk).summary == "First line\nSecond line\nThird line"


# Lecture 5 as the bundled file has it: no slides, no duration.
LECTURE_5 = "    slug: model-development\n"


def test_an_admin_edit_survives_two_restarts(staff_client, course):
    lecture = Lecture.objects.get(slug="model-development")
    save_in_admin(staff_client, lecture, slides_url="https://example.org/slides-5.pdf", duration="1:25:00")
    for _ in range(2):
        out, err = restart()
        lecture = Lecture.objects.get(slug="model-development")
        assert lecture.slides_url == "https://example.org/slides-5.pdf"
        assert lecture.duration == datetime.timedelta(hours=1, minutes=25)
        # Kept edits are not updates, and nothing is wrong with them.
        assert updates(out) == []
        assert "kept lecture model-development (duration, slides_url)" in out
        assert err == ""


def test_a_field_changed_in_the_admin_and_in_the_file_is_a_conflict_reported_once(staff_client, course, tmp_path):
    save_in_admin(staff_client, Lecture.objects.get(slug="model-development"), duration="1:25:00")
    path = course_file(tmp_path, (LECTURE_5, LECTURE_5 + '    duration: "1:32:05"\n'))
    out, err = restart(path)  # no CommandError: a restart must not fail over it
    assert err.strip() == (
        'conflict lecture model-development field duration: admin has "1:25:00", file has "1:32:05"; '
        "kept the admin's value (import with --overwrite to take the file's)"
    )
    assert Lecture.objects.get(slug="model-development").duration == datetime.timedelta(hours=1, minutes=25)
    assert "1 in conflict" in out
    # The file's value is now the base: the next restart keeps the admin's value without a word.
    out, err = restart(path)
    assert err == ""
    assert updates(out) == []


def test_a_change_made_in_both_to_the_same_value_is_agreed_on(staff_client, course, tmp_path):
    save_in_admin(staff_client, Lecture.objects.get(slug="model-development"), duration="1:32:05")
    path = course_file(tmp_path, (LECTURE_5, LECTURE_5 + '    duration: "1:32:05"\n'))
    out, err = restart(path)
    assert (updates(out), err) == ([], "")
    assert "kept" not in out
    # The agreed value is the file's now: a later edit in the admin is the admin's alone.
    save_in_admin(staff_client, Lecture.objects.get(slug="model-development"), duration="1:33:00")
    out, err = restart(path)
    assert Lecture.objects.get(slug="model-development").duration == datetime.timedelta(hours=1, minutes=33)
    assert "kept lecture model-development (duration)" in out
    assert err == ""


def test_overwrite_takes_the_file_values_and_lists_what_it_replaced(staff_client, course):
    lecture = Lecture.objects.get(slug="model-development")
    save_in_admin(staff_client, lecture, slides_url="https://example.org/slides-5.pdf", duration="1:25:00")
    out, err = restart(BUNDLED_COURSE, "--overwrite")
    lecture = Lecture.objects.get(slug="model-development")
    assert (lecture.slides_url, lecture.duration) == ("", None)
    assert 'replaced lecture model-development field duration: "1:25:00" -> nothing' in out
    assert 'replaced lecture model-development field slides_url: "https://example.org/slides-5.pdf" -> nothing' in out
    assert err == ""
    out, err = restart()
    assert (updates(out), err) == ([], "")


def test_a_lecture_published_in_the_admin_stays_published(client, staff_client, course):
    lecture = Lecture.objects.get(slug="lecture-11")
    save_in_admin(staff_client, lecture, status="published", title="Новая лекция")
    out, err = restart()
    lecture = Lecture.objects.get(slug="lecture-11")
    assert (lecture.status, lecture.title) == ("published", "Новая лекция")
    assert client.get(lecture.get_absolute_url()).status_code == 200  # learners still find it
    assert (updates(out), err) == ([], "")


def test_a_reading_list_edited_in_the_admin_stays(staff_client, course):
    lecture = Lecture.objects.get(slug="feature-engineering")
    save_in_admin(
        staff_client,
        lecture,
        **{
            "reading_items-0-note": "Read it before the lecture.",
            "reading_items-1-DELETE": "on",
            "reading_items-TOTAL_FORMS": 3,
            "reading_items-2-position": 2,
            "reading_items-2-kind": "article",
            "reading_items-2-title": "Feature stores",
            "reading_items-2-url": "https://example.org/feature-stores",
        },
    )
    edited = list(lecture.reading_items.values_list("title", "note"))
    assert len(edited) == 2
    for _ in range(2):
        out, err = restart()
        assert list(lecture.reading_items.values_list("title", "note")) == edited
        assert "kept lecture feature-engineering (reading)" in out
        assert (updates(out), err) == ([], "")


def test_a_change_made_only_in_the_file_is_applied_next_to_admin_edits(staff_client, course, tmp_path):
    lecture = Lecture.objects.get(slug="model-development")
    save_in_admin(staff_client, lecture, slides_url="https://example.org/slides-5.pdf")
    path = course_file(
        tmp_path,
        ("title_en: Choosing, developing and training a model", "title_en: Choosing and training a model"),
        (LECTURE_5, LECTURE_5 + '    duration: "1:32:05"\n'),
    )
    out, err = restart(path)
    lecture = Lecture.objects.get(slug="model-development")
    assert (lecture.title_en, lecture.duration) == ("Choosing and training a model", datetime.timedelta(seconds=5525))
    assert lecture.slides_url == "https://example.org/slides-5.pdf"
    assert updates(out) == ["updated lecture model-development (title_en, duration)"]
    assert err == ""


def test_rows_imported_before_the_base_was_kept_are_never_overwritten(course):
    # Rows written by an import that kept no base, then edited in the admin.
    for model in (Course, Part, Lecture):
        model.objects.update(imported={})
    Lecture.objects.filter(slug="model-development").update(slides_url="https://example.org/slides-5.pdf")
    out, err = restart()
    assert Lecture.objects.get(slug="model-development").slides_url == "https://example.org/slides-5.pdf"
    # Only the field that differs is a conflict; equal ones are not.
    assert err.strip() == (
        'conflict lecture model-development field slides_url: admin has "https://example.org/slides-5.pdf", '
        "file has nothing; kept the admin's value (import with --overwrite to take the file's)"
    )
    assert updates(out) == []
    out, err = restart()
    assert (updates(out), err) == ([], "")


def test_staff_export_their_edits_and_importing_the_export_reports_nothing(staff_client, course, tmp_path):
    lecture = Lecture.objects.get(slug="model-development")
    save_in_admin(staff_client, lecture, slides_url="https://example.org/slides-5.pdf", duration="1:25:00")
    save_in_admin(staff_client, Lecture.objects.get(slug="lecture-11"), status="published", title="Новая лекция")
    Part.objects.filter(slug="bonus").update(position=0)  # the bonus lectures listed first
    Part.objects.filter(slug="main").update(position=1)
    restart()
    path = tmp_path / "course.yaml"
    call_command("export_course", str(path), stderr=io.StringIO())
    text = path.read_text(encoding="utf-8")
    assert "duration: '1:25:00'" in text
    assert text.index("slug: bonus") < text.index("slug: main")
    for _ in range(2):
        out, err = restart(path)
        assert (updates(out), err) == ([], "")
        assert "kept" not in out  # the file now holds every edit
    assert Lecture.objects.get(slug="lecture-11").status == "published"


def test_a_place_kept_from_the_admin_is_not_given_to_another_lecture(course, tmp_path):
    Lecture.objects.filter(slug="lecture-14").update(number=15)  # moved in the admin
    path = course_file(tmp_path, ("    number: 13\n", "    number: 15\n"))
    out, err = restart(path)
    assert dict(Lecture.objects.filter(number__gte=13).values_list("slug", "number")) == {
        "lecture-13": 13,
        "lecture-14": 15,
    }
    assert "conflict lecture lecture-13 field number: admin has 13, file has 15" in err
    assert updates(out) == []


def test_a_new_lecture_is_refused_a_place_kept_from_the_admin(course, tmp_path):
    Lecture.objects.filter(slug="lecture-14").update(number=15)  # moved in the admin
    last = "    slug: lecture-14\n    status: announced\n"
    path = course_file(
        tmp_path, (last, last + "  - part: main\n    number: 15\n    slug: lecture-15\n    status: announced\n")
    )
    with pytest.raises(CommandError, match="belongs to lecture 'lecture-14', which keeps it from the admin"):
        restart(path)
    assert not Lecture.objects.filter(slug="lecture-15").exists()


def test_a_lecture_published_in_the_admin_keeps_its_title_when_the_file_drops_it(staff_client, course, tmp_path):
    announced = "    slug: lecture-11\n    status: announced\n"
    restart(course_file(tmp_path, (announced, announced + "    title: Новая лекция\n")))
    save_in_admin(staff_client, Lecture.objects.get(slug="lecture-11"), status="published")
    # The file's empty title with the admin's status would be a published lecture without a title.
    out, err = restart()
    lecture = Lecture.objects.get(slug="lecture-11")
    assert (lecture.status, lecture.title) == ("published", "Новая лекция")
    assert 'conflict lecture lecture-11 field title: admin has "Новая лекция", file has nothing' in err
    assert updates(out) == []
