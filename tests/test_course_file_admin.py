"""The course file from the admin: upload, see what it would change, apply it; download the course as one."""

from urllib.parse import urlencode

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from lectures.course_file import export_course
from lectures.models import Course, Lecture

from .conftest import BUNDLED_COURSE, client_for, crlf, lecture_form, make_user, tags, text

pytestmark = pytest.mark.django_db

IMPORT = "/admin/lectures/course/import/"


def course_file(*edits, name="course.yaml"):
    """The bundled course file as an upload, with edits (old, new)."""
    content = BUNDLED_COURSE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in content
        content = content.replace(old, new, 1)
    return SimpleUploadedFile(name, content.encode(), content_type="application/yaml")


def line_of(needle):
    """The line of the bundled file where the text first appears."""
    content = BUNDLED_COURSE.read_text(encoding="utf-8")
    return content[: content.index(needle)].count("\n") + 1


RENAMED = ("title_en: Deploying ML systems", "title_en: Deploying machine learning systems")
NEW_LECTURE = (
    "  - part: main\n    number: 11\n",
    "  - part: main\n    number: 15\n    slug: guest-lecture\n    status: draft\n  - part: main\n    number: 11\n",
)


def preview(client, upload, **data):
    return client.post(IMPORT, {"file": upload, **data})


def apply(client, response):
    """Press "Apply these changes" on a preview, as a browser sends the form: by its enctype, lines ended CR LF."""
    [form] = tags(response.content, "form", **{"class": "apply"})
    fields = {field["name"]: crlf(field["value"]) for field in tags(response.content, "input", type="hidden")}
    if form.get("enctype") == "multipart/form-data":
        return client.post(IMPORT, fields)
    return client.post(IMPORT, urlencode(fields), content_type="application/x-www-form-urlencoded")


def snapshot():
    return list(Lecture.objects.order_by("pk").values_list("slug", "title_en", "status", "updated_at"))


