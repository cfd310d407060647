"""A re-import of the course file never loses what staff changed in the admin."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.duration import duration_string

from lectures.models import Course, Lecture

from .conftest import BUNDLED_COURSE

pytestmark = pytest.mark.django_db


def restart(path=BUNDLED_COURSE, *options):
    """What `make run` does to the course on each start; returns the command's (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_course", str(path), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def crlf(text):
    # Browsers send a text area's lines ended with CR LF.
    return text.replace("\n", "\r\n")


def lecture_form(lecture, **changes):
    """The lecture's admin change form as a browser posts it: every field, and the reading inline."""
    published_at = timezone.localtime(lecture.published_at) if lecture.published_at else None
    data = {
        "part": lecture.part_id,
        "number": lecture.number,
        "slug": lecture.slug,
        "status": lecture.status,
        "published_at_0": published_at.date().isoformat() if published_at else "",
        "published_at_1": published_at.time().isoformat() if published_at else "",
        "title": lecture.title,
        "title_en": lecture.title_en,
        "summary": crlf(lecture.summary),
        "summary_en": crlf(lecture.summary_en),
        "topics": crlf(lecture.topics),
        "lecturer": lecture.lecturer,
        "date": lecture.date.isoformat() if lecture.date else "",
        "duration": duration_string(lecture.duration) if lecture.duration is not None else "",
        "video_url": lecture.video_url,
        "slides_url": lecture.slides_url,
    }
    if lecture.lecturer_confirmed:
        data["lecturer_confirmed"] = "on"
    items = list(lecture.reading_items.all())
    data |= {
        "reading_items-TOTAL_FORMS": len(items),
        "reading_items-INITIAL_FORMS": len(items),
        "reading_items-MIN_NUM_FORMS": 0,
        "reading_items-MAX_NUM_FORMS": 1000,
    }
    for index, item in enumerate(items):
        prefix = f"reading_items-{index}-"
        data |= {
            f"{prefix}id": item.pk,
            f"{prefix}lecture": lecture.pk,
            f"{prefix}position": item.position,
            f"{prefix}kind": item.kind,
            f"{prefix}title": item.title,
            f"{prefix}url": item.url,
            f"{prefix}note": item.note,
        }
        if item.required:
            data[f"{prefix}required"] = "on"
    return data | changes


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
