"""The lecture list runs the course: statuses edited in the list, and bulk actions that keep the constraints."""

import pytest
from django.contrib.admin.models import LogEntry

from lectures.models import Lecture

from .conftest import client_for, make_user, tags, text

pytestmark = pytest.mark.django_db

LIST = "/admin/lectures/lecture/"


def statuses():
    return dict(Lecture.objects.values_list("slug", "status"))


def list_form(**changes):
    """The lecture list's form as a browser posts it, with some statuses changed (slug=status)."""
    lectures = list(Lecture.objects.in_course_order())
    data = {
        "form-TOTAL_FORMS": len(lectures),
        "form-INITIAL_FORMS": len(lectures),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for index, lecture in enumerate(lectures):
        data[f"form-{index}-id"] = lecture.pk
        data[f"form-{index}-status"] = changes.get(lecture.slug, lecture.status)
    return data


def run(client, action, *slugs):
    ids = Lecture.objects.filter(slug__in=slugs).values_list("pk", flat=True)
    return client.post(LIST, {"action": action, "_selected_action": list(ids)}, follow=True)


def test_the_status_is_editable_in_the_list(staff_client, course):
    html = staff_client.get(LIST).content
    assert len(tags(html, "select", name="form-0-status")) == 1


def test_a_status_changed_in_the_list_is_saved_and_logged(staff_client, staff, course):
    response = staff_client.post(LIST, list_form(**{"model-lifecycle": "draft"}))
    assert response.status_code == 302
    assert statuses()["model-lifecycle"] == "draft"
    entry = LogEntry.objects.get(user=staff)
    assert entry.object_repr.startswith("Lecture 10")


def test_publishing_a_lecture_without_a_title_in_the_list_is_an_error_on_its_status(staff_client, course):
    before = statuses()
    response = staff_client.post(LIST, list_form(**{"lecture-11": "published"}))
    # The list again with the error in the lecture's row, not the database's refusal.
    assert response.status_code == 200
    forms = response.context["cl"].formset.forms
    [errors] = [form.errors for form in forms if form.errors]
    assert errors["status"] == ["A published lecture needs a title. Add one, or keep the lecture announced."]
    assert statuses() == before


def test_the_publish_action_publishes_what_it_can_and_says_what_it_cannot(staff_client, staff, course):
    Lecture.objects.filter(slug="model-lifecycle").update(status="draft")
    response = run(staff_client, "publish", "model-lifecycle", "lecture-11", "training-data")
    assert statuses()["model-lifecycle"] == "published"
    assert statuses()["lecture-11"] == "announced"
    page = text(response.content)
    assert "Published 1 lecture." in page
    assert "Lecture 11 is unchanged: A published lecture needs a title." in page
    # Only the lecture that changed is in the admin log; training-data was published already.
    assert LogEntry.objects.filter(user=staff).count() == 1
    assert "Changed Status." in LogEntry.objects.get(user=staff).get_change_message()


def test_the_announce_and_draft_actions(staff_client, course):
    run(staff_client, "announce", "model-lifecycle", "streaming-data")
    assert statuses()["model-lifecycle"] == statuses()["streaming-data"] == "announced"
    response = run(staff_client, "back_to_draft", "model-lifecycle", "lecture-11")
    assert statuses()["model-lifecycle"] == statuses()["lecture-11"] == "draft"
    assert "Put 2 lectures back to draft." in text(response.content)
    # Learners no longer see them.
    assert "/lectures/model-lifecycle/" not in Lecture.objects.listed().values_list("slug", flat=True)


def test_staff_who_may_only_read_lectures_get_no_actions(course):
    from django.contrib.auth.models import Permission

    reader = make_user("reader@example.org", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_lecture"))
    browser = client_for(reader)
    assert not tags(browser.get(LIST).content, "select", name="action")
    run(browser, "publish", "lecture-11")
    assert statuses()["lecture-11"] == "announced"
