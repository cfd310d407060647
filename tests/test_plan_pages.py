"""The pace plan's pages: make a plan, see where you stand on the home and /progress/, re-plan, stop."""

from datetime import date, timedelta

import pytest
from django.db.models import F
from django.test import Client, override_settings
from django.utils import timezone

from lectures.models import Lecture
from progress import views
from progress.models import PacePlan, PlannedLecture, delete_plan, set_watched

from .conftest import HTMX, client_for, tags, text

pytestmark = pytest.mark.django_db

PLAN = "/progress/plan/"
WEEKLY = {"mode": "weekly", "per_week": "3", "weekdays": ["0", "2", "4"], "study_time": "19:00"}
PUBLISHED = 12  # ten main lectures and two bonus ones


def make_plan(browser, zone="Europe/Moscow", **changes):
    browser.cookies["tz"] = zone.replace("/", "%2F")  # as static/js/portal.js writes it
    return browser.post(PLAN, WEEKLY | changes)


def watch(user, slug, watched=True):
    set_watched(user=user, lecture=Lecture.objects.get(slug=slug), watched=watched)


def fall_behind(user, days=30):
    """Move the whole plan back by some days, as if it had been made a while ago."""
    PlannedLecture.objects.filter(user=user).update(day=F("day") - timedelta(days=days))


def test_a_learner_makes_a_plan_from_today_in_their_time_zone(learner_client, learner, course):
    watch(learner, "ml-in-practice")
    response = make_plan(learner_client)
    assert response.status_code == 303
    assert response["Location"] == PLAN
    plan = PacePlan.objects.get(user=learner)
    assert (plan.mode, plan.per_week, plan.weekday_set, plan.time_zone) == ("weekly", 3, {0, 2, 4}, "Europe/Moscow")
    rows = PlannedLecture.objects.filter(user=learner)
    # Every published lecture not yet watched, none in the past, none of the announced ones.
    assert rows.count() == PUBLISHED - 1
    assert not rows.filter(lecture__slug="ml-in-practice").exists()
    assert not rows.filter(lecture__status="announced").exists()
    assert all(row.starts_at > timezone.now() for row in rows)
    assert {row.day.weekday() for row in rows} <= {0, 2, 4}
    html = learner_client.get(PLAN).content.decode()
    assert "Your plan is laid out from today." in text(html)
    assert "On track" in text(html)
    assert "Days are in Europe/Moscow time; each study day starts at 19:00." in text(html)


def test_the_plan_page_offers_a_plan_and_lists_what_waits_for_publication(learner_client, course):
    html = learner_client.get(PLAN).content.decode()
    assert "Make a plan" in text(html)
    assert tags(html, "input", name="weekdays", value="1", checked="")  # Tuesday and Thursday, to start with
    assert tags(html, "input", name="mode", value="weekly", checked="")
    assert "To be planned when published" in text(html)
    waiting = text(html.split('id="waiting-title"')[1].split("</ul>")[0])
    assert all(f"Lecture {n}" in waiting for n in range(11, 15))
    assert "Lecture 10" not in waiting


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"weekdays": []}, "Choose at least one day of the week to study on."),
        ({"mode": ""}, "Choose a pace: a day to finish by, or a number of lectures a week."),
        ({"mode": "weekly", "per_week": ""}, "Say how many lectures a week, from 1 to 14."),
        ({"per_week": "15"}, "Ensure this value is less than or equal to 14."),
        ({"mode": "finish_by", "finish_on": ""}, "Choose the day to finish by."),
        ({"mode": "finish_by", "finish_on": "2020-01-01"}, "That day has passed: choose today or a day ahead."),
        ({"mode": "finish_by", "finish_on": "2099-01-01"}, "Choose a day within the next two years."),
        ({"study_time": "25:00"}, "Enter a valid time."),
    ],
)
def test_a_choice_that_cannot_be_planned_comes_back_with_what_to_fix(learner_client, learner, course, changes, error):
    response = make_plan(learner_client, **changes)
    assert response.status_code == 422
    assert error in text(response.content.decode())
    assert not PacePlan.objects.exists()


def test_a_finish_date_with_no_study_day_before_it_is_refused_in_words(learner_client, course):
    today = timezone.now().date()
    # Only the day of the week after today, and a finish date of today.
    weekday = str((today.weekday() + 1) % 7)
    response = make_plan(learner_client, zone="UTC", mode="finish_by", finish_on=today.isoformat(), weekdays=[weekday])
    assert response.status_code == 422
    assert "None of the chosen days falls between today and the finish date" in text(response.content.decode())
    assert not PacePlan.objects.exists()


def test_a_finish_date_plan_ends_by_that_date(learner_client, learner, course):
    finish = timezone.now().date() + timedelta(days=40)
    response = make_plan(
        learner_client, mode="finish_by", finish_on=finish.isoformat(), weekdays=[str(d) for d in range(7)]
    )
    assert response.status_code == 303
    days = list(PlannedLecture.objects.filter(user=learner).values_list("day", flat=True))
    assert len(days) == PUBLISHED
    assert max(days) <= finish


