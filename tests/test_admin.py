import pytest

from lectures.models import Lecture

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


def test_progress_events_cannot_be_rewritten(learner, course):
    from progress.models import ProgressEvent, set_watched

    set_watched(user=learner, lecture=Lecture.objects.get(slug="deployment"), watched=True)
    event = ProgressEvent.objects.get()
    event.action = "unmarked"
    with pytest.raises(ValueError, match="never changed"):
        event.save()
