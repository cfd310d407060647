import pytest

from lectures.models import Course, Lecture, Part

from .conftest import lecture_form, tags, text

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/lectures/course/",
    "/admin/lectures/part/",
    "/admin/lectures/lecture/",
    "/admin/accounts/user/",
    "/admin/progress/lectureprogress/",
    "/admin/progress/progressevent/",
    "/admin/progress/lastvisit/",
    "/admin/lectures/lecture/?status__exact=announced",
    "/admin/lectures/lecture/?q=данные",
]


@pytest.mark.parametrize("url", CHANGELISTS)
def test_staff_open_every_changelist(staff_client, course, url):
    assert staff_client.get(url).status_code == 200


def test_lecture_changelist_filters_by_part_and_status(staff_client, course):
    response = staff_client.get("/admin/lectures/lecture/?status__exact=announced")
    assert response.context["cl"].result_count == 4


def test_staff_open_add_and_change_pages(staff_client, course, staff):
    lecture = Lecture.objects.get(slug="failure-diagnosis")
    for url in [
        "/admin/lectures/lecture/add/",
        f"/admin/lectures/lecture/{lecture.pk}/change/",
        f"/admin/lectures/course/{course.pk}/change/",
        f"/admin/lectures/part/{lecture.part_id}/change/",
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{staff.pk}/change/",
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_lecture_change_page_has_reading_inline_and_view_on_site(staff_client, course):
    lecture = Lecture.objects.get(slug="failure-diagnosis")
    html = staff_client.get(f"/admin/lectures/lecture/{lecture.pk}/change/").content.decode()
    assert "reading_items-TOTAL_FORMS" in html
    assert "https://kolodezev.ru/mlsysd8.html" in html
    assert "View on site" in html


def test_staff_edit_a_lecture_with_its_reading_list(staff_client, course):
    lecture = Lecture.objects.get(slug="lecture-11")
    data = {
        "part": lecture.part_id,
        "number": 11,
        "slug": "lecture-11",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "title": "Новая лекция",
        "title_en": "New lecture",
        "summary": "",
        "summary_en": "",
        "topics": "",
        "lecturer": "",
        "date": "",
        "duration": "",
        "video_url": "",
        "slides_url": "",
        "reading_items-TOTAL_FORMS": 1,
        "reading_items-INITIAL_FORMS": 0,
        "reading_items-0-position": 0,
        "reading_items-0-kind": "paper",
        "reading_items-0-title": "A paper",
        "reading_items-0-url": "https://example.org/paper",
    }
    response = staff_client.post(f"/admin/lectures/lecture/{lecture.pk}/change/", data)
    assert response.status_code == 302
    lecture.refresh_from_db()
    assert (lecture.status, lecture.title) == ("published", "Новая лекция")
    assert lecture.reading_items.get().title == "A paper"


def test_learners_and_anonymous_users_are_sent_to_log_in(client, learner_client, course):
    for browser in (client, learner_client):
        response = browser.get("/admin/lectures/lecture/")
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_staff_read_progress_but_cannot_forge_or_erase_the_log(staff_client, learner, course):
    from progress.models import ProgressEvent, set_watched

    set_watched(user=learner, lecture=Lecture.objects.get(slug="deployment"), watched=True)
    event = ProgressEvent.objects.get()
    assert "learner@example.org" in staff_client.get("/admin/progress/progressevent/").content.decode()
    assert staff_client.get("/admin/progress/progressevent/add/").status_code == 403
    assert staff_client.post(f"/admin/progress/progressevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ProgressEvent.objects.filter(pk=event.pk).exists()


def test_staff_cannot_delete_a_watched_lecture_behind_the_log(staff_client, learner, course):
    # Staff change a learner's progress from the timeline, which logs it; a deletion here would not be.
    from progress.models import LectureProgress, set_watched

    set_watched(user=learner, lecture=Lecture.objects.get(slug="deployment"), watched=True)
    row = LectureProgress.objects.get()
    assert staff_client.post(f"/admin/progress/lectureprogress/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = staff_client.post(
        "/admin/progress/lectureprogress/", {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert changelist.status_code == 200
    assert LectureProgress.objects.filter(pk=row.pk).exists()


def test_progress_events_cannot_be_rewritten(learner, course):
    from progress.models import ProgressEvent, set_watched

    set_watched(user=learner, lecture=Lecture.objects.get(slug="deployment"), watched=True)
    event = ProgressEvent.objects.get()
    event.action = "unmarked"
    with pytest.raises(ValueError, match="never changed"):
        event.save()


def change_lecture(client, lecture, **changes):
    return client.post(f"/admin/lectures/lecture/{lecture.pk}/change/", lecture_form(lecture, **changes))


def test_a_published_lecture_without_a_title_is_an_error_on_the_title(staff_client, course):
    lecture = Lecture.objects.get(slug="lecture-11")
    response = change_lecture(staff_client, lecture, status="published")
    assert response.status_code == 200  # the form again, nothing saved
    form = response.context["adminform"].form
    assert form.errors["title"] == ["A published lecture needs a title. Add one, or keep the lecture announced."]
    assert not form.non_field_errors()
    assert "is violated" not in response.content.decode()
    assert Lecture.objects.get(pk=lecture.pk).status == "announced"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("number", "0", "Lectures are numbered from 1."),
        ("duration", "-1:00:00", "A video cannot be shorter than nothing."),
    ],
)
def test_other_violations_are_errors_on_their_field_in_words(staff_client, course, field, value, error):
    response = change_lecture(staff_client, Lecture.objects.get(slug="training-data"), **{field: value})
    assert response.status_code == 200
    assert error in response.context["adminform"].form.errors[field]


SLUG_TAKEN = (
    "Another lecture of this course has this slug. Choose another: the slug is the last part of the lecture's address."
)


def add_lecture(client, part, **changes):
    """The lecture admin's add form as a browser posts it, for a draft with no content yet."""
    data = {
        "part": part.pk,
        "number": 99,
        "slug": "new-lecture",
        "status": "draft",
        "reading_items-TOTAL_FORMS": 0,
        "reading_items-INITIAL_FORMS": 0,
    }
    return client.post("/admin/lectures/lecture/add/", data | changes)


def test_adding_a_lecture_with_a_slug_of_the_course_is_an_error_on_the_slug(staff_client, course):
    response = add_lecture(staff_client, Part.objects.get(course=course, slug="main"), slug="design-doc")
    # The form again with the error beside the slug, not the database's refusal.
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["slug"] == [SLUG_TAKEN]
    assert not form.non_field_errors()
    assert not Lecture.objects.filter(number=99).exists()


def test_giving_a_lecture_the_slug_of_another_is_an_error_on_the_slug(staff_client, course):
    lecture = Lecture.objects.get(slug="training-data")
    response = change_lecture(staff_client, lecture, slug="design-doc")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [SLUG_TAKEN]
    assert Lecture.objects.get(pk=lecture.pk).slug == "training-data"


def test_moving_a_lecture_to_a_course_that_has_its_slug_is_an_error_on_the_slug(staff_client, course):
    other = Course.objects.create(slug="other", title="Другой курс")
    part = Part.objects.create(course=other, slug="main", title="Основное")
    Lecture.objects.create(part=part, number=1, slug="intro", title="Введение")
    lecture = Lecture.objects.get(slug="design-doc")
    response = change_lecture(staff_client, lecture, part=part.pk, number=2, slug="intro")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [SLUG_TAKEN]
    assert Lecture.objects.get(pk=lecture.pk).part.course == course


def test_a_slug_of_another_course_is_free_in_this_one(staff_client, course):
    other = Course.objects.create(slug="other", title="Другой курс")
    part = Part.objects.create(course=other, slug="main", title="Основное")
    assert add_lecture(staff_client, part, number=1, slug="design-doc").status_code == 302
    assert Lecture.objects.get(course=other, slug="design-doc").part == part


@pytest.mark.parametrize(
    "url",
    [
        "https://vimeo.com/123456789",
        "https://www.youtube.com/@ods_ai",
        "https://www.youtube.com/channel/UCeq6ZIlvC9SVsfhfKnSvM9w",
        "https://www.youtube.com/watch?v=PW9TGNr1Vq",
        "https://www.youtube.com/watch?v=PW9TGNr1Vqk!",
        "https://youtu.be/",
        "https://www.youtube.com/embed/videoseries?list=PLTlO6nV_TaGDu_HYG8cm7iUFZ_4qEJAYF",
        "https://www.youtube.com/playlist?list=PLTlO6nV_TaGDu_HYG8cm7iUFZ_4qEJAYF",
        "https://example.org/watch?v=PW9TGNr1Vqk",
    ],
)
def test_the_video_must_be_a_youtube_video(staff_client, course, url):
    lecture = Lecture.objects.get(slug="design-doc")
    response = change_lecture(staff_client, lecture, video_url=url)
    assert response.status_code == 200
    assert "Give a link to one YouTube video" in response.context["adminform"].form.errors["video_url"][0]
    assert Lecture.objects.get(pk=lecture.pk).video_url == "https://www.youtube.com/watch?v=PW9TGNr1Vqk"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=PW9TGNr1Vqk",
        "https://youtube.com/watch?v=PW9TGNr1Vqk&t=42",
        "https://m.youtube.com/watch?v=PW9TGNr1Vqk",
        "https://youtu.be/PW9TGNr1Vqk",
        "https://www.youtube.com/embed/PW9TGNr1Vqk",
        "https://www.youtube-nocookie.com/embed/PW9TGNr1Vqk",
        "https://www.youtube.com/shorts/PW9TGNr1Vqk",
    ],
)
def test_youtube_video_links_are_taken(staff_client, course, url):
    lecture = Lecture.objects.get(slug="design-doc")
    assert change_lecture(staff_client, lecture, video_url=url).status_code == 302
    assert Lecture.objects.get(pk=lecture.pk).youtube_id == "PW9TGNr1Vqk"