def test_without_a_plan_the_home_and_progress_page_offer_one(learner_client, course):
    for url in ["/", "/progress/"]:
        html = learner_client.get(url).content.decode()
        assert tags(html, "a", href=PLAN)
        assert "Make a study plan" in text(html)


def test_the_home_and_progress_page_say_on_track_then_behind_then_re_plan(learner_client, learner, course):
    make_plan(learner_client)
    for url in ["/", "/progress/"]:
        assert "On track" in text(learner_client.get(url).content.decode())

    fall_behind(learner)
    watch(learner, "ml-in-practice")
    behind = PlannedLecture.objects.filter(user=learner, day__lt=timezone.now().date()).count() - 1
    assert behind >= 2
    for url in ["/", "/progress/", PLAN]:
        html = learner_client.get(url).content.decode()
        assert f"{behind} lectures behind" in text(html), url
        assert tags(html, "form", action="/progress/plan/replan/")
    # The plan page says which lectures are late.
    assert text(learner_client.get(PLAN).content.decode()).count("Overdue") == behind

    response = learner_client.post("/progress/plan/replan/", {"next": "/"})
    assert response.status_code == 303
    assert response["Location"] == "/"
    html = learner_client.get("/").content.decode()
    assert "On track" in text(html)
    assert "Your plan is laid out again from today." in text(html)
    rows = PlannedLecture.objects.filter(user=learner)
    assert rows.count() == PUBLISHED - 1  # the watched one left the plan
    assert all(row.starts_at > timezone.now() for row in rows)


def test_watching_ahead_says_ahead(learner_client, learner, course):
    make_plan(learner_client)
    watch(learner, "design-doc")  # the last lecture of the plan
    html = learner_client.get("/progress/").content.decode()
    assert "Ahead of the plan" in text(html)


def test_a_lecture_published_after_the_plan_is_not_left_out_silently(learner_client, learner, course):
    make_plan(learner_client)
    Lecture.objects.filter(slug="lecture-11").update(status="published", title="Новая лекция")
    html = learner_client.get("/").content.decode()
    assert "1 published lecture is not in your plan yet." in text(html)
    assert "Not in the plan yet" in text(learner_client.get(PLAN).content.decode())
    learner_client.post("/progress/plan/replan/")
    assert PlannedLecture.objects.filter(user=learner, lecture__slug="lecture-11").exists()
    assert "not in your plan yet" not in text(learner_client.get("/").content.decode())


def test_a_finished_plan_says_so(learner_client, learner, course):
    make_plan(learner_client)
    for lecture in Lecture.objects.published():
        set_watched(user=learner, lecture=lecture, watched=True)
    assert "Plan done: you have watched every published lecture." in text(learner_client.get("/").content.decode())


def test_re_planning_after_the_finish_date_passed_asks_for_a_new_one(learner_client, learner, course):
    make_plan(learner_client, mode="finish_by", finish_on=(date.today() + timedelta(days=30)).isoformat())
    PacePlan.objects.filter(user=learner).update(finish_on=date(2020, 1, 1))
    response = learner_client.post("/progress/plan/replan/")
    assert response["Location"] == PLAN + "#plan-form-title"
    assert "Your finish date has passed" in text(learner_client.get(PLAN).content.decode())


def test_re_planning_follows_a_new_time_zone(learner_client, learner, course):
    make_plan(learner_client, zone="Europe/Moscow")
    learner_client.cookies["tz"] = "America%2FNew_York"
    learner_client.post("/progress/plan/replan/")
    assert PacePlan.objects.get(user=learner).time_zone == "America/New_York"


def test_changing_the_plan_keeps_its_calendar_link(learner_client, learner, course):
    make_plan(learner_client)
    learner_client.post("/progress/plan/feed/", {"feed": "on"})
    token = PacePlan.objects.get(user=learner).feed_token
    make_plan(learner_client, per_week="1", weekdays=["6"])
    plan = PacePlan.objects.get(user=learner)
    assert (plan.feed_token, plan.per_week, plan.weekday_set) == (token, 1, {6})


def test_deleting_the_plan_drops_its_days_and_link(learner_client, learner, course):
    make_plan(learner_client)
    learner_client.post("/progress/plan/feed/", {"feed": "on"})
    response = learner_client.post("/progress/plan/delete/")
    assert response.status_code == 303
    assert not PacePlan.objects.exists()
    assert not PlannedLecture.objects.exists()
    assert "Make a study plan" in text(learner_client.get("/").content.decode())