def staff_with(*codenames):
    user = make_user("editor@example.org", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return client_for(user)


# Access.


def test_anonymous_visitors_and_learners_are_sent_to_sign_in(client, learner_client, course):
    for browser in (client, learner_client):
        for url in [IMPORT, f"/admin/lectures/course/{course.pk}/export/"]:
            response = browser.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/admin/login/")


def test_importing_needs_the_permissions_to_add_and_change_the_content(course):
    editor = staff_with("change_lecture", "view_course")
    assert editor.get(IMPORT).status_code == 403
    before = snapshot()
    assert preview(editor, course_file(RENAMED)).status_code == 403
    assert snapshot() == before
    assert not tags(editor.get("/admin/lectures/lecture/").content, "a", href=IMPORT)


def test_downloading_needs_the_view_permission_on_courses(course):
    assert staff_with("view_lecture").get(f"/admin/lectures/course/{course.pk}/export/").status_code == 403


# Upload and preview.


def test_the_lecture_list_and_the_courses_link_to_the_course_file(staff_client, course):
    lectures = staff_client.get("/admin/lectures/lecture/").content
    assert tags(lectures, "a", href=IMPORT)
    assert tags(lectures, "a", href=f"/admin/lectures/course/{course.pk}/export/")
    assert tags(staff_client.get("/admin/lectures/course/").content, "a", href=IMPORT)
    change = staff_client.get(f"/admin/lectures/course/{course.pk}/change/").content
    assert tags(change, "a", href=f"/admin/lectures/course/{course.pk}/export/")


def test_a_preview_shows_each_change_field_by_field_and_changes_nothing(staff_client, course):
    before = snapshot()
    response = preview(staff_client, course_file(RENAMED, NEW_LECTURE))
    assert response.status_code == 200
    page = text(response.content)
    assert "What importing course.yaml would change" in page
    assert "lecture guest-lecture" in response.context["report"].created
    [change] = response.context["changes"]["applied"]
    assert change == (
        "lecture deployment",
        "title_en",
        '"Deploying ML systems"',
        '"Deploying machine learning systems"',
    )
    assert '"Deploying machine learning systems"' in page
    assert "18 objects the file does not change" in page
    assert snapshot() == before
    assert not Lecture.objects.filter(slug="guest-lecture").exists()


def test_a_bad_file_is_refused_with_the_line_of_each_problem(staff_client, course):
    before = snapshot()
    upload = course_file(("    status: published\n", "    status: live\n"), ("lecturer_confirmed", "lecturer_sure"))
    response = preview(staff_client, upload)
    assert response.status_code == 200
    problems = response.context["problems"]
    # The import_course command's messages, each with its line.
    status, unknown = (line_of("    status: published\n"), line_of("lecturer_confirmed"))
    assert problems == [
        f"course.yaml, line {status} (lectures[0].status): 'live' is not one of draft, announced, published",
        f"course.yaml, line {unknown} (lectures[7]): unknown field 'lecturer_sure'",
    ]
    page = text(response.content)
    assert "course.yaml cannot be imported; nothing changed" in page
    assert f"line {unknown}" in page
    assert "apply" not in response.context
    assert snapshot() == before


def test_a_date_or_time_that_does_not_exist_is_refused_with_its_line(staff_client, course):
    before = snapshot()
    status = line_of("    status: published\n")
    upload = course_file(
        (
            "    status: published\n",
            "    status: published\n    date: 2022-02-30\n    published_at: 2022-02-30T18:00:00Z\n",
        )
    )
    response = preview(staff_client, upload)
    # The file's problems, as for any other mistake, rather than a server error.
    assert response.status_code == 200
    assert response.context["problems"] == [
        f"course.yaml, line {status + 1} (lectures[0].date): '2022-02-30' is not a date that exists "
        "(day is out of range for month)",
        f"course.yaml, line {status + 2} (lectures[0].published_at): '2022-02-30T18:00:00Z' is not a time that "
        "exists (day is out of range for month)",
    ]
    assert "apply" not in response.context
    assert snapshot() == before


def test_a_file_that_is_not_yaml_or_not_text_is_refused(staff_client, course):
    response = preview(staff_client, SimpleUploadedFile("course.yaml", b"slug: [unclosed\n"))
    assert "not valid YAML" in response.context["problems"][0]
    response = preview(staff_client, SimpleUploadedFile("course.yaml", b"slug: !!binary zz\n"))
    assert response.context["problems"] == [
        "course.yaml, line 1: YAML tags (!!name, !name) are not allowed; write the value itself"
    ]
    response = preview(staff_client, SimpleUploadedFile("course.yaml", "slug: курс".encode("cp1251")))
    assert response.context["form"].errors["file"] == ["The file is not UTF-8 text."]


# Apply.


def test_applying_imports_the_file_and_logs_it(staff_client, staff, course):
    response = apply(staff_client, preview(staff_client, course_file(RENAMED, NEW_LECTURE)))
    assert response.status_code == 302
    assert response["Location"] == f"/admin/lectures/course/{course.pk}/change/"
    assert Lecture.objects.get(slug="deployment").title_en == "Deploying machine learning systems"
    assert Lecture.objects.get(slug="guest-lecture").status == "draft"
    entry = LogEntry.objects.get(user=staff)
    assert (entry.action_flag, entry.get_edited_object()) == (CHANGE, course)
    assert entry.change_message.startswith("Imported the course file course.yaml: 1 created, 1 updated")


def test_a_file_near_the_size_limit_in_russian_previews_and_applies(staff_client, course):
    # Cyrillic takes two bytes a letter in the file, and six in a URL-encoded form.
    summary = "Длинное описание лекции на русском языке. " * 12_500
    upload = course_file(("    summary: Что такое дизайн систем", f"    summary: {summary}Что такое дизайн систем"))
    assert 900_000 < upload.size < 1024 * 1024
    response = preview(staff_client, upload)
    assert "apply" in response.context
    response = apply(staff_client, response)
    assert response.status_code == 302
    assert Lecture.objects.get(slug="ml-in-practice").summary.startswith(summary)


def test_a_new_course_is_logged_as_added(staff_client, staff, course):
    upload = course_file(("slug: ml-system-design-2022\n", "slug: ml-system-design-2023\n"))
    apply(staff_client, preview(staff_client, upload))
    entry = LogEntry.objects.get(user=staff)
    assert (entry.action_flag, entry.object_repr) == (ADDITION, "ML System Design Course 2022")
    assert Course.objects.count() == 2


def test_the_admins_edits_are_kept_and_shown_as_conflicts(staff_client, course):
    lecture = Lecture.objects.get(slug="deployment")
    staff_client.post(f"/admin/lectures/lecture/{lecture.pk}/change/", lecture_form(lecture, title_en="Deployment"))
    response = preview(staff_client, course_file(RENAMED))
    [conflict] = response.context["changes"]["conflicts"]
    assert conflict[:2] == ("lecture deployment", "title_en")
    apply(staff_client, response)
    assert Lecture.objects.get(slug="deployment").title_en == "Deployment"
    # With overwrite, the file's value replaces the admin's, and the preview says so first.
    response = preview(
        staff_client, course_file(("title_en: Deploying ML systems", "title_en: Deploying, again")), overwrite="on"
    )
    [replaced] = response.context["changes"]["replaced"]
    assert replaced[2:] == ('"Deployment"', '"Deploying, again"')
    apply(staff_client, response)
    assert Lecture.objects.get(slug="deployment").title_en == "Deploying, again"


def test_nothing_is_applied_if_the_course_changed_since_the_preview(staff_client, staff, course):
    response = preview(staff_client, course_file(RENAMED))
    Lecture.objects.filter(slug="deployment").update(title_en="Changed meanwhile")
    again = apply(staff_client, response)
    assert again.status_code == 200
    assert "The course changed since the preview was made" in text(again.content)
    assert Lecture.objects.get(slug="deployment").title_en == "Changed meanwhile"
    assert not LogEntry.objects.filter(user=staff).exists()
    # The new preview can be applied.
    apply(staff_client, again)
    assert LogEntry.objects.filter(user=staff).count() == 1


def test_a_file_whose_new_lecture_takes_a_place_in_use_is_refused_at_preview(staff_client, course):
    # The file's places are consistent, but the admin moved a lecture into the one the file gives a new lecture.
    Lecture.objects.filter(slug="lecture-14").update(number=15)
    before = snapshot()
    response = preview(staff_client, course_file(NEW_LECTURE))
    assert "belongs to lecture" in response.context["problems"][0]
    assert snapshot() == before


# Download.


def test_the_course_downloads_as_its_course_file(staff_client, course):
    Lecture.objects.filter(slug="deployment").update(title_en="Edited in the admin")
    response = staff_client.get(f"/admin/lectures/course/{course.pk}/export/")
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ml-system-design-2022.yaml"'
    assert response.content.decode() == export_course(course)
    assert "title_en: Edited in the admin" in response.content.decode()


def test_an_unknown_course_is_a_404(staff_client, course):
    assert staff_client.get("/admin/lectures/course/999/export/").status_code == 404