def test_the_slug_help_text_shows_an_address(staff_client, course):
    lecture = Lecture.objects.get(slug="design-doc")
    page = text(staff_client.get(f"/admin/lectures/lecture/{lecture.pk}/change/").content)
    assert "/lectures//" not in page
    assert "as design-doc in /lectures/design-doc/" in page


def test_the_admin_index_names_each_section_once(staff_client, course):
    html = staff_client.get("/admin/").content.decode()
    sections = [text(caption.split("</caption>")[0]) for caption in html.split("<caption>")[1:]]
    assert "Users" in sections
    assert len(sections) == len(set(sections)), sections


def test_the_lecture_list_is_in_course_order_and_shows_which_lecturers_are_confirmed(staff_client, course):
    response = staff_client.get("/admin/lectures/lecture/")
    listed = [lecture.slug for lecture in response.context["cl"].result_list]
    assert listed == list(Lecture.objects.in_course_order().values_list("slug", flat=True))
    # Learners see only confirmed lecturers; staff see which are not.
    unconfirmed = tags(response.content, "img", alt="False")
    assert len(unconfirmed) == 9 + 4  # lectures 1 to 10 but 8, and the four without a lecturer


def test_learners_notes_reading_and_plans_are_in_no_staff_view(staff_client, learner, course):
    from django.contrib import admin

    from progress.models import Note, PacePlan, PlannedLecture, ReadingProgress, add_note

    # What learners write for themselves is theirs: staff see it only as counts (deleting an account).
    for model in (Note, ReadingProgress, PacePlan, PlannedLecture):
        assert not admin.site.is_registered(model), model
    add_note(user=learner, lecture=Lecture.objects.get(slug="design-doc"), body="my own words", seconds=None)
    for url in ["/admin/", "/admin/progress/", f"/admin/accounts/user/{learner.pk}/change/"]:
        assert "my own words" not in staff_client.get(url).content.decode()
    html = staff_client.get(f"/admin/accounts/user/{learner.pk}/delete/").content.decode()
    assert "Notes: 1" in text(html)
    assert "my own words" not in html
