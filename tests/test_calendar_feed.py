"""The pace plan's private calendar feed, written with icalendar and read back with it."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from lectures.models import Lecture
from progress.models import PacePlan, PlanChoice, lay_out_plan, set_feed, set_watched

from .conftest import text

pytestmark = pytest.mark.django_db

WEEKLY = PlanChoice(mode="weekly", weekdays=frozenset({0, 2, 4}), study_time=time(19), per_week=3)


def published():
    return list(Lecture.objects.published().in_course_order())


def plan_for(user, zone="Europe/Moscow", choice=WEEKLY):
    watched = set(user.lecture_progress.values_list("lecture_id", flat=True))
    lay_out_plan(user=user, lectures=published(), watched=watched, zone_name=zone, choice=choice)
    set_feed(user=user, feed="on")
    return PacePlan.objects.get(user=user)


def feed_url(user):
    return f"/calendar/{PacePlan.objects.get(user=user).feed_token}.ics"


def events(response):
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_each_planned_lecture_is_an_event_anyone_with_the_link_can_read(client, learner, course):
    Lecture.objects.filter(slug="training-data").update(duration=timedelta(hours=1, minutes=32))
    plan_for(learner)
    response = client.get(feed_url(learner))  # a calendar app: no session, no cookies
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert "max-age=900" in response["Cache-Control"]
    found = events(response)
    assert len(found) == 12
    by_summary = {str(event["SUMMARY"]): event for event in found.values()}
    # The learner chose no language: the feed speaks the course's, Russian.
    event = by_summary["Лекция 3: Обучающие данные"]
    assert str(event["URL"]) == "http://testserver/lectures/training-data/"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.tzinfo.key == "Europe/Moscow"
    assert start.time() == time(19)
    # The planned duration is the video's length where it is known, and the known ones' average elsewhere.
    assert end - start == timedelta(hours=1, minutes=32)
    assert "Запланировано на длину записи: 1\u00a0час 32\u00a0минуты." in str(event["DESCRIPTION"])
    other = by_summary["Лекция 4: Подготовка и отбор признаков"]
    assert other.decoded("DTEND") - other.decoded("DTSTART") == timedelta(hours=1, minutes=32)
    assert "Длина записи пока неизвестна: запланировано 1\u00a0час 32\u00a0минуты." in str(other["DESCRIPTION"])
    calendar = Calendar.from_ical(response.content)
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Europe/Moscow"]


def test_the_feed_speaks_the_learners_language(client, learner, course):
    learner.language = "en"
    learner.save()
    plan_for(learner)
    summaries = {str(event["SUMMARY"]) for event in events(client.get(feed_url(learner))).values()}
    assert "Lecture 3: Training data" in summaries


def test_watched_lectures_drop_out(client, learner, course):
    plan_for(learner)
    before = events(client.get(feed_url(learner)))
    set_watched(user=learner, lecture=Lecture.objects.get(slug="training-data"), watched=True)
    after = events(client.get(feed_url(learner)))
    assert len(after) == len(before) - 1
    assert not any("Обучающие данные" in str(event["SUMMARY"]) for event in after.values())
    # Not watched after all: it comes back with its own UID.
    set_watched(user=learner, lecture=Lecture.objects.get(slug="training-data"), watched=False)
    assert events(client.get(feed_url(learner))).keys() == before.keys()


def test_unpublished_lectures_drop_out(client, learner, course):
    plan_for(learner)
    Lecture.objects.filter(slug="deployment").update(status="draft")
    assert len(events(client.get(feed_url(learner)))) == 11


def test_a_re_plan_in_another_time_zone_moves_events_with_the_same_uids_and_a_higher_sequence(client, learner, course):
    plan_for(learner, zone="Europe/Moscow")
    before = events(client.get(feed_url(learner)))
    assert {int(event["SEQUENCE"]) for event in before.values()} == {0}

    # The learner travels and lays the plan out again from today: every event moves.
    lay_out_plan(user=learner, lectures=published(), watched=set(), zone_name="America/New_York")
    after = events(client.get(feed_url(learner)))
    assert after.keys() == before.keys()
    for uid, event in after.items():
        assert event.decoded("DTSTART") != before[uid].decoded("DTSTART")
        assert event.decoded("DTSTART").tzinfo.key == "America/New_York"
        assert event.decoded("DTSTART").time() == time(19)
        assert int(event["SEQUENCE"]) > int(before[uid]["SEQUENCE"])


def test_a_re_plan_that_moves_nothing_changes_no_sequence(client, learner, course):
    plan_for(learner)
    before = events(client.get(feed_url(learner)))
    lay_out_plan(user=learner, lectures=published(), watched=set(), zone_name="Europe/Moscow")
    after = events(client.get(feed_url(learner)))
    assert {uid: int(event["SEQUENCE"]) for uid, event in after.items()} == {
        uid: int(event["SEQUENCE"]) for uid, event in before.items()
    }


def test_a_re_plan_after_watching_ahead_moves_only_what_moves(client, learner, course):
    plan_for(learner)
    before = events(client.get(feed_url(learner)))
    first = Lecture.objects.get(slug="ml-in-practice")
    set_watched(user=learner, lecture=first, watched=True)
    lay_out_plan(user=learner, lectures=published(), watched={first.pk}, zone_name="Europe/Moscow")
    after = events(client.get(feed_url(learner)))
    assert set(after) < set(before)
    moved = [uid for uid in after if after[uid].decoded("DTSTART") != before[uid].decoded("DTSTART")]
    assert moved
    for uid, event in after.items():
        expected = int(before[uid]["SEQUENCE"]) + (1 if uid in moved else 0)
        assert int(event["SEQUENCE"]) == expected


def test_events_keep_their_wall_clock_time_across_a_clock_change(client, learner, course, monkeypatch):
    # Planned on Monday 23 March 2026 in Berlin, whose clocks go forward on Sunday the 29th.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 23, 8, 0, tzinfo=UTC))
    plan_for(learner, zone="Europe/Berlin")
    starts = sorted(event.decoded("DTSTART") for event in events(client.get(feed_url(learner))).values())
    assert {start.time() for start in starts} == {time(19)}
    offsets = {start.utcoffset() for start in starts}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
    assert starts[0].astimezone(UTC).hour == 18
    assert starts[-1].astimezone(UTC).hour == 17
    assert starts[0].tzinfo == ZoneInfo("Europe/Berlin")


def test_a_wrong_old_or_switched_off_link_is_a_plain_404(client, learner, course):
    plan_for(learner)
    old = feed_url(learner)
    unknown_page = client.get("/no-such-page/")
    for url in ["/calendar/wrong.ics", "/calendar/.ics", old[:-6] + ".ics"]:
        response = client.get(url)
        assert response.status_code == 404
        # The same page as any missing one: nothing says a plan exists or why the link fails.
        assert text(response.content) == text(unknown_page.content)

    set_feed(user=learner, feed="new")
    assert client.get(old).status_code == 404
    assert client.get(feed_url(learner)).status_code == 200
    new = feed_url(learner)
    set_feed(user=learner, feed="off")
    assert client.get(new).status_code == 404
    set_feed(user=learner, feed="on")
    assert client.get(new).status_code == 404  # turned on again: a new link, never the old one
    assert client.get(feed_url(learner)).status_code == 200


def test_a_deleted_plans_link_is_gone(client, learner_client, learner, course):
    plan_for(learner)
    url = feed_url(learner)
    learner_client.post("/progress/plan/delete/")
    assert client.get(url).status_code == 404


def test_the_feed_is_read_only(client, learner, course):
    plan_for(learner)
    assert client.post(feed_url(learner)).status_code == 405
    assert client.head(feed_url(learner)).status_code == 200


def test_one_learners_link_shows_only_their_plan(learner, other_learner, course):
    plan_for(learner)
    plan_for(other_learner, zone="Asia/Tokyo")
    set_watched(user=learner, lecture=Lecture.objects.get(slug="design-doc"), watched=True)
    mine = events(Client().get(feed_url(learner)))
    theirs = events(Client().get(feed_url(other_learner)))
    assert not set(mine) & set(theirs)
    assert len(mine) == 11
    assert len(theirs) == 12