def test_the_calendar_link_turns_on_changes_and_turns_off(learner_client, learner, course):
    make_plan(learner_client)
    learner_client.post("/progress/plan/feed/", {"feed": "on"})
    first = PacePlan.objects.get(user=learner).feed_token
    assert first
    assert len(first) >= 40
    html = learner_client.get(PLAN).content.decode()
    assert tags(html, "input", id="feed-url", value=f"http://testserver/calendar/{first}.ics", readonly="")
    # "on" again keeps the link: a repeat changes nothing.
    learner_client.post("/progress/plan/feed/", {"feed": "on"})
    assert PacePlan.objects.get(user=learner).feed_token == first
    response = learner_client.post("/progress/plan/feed/", {"feed": "new"})
    assert response["Location"] == PLAN + "#calendar-title"
    second = PacePlan.objects.get(user=learner).feed_token
    assert second not in {first, None}
    learner_client.post("/progress/plan/feed/", {"feed": "off"})
    assert PacePlan.objects.get(user=learner).feed_token is None
    assert not tags(learner_client.get(PLAN).content.decode(), "input", id="feed-url")


@pytest.mark.parametrize("value", ["", "yes", "ON", "regenerate"])
def test_any_other_feed_value_is_400(learner_client, course, value):
    make_plan(learner_client)
    assert learner_client.post("/progress/plan/feed/", {"feed": value}).status_code == 400


def test_without_a_plan_the_changes_lead_back_to_the_plan_page(learner_client, course):
    for url, data in [
        ("/progress/plan/replan/", {}),
        ("/progress/plan/feed/", {"feed": "on"}),
        ("/progress/plan/delete/", {}),
    ]:
        response = learner_client.post(url, data)
        assert (response.status_code, response["Location"]) == (303, PLAN)
    assert not PacePlan.objects.exists()


def test_a_plan_deleted_in_another_tab_while_it_is_laid_out_again_stays_deleted(
    learner_client, learner, course, monkeypatch
):
    make_plan(learner_client)
    read_progress = views.course_progress

    def and_meanwhile_the_plan_is_deleted(**kwargs):
        delete_plan(user=learner)
        return read_progress(**kwargs)

    monkeypatch.setattr(views, "course_progress", and_meanwhile_the_plan_is_deleted)
    response = learner_client.post("/progress/plan/replan/")
    assert (response.status_code, response["Location"]) == (303, PLAN)
    assert not PacePlan.objects.exists()
    assert not PlannedLecture.objects.exists()


@pytest.mark.parametrize("url", [PLAN, "/progress/plan/replan/", "/progress/plan/delete/", "/progress/plan/feed/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, course, url):
    response = client.post(url, WEEKLY | {"feed": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={PLAN}"
    if url != PLAN:
        assert client.post(url, **HTMX)["HX-Redirect"] == f"/accounts/login/?next={PLAN}"
    assert client.get(PLAN)["Location"] == f"/accounts/login/?next={PLAN}"
    assert not PacePlan.objects.exists()


@pytest.mark.parametrize("url", ["/progress/plan/replan/", "/progress/plan/delete/", "/progress/plan/feed/"])
def test_changes_are_posts(learner_client, course, url):
    assert learner_client.get(url).status_code == 405


def test_the_plan_page_is_never_cached(learner_client, course):
    assert "no-store" in learner_client.get(PLAN)["Cache-Control"]


def test_missing_csrf_token_is_403(learner, course):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    assert browser.post(PLAN, WEEKLY).status_code == 403
    assert browser.post("/progress/plan/replan/").status_code == 403
    assert not PacePlan.objects.exists()


def test_plans_are_each_learners_own(learner_client, learner, other_learner, course):
    make_plan(learner_client)
    learner_client.post("/progress/plan/feed/", {"feed": "on"})
    token = PacePlan.objects.get(user=learner).feed_token
    other = client_for(other_learner)
    html = other.get(PLAN).content.decode()
    assert token not in html
    assert "Make a plan" in text(html)
    other.post("/progress/plan/delete/")
    assert PacePlan.objects.filter(user=learner).exists()


@override_settings(PLAN_CHANGES_PER_MINUTE=2)
def test_plan_changes_are_throttled(learner_client, course):
    assert make_plan(learner_client).status_code == 303
    assert learner_client.post("/progress/plan/replan/").status_code == 303
    assert learner_client.post("/progress/plan/replan/").status_code == 429


def test_the_plan_speaks_russian(learner, course):
    browser = Client(HTTP_ACCEPT_LANGUAGE="ru")
    browser.force_login(learner)
    make_plan(browser)
    assert "По плану" in text(browser.get("/").content.decode())
    fall_behind(learner, days=14)
    behind = PlannedLecture.objects.filter(user=learner, day__lt=timezone.now().date()).count()
    html = text(browser.get("/progress/").content.decode())
    assert f"Отстаёте на {behind} лекц" in html
    assert "Перепланировать с сегодняшнего дня" in html
    html = text(browser.get(PLAN).content.decode())
    for words in ["Ваш план занятий", "Войдут в план, когда будут опубликованы", "Пропущено"]:
        assert words in html, words
