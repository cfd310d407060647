"""One learner's story for staff: the timeline, and what support may change from it."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.utils import timezone

from accounts.models import User
from lectures.models import Lecture
from progress.models import LectureProgress, ProgressEvent, record_visit, set_watched
from progress.staff import EVENTS_PER_PAGE

from .conftest import client_for, tags, text
from .test_analytics import staff_with

pytestmark = pytest.mark.django_db


def lecture(slug="training-data"):
    return Lecture.objects.get(slug=slug)


def urls(user):
    base = f"/admin/analytics/learners/{user.pk}/"
    return {
        "timeline": base,
        "watched": base + "watched/",
        "verification": base + "verification/",
        "deactivate": base + "deactivate/",
    }


@pytest.fixture
def story(learner, course):
    set_watched(user=learner, lecture=lecture("ml-in-practice"), watched=True)
    set_watched(user=learner, lecture=lecture(), watched=True)
    set_watched(user=learner, lecture=lecture(), watched=False)
    record_visit(user=learner, lecture=lecture("deployment"))
    return learner


@pytest.fixture
def supporter(db):
    """A member of staff who may read progress and change it, and change accounts."""
    return staff_with("view_lectureprogress", "change_lectureprogress", "change_user", email="support@example.org")


# Access.


@pytest.mark.parametrize("name", ["timeline", "watched", "verification", "deactivate"])
def test_anonymous_visitors_and_learners_are_sent_to_sign_in(client, other_client, story, name):
    for browser in (client, other_client):
        response = browser.post(urls(story)[name], {"lecture": lecture().pk, "watched": "true"})
        if name == "timeline":
            response = browser.get(urls(story)[name])
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert not LectureProgress.objects.filter(user=story, lecture=lecture()).exists()
    assert User.objects.get(pk=story.pk).is_active


def test_the_timeline_needs_the_view_permission(story):
    assert client_for(staff_with("view_user")).get(urls(story)["timeline"]).status_code == 403
    assert (
        client_for(staff_with("view_lectureprogress", email="reader@example.org"))
        .get(urls(story)["timeline"])
        .status_code
        == 200
    )


def test_changing_progress_needs_the_change_permission(story):
    reader = client_for(staff_with("view_lectureprogress"))
    response = reader.post(urls(story)["watched"], {"lecture": lecture().pk, "watched": "true"})
    assert response.status_code == 403
    assert not LectureProgress.objects.filter(user=story, lecture=lecture()).exists()
    # Nor is the button offered.
    assert not tags(reader.get(urls(story)["timeline"]).content, "form", action=urls(story)["watched"])


@pytest.mark.parametrize("name", ["verification", "deactivate"])
def test_account_actions_need_the_change_permission_on_users(story, name):
    progress_only = client_for(staff_with("view_lectureprogress", "change_lectureprogress"))
    assert progress_only.post(urls(story)[name]).status_code == 403
    assert User.objects.get(pk=story.pk).is_active
    assert mail.outbox == []


@pytest.mark.parametrize("name", ["watched", "verification", "deactivate"])
def test_actions_answer_post_only(staff_client, story, name):
    assert staff_client.get(urls(story)[name]).status_code == 405


def test_an_unknown_learner_is_a_404(staff_client, course):
    assert staff_client.get("/admin/analytics/learners/999999/").status_code == 404


# The timeline.


def test_it_shows_every_change_and_the_last_visit_in_order(staff_client, story):
    page = text(staff_client.get(urls(story)["timeline"]).content)
    assert "3 changes to the learner's progress" in page
    newest_first = [
        "Last visit: Lecture 7",
        "Marked Lecture 3: Обучающие данные not watched",
        "Marked Lecture 3: Обучающие данные watched",
        "Marked Lecture 1",
    ]
    positions = [page.index(entry) for entry in newest_first]
    assert positions == sorted(positions)
    assert page.count("watched by the learner") == 3
    assert "1 of 10 main lectures watched" in page


def test_the_timeline_of_a_long_story_comes_a_page_at_a_time(staff_client, story):
    ProgressEvent.objects.bulk_create(
        ProgressEvent(user=story, lecture=lecture(), action="marked", at=timezone.now() - timedelta(days=1, minutes=n))
        for n in range(2 * EVENTS_PER_PAGE)
    )
    first = staff_client.get(urls(story)["timeline"])
    assert len(tags(first.content, "li", **{"class": "timeline__item timeline__item--marked"})) == EVENTS_PER_PAGE - 1
    assert tags(first.content, "a", href="?page=2", rel="next")
    last = staff_client.get(urls(story)["timeline"] + "?page=3")
    # 103 changes, 50 a page; the last visit is the newest of all, so it is on the first page only.
    assert len(tags(last.content, "li")) >= 3
    assert "Last visit" not in text(last.content)
    assert staff_client.get(urls(story)["timeline"] + "?page=99").status_code == 200


def test_a_visit_newer_than_a_page_but_older_than_the_page_before_is_on_that_page(staff_client, story):
    # The learner's last visit (just after their own changes), then a page of staff changes above it.
    since = timezone.now()
    ProgressEvent.objects.bulk_create(
        ProgressEvent(user=story, lecture=lecture(), action="marked", source="staff", at=since + timedelta(minutes=n))
        for n in range(1, EVENTS_PER_PAGE + 1)
    )
    first, second = (text(staff_client.get(urls(story)["timeline"] + f"?page={n}").content) for n in (1, 2))
    assert "Last visit" not in first
    assert second.index("Last visit: Lecture 7") < second.index("Marked Lecture 3: Обучающие данные not watched")


def test_the_user_admin_page_links_to_the_timeline(staff_client, story):
    html = staff_client.get(f"/admin/accounts/user/{story.pk}/change/").content
    assert tags(html, "a", href=urls(story)["timeline"])


# What support does.


def test_staff_mark_a_lecture_for_the_learner_and_it_is_logged(supporter, story):
    response = client_for(supporter).post(urls(story)["watched"], {"lecture": lecture().pk, "watched": "true"})
    assert response.status_code == 303
    assert response["Location"] == urls(story)["timeline"]
    event = ProgressEvent.objects.filter(user=story).latest("pk")
    assert (event.action, event.source, event.by) == ("marked", "staff", supporter)
    row = LectureProgress.objects.get(user=story, lecture=lecture())
    assert row.source == "staff"
    entry = LogEntry.objects.get(user=supporter)
    assert entry.get_edited_object() == story
    assert entry.change_message == "Marked Lecture 3: Обучающие данные watched for the learner."


def test_staff_unmark_a_lecture_and_a_repeat_changes_nothing(supporter, story):
    browser = client_for(supporter)
    data = {"lecture": lecture("ml-in-practice").pk, "watched": "false"}
    browser.post(urls(story)["watched"], data)
    browser.post(urls(story)["watched"], data)
    assert not LectureProgress.objects.filter(user=story, lecture=lecture("ml-in-practice")).exists()
    assert ProgressEvent.objects.filter(user=story, source="staff").count() == 1
    assert LogEntry.objects.filter(user=supporter).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"lecture": "", "watched": "true"},
        {"lecture": "x", "watched": "true"},
        {"lecture": "²", "watched": "true"},  # a digit to Python, not a number
        {"watched": "maybe", "lecture": "1"},
    ],
)
def test_a_bad_request_changes_nothing(supporter, story, data):
    assert client_for(supporter).post(urls(story)["watched"], data).status_code == 400
    assert not ProgressEvent.objects.filter(source="staff").exists()


def test_only_published_lectures_can_be_marked(supporter, story):
    response = client_for(supporter).post(
        urls(story)["watched"], {"lecture": lecture("lecture-11").pk, "watched": "true"}
    )
    assert response.status_code == 404


def test_staff_changes_show_in_the_learners_own_timeline(supporter, story, learner_client):
    client_for(supporter).post(urls(story)["watched"], {"lecture": lecture("deployment").pk, "watched": "true"})
    page = text(learner_client.get("/progress/").content)
    assert "Marked watched: Lecture 7" in page
    assert "(changed for you by the course staff)" in page
    # The learner is not told who, and their own export says staff.
    assert "support@example.org" not in page
    assert '"source": "staff"' in b"".join(learner_client.get("/progress/export.json")).decode()


def test_staff_changes_name_the_staff_member_in_the_staff_timeline(supporter, story, staff_client):
    client_for(supporter).post(urls(story)["watched"], {"lecture": lecture("deployment").pk, "watched": "true"})
    assert "by support@example.org, staff" in text(staff_client.get(urls(story)["timeline"]).content)


def test_a_deleted_staff_member_leaves_their_changes_behind(supporter, story, staff_client):
    client_for(supporter).post(urls(story)["watched"], {"lecture": lecture("deployment").pk, "watched": "true"})
    supporter.delete()
    event = ProgressEvent.objects.get(source="staff")
    assert event.by is None
    assert "by a member of staff since deleted" in text(staff_client.get(urls(story)["timeline"]).content)


def test_staff_resend_the_verification_mail(supporter, course):
    learner = User.objects.create_user(email="new@example.org", password="x" * 12)
    EmailAddress.objects.create(user=learner, email=learner.email, primary=True, verified=False)
    response = client_for(supporter).post(urls(learner)["verification"])
    assert response.status_code == 303
    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert "/accounts/confirm-email/" in message.body
    assert LogEntry.objects.get(user=supporter).change_message == "Sent the mail that verifies new@example.org again."


def test_a_learner_without_an_address_record_gets_one_and_the_mail(supporter, course):
    learner = User.objects.create_user(email="imported@example.org", password="x" * 12)
    client_for(supporter).post(urls(learner)["verification"])
    assert EmailAddress.objects.get(user=learner).email == "imported@example.org"
    assert len(mail.outbox) == 1


def test_a_verified_address_gets_no_mail(supporter, story):
    client_for(supporter).post(urls(story)["verification"])
    assert mail.outbox == []
    assert not LogEntry.objects.exists()


def test_staff_deactivate_the_account_and_the_learner_is_signed_out(supporter, story, learner_client):
    assert learner_client.get("/progress/").status_code == 200
    response = client_for(supporter).post(urls(story)["deactivate"])
    assert response.status_code == 303
    assert not User.objects.get(pk=story.pk).is_active
    assert LogEntry.objects.get(user=supporter).change_message == "Deactivated the account."
    # The learner's session no longer signs them in.
    assert learner_client.get("/progress/").status_code == 302


def test_staff_cannot_deactivate_themselves_here(supporter):
    client_for(supporter).post(urls(supporter)["deactivate"])
    assert User.objects.get(pk=supporter.pk).is_active


def test_every_staff_action_shows_in_the_users_history(supporter, story, staff_client):
    browser = client_for(supporter)
    browser.post(urls(story)["watched"], {"lecture": lecture().pk, "watched": "true"})
    browser.post(urls(story)["deactivate"])
    history = text(staff_client.get(f"/admin/accounts/user/{story.pk}/history/").content)
    assert "Marked Lecture 3: Обучающие данные watched for the learner." in history
    assert "Deactivated the account." in history
