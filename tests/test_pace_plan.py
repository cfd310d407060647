"""The pace plan's arithmetic: days in the learner's time zone, times that hold across a clock change."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from progress.plans import DEFAULT_LENGTH, NoStudyDays, first_day, lay_out, standing

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
HOUR = timedelta(hours=1)


def lectures(count, length=HOUR):
    return [(f"L{n}", length) for n in range(1, count + 1)]


def local(slot, zone):
    return slot.starts_at.astimezone(zone)


def test_lectures_a_week_fall_on_the_chosen_days_in_course_order():
    # Wednesday 4 March 2026, noon in Moscow: today's 19:00 is still ahead.
    now = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    slots = lay_out(lectures(7), now=now, zone=MOSCOW, weekdays={MON, WED, FRI}, at=time(19), per_week=3)
    assert [slot.key for slot in slots] == [f"L{n}" for n in range(1, 8)]
    assert [slot.day for slot in slots] == [
        date(2026, 3, 4),  # this week has only Wednesday and Friday left: two of its three
        date(2026, 3, 6),
        date(2026, 3, 9),
        date(2026, 3, 11),
        date(2026, 3, 13),
        date(2026, 3, 16),
        date(2026, 3, 18),
    ]
    assert all(local(slot, MOSCOW).time() == time(19) for slot in slots)
    assert all(slot.ends_at - slot.starts_at == HOUR for slot in slots)


def test_more_lectures_a_week_than_days_share_a_day_back_to_back():
    now = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # Monday morning
    slots = lay_out(lectures(4), now=now, zone=MOSCOW, weekdays={SAT}, at=time(10), per_week=2)
    assert [slot.day for slot in slots] == [date(2026, 3, 7)] * 2 + [date(2026, 3, 14)] * 2
    # The second lecture of a day starts when the first ends.
    assert slots[1].starts_at == slots[0].ends_at
    assert local(slots[1], MOSCOW).time() == time(11)


def test_a_finish_date_spreads_the_lectures_up_to_it():
    now = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # Monday
    finish = date(2026, 3, 29)
    slots = lay_out(lectures(4), now=now, zone=MOSCOW, weekdays={TUE, THU}, at=time(19), finish_on=finish)
    days = [slot.day for slot in slots]
    assert days == sorted(days)
    assert days[0] == date(2026, 3, 3)  # the first study day is used
    assert days[-1] <= finish
    assert {day.weekday() for day in days} <= {TUE, THU}
    assert len(set(days)) == 4  # eight study days for four lectures: one each


def test_a_finish_date_balances_video_time_using_known_lengths():
    now = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    # One long lecture and three short ones over two study days: the long one gets a day to itself.
    plan = [("long", 3 * HOUR), ("a", HOUR), ("b", HOUR), ("c", HOUR)]
    slots = lay_out(plan, now=now, zone=MOSCOW, weekdays={TUE, THU}, at=time(18), finish_on=date(2026, 3, 5))
    assert [slot.day for slot in slots] == [date(2026, 3, 3)] + [date(2026, 3, 5)] * 3


def test_unknown_lengths_are_planned_as_the_known_ones_on_average_or_ninety_minutes():
    now = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    known = lay_out(
        [("a", HOUR), ("b", None), ("c", 2 * HOUR)], now=now, zone=MOSCOW, weekdays={SAT}, at=time(10), per_week=3
    )
    assert known[1].ends_at - known[1].starts_at == 1.5 * HOUR
    none = lay_out([("a", None)], now=now, zone=MOSCOW, weekdays={SAT}, at=time(10), per_week=3)
    assert none[0].ends_at - none[0].starts_at == DEFAULT_LENGTH


def test_nothing_is_planned_in_the_past():
    # 20:30 in Moscow: today's 19:00 has gone, so the plan starts tomorrow, though today is a study day.
    now = datetime(2026, 3, 4, 17, 30, tzinfo=UTC)
    slots = lay_out(lectures(3), now=now, zone=MOSCOW, weekdays=set(range(7)), at=time(19), per_week=7)
    assert slots[0].day == date(2026, 3, 5)
    assert all(slot.starts_at > now for slot in slots)
    # At 18:30 the same day, today still counts.
    earlier = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
    assert first_day(now=earlier, zone=MOSCOW, at=time(19)) == date(2026, 3, 4)


def test_today_is_the_learners_today_across_a_time_zone_change():
    # 22:30 UTC on Sunday 1 March: already Monday 01:30 in Moscow, still Sunday 17:30 in New York.
    now = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    in_moscow = lay_out(lectures(2), now=now, zone=MOSCOW, weekdays=set(range(7)), at=time(19), per_week=7)
    in_new_york = lay_out(lectures(2), now=now, zone=NEW_YORK, weekdays=set(range(7)), at=time(19), per_week=7)
    assert [slot.day for slot in in_moscow] == [date(2026, 3, 2), date(2026, 3, 3)]
    assert [slot.day for slot in in_new_york] == [date(2026, 3, 1), date(2026, 3, 2)]
    # 19:00 on each one's wall clock: the same plan moves in absolute time with the learner.
    assert [local(slot, MOSCOW).time() for slot in in_moscow] == [time(19)] * 2
    assert [local(slot, NEW_YORK).time() for slot in in_new_york] == [time(19)] * 2
    assert in_moscow[0].starts_at == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    assert in_new_york[0].starts_at == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    # Saturday-only study days: Saturday 7 March for both, at different instants.
    saturday = {SAT}
    moscow_sat = lay_out(lectures(1), now=now, zone=MOSCOW, weekdays=saturday, at=time(10), per_week=1)
    new_york_sat = lay_out(lectures(1), now=now, zone=NEW_YORK, weekdays=saturday, at=time(10), per_week=1)
    assert moscow_sat[0].day == new_york_sat[0].day == date(2026, 3, 7)
    assert new_york_sat[0].starts_at - moscow_sat[0].starts_at == timedelta(hours=8)


def test_a_clock_change_keeps_the_wall_clock_time():
    # Berlin moves its clocks forward on Sunday 29 March 2026: 19:00 is 18:00 UTC before, 17:00 UTC after.
    now = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
    slots = lay_out(lectures(4), now=now, zone=BERLIN, weekdays={THU, SUN, MON}, at=time(19), per_week=3)
    assert [slot.day for slot in slots] == [date(2026, 3, 23), date(2026, 3, 26), date(2026, 3, 29), date(2026, 3, 30)]
    assert [local(slot, BERLIN).time() for slot in slots] == [time(19)] * 4
    assert [slot.starts_at.astimezone(UTC).hour for slot in slots] == [18, 18, 17, 17]
    # A lecture is as long in real time as its video, whatever the clocks do.
    assert all(slot.ends_at - slot.starts_at == HOUR for slot in slots)


def test_a_study_time_the_clock_change_skips_starts_an_hour_later():
    # 02:30 does not exist in Berlin on 29 March 2026: the clocks jump from 02:00 to 03:00.
    now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    [slot] = lay_out(lectures(1), now=now, zone=BERLIN, weekdays={SUN}, at=time(2, 30), per_week=1)
    assert slot.day == date(2026, 3, 29)
    assert local(slot, BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)
    assert slot.ends_at - slot.starts_at == HOUR


def test_a_study_time_the_clock_change_repeats_takes_the_first():
    # 02:30 happens twice in Berlin on 25 October 2026, first in summer time (00:30 UTC).
    now = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    [slot] = lay_out(lectures(1), now=now, zone=BERLIN, weekdays={SUN}, at=time(2, 30), per_week=1)
    assert slot.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_finish_date_with_no_study_day_left_is_refused():
    now = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # Wednesday
    with pytest.raises(NoStudyDays):
        lay_out(lectures(2), now=now, zone=MOSCOW, weekdays={MON}, at=time(19), finish_on=date(2026, 3, 8))
    # Today counts only while its study time is ahead.
    late = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)  # 20:00 in Moscow
    with pytest.raises(NoStudyDays):
        lay_out(lectures(1), now=late, zone=MOSCOW, weekdays={WED}, at=time(19), finish_on=date(2026, 3, 4))


@pytest.mark.parametrize(
    "options",
    [
        {"weekdays": set(), "per_week": 2},
        {"weekdays": {7}, "per_week": 2},
        {"weekdays": {MON}},
        {"weekdays": {MON}, "per_week": 2, "finish_on": date(2026, 5, 1)},
        {"weekdays": {MON}, "per_week": 0},
    ],
)
def test_impossible_choices_are_errors(options):
    with pytest.raises(ValueError, match=r"."):
        lay_out(lectures(1), now=datetime(2026, 3, 4, tzinfo=UTC), zone=MOSCOW, at=time(19), **options)


def test_nothing_to_plan_is_an_empty_plan():
    assert lay_out([], now=datetime(2026, 3, 4, tzinfo=UTC), zone=MOSCOW, weekdays={MON}, at=time(19), per_week=1) == []


TODAY = date(2026, 3, 10)
PLANNED = {"L1": date(2026, 3, 2), "L2": date(2026, 3, 5), "L3": date(2026, 3, 10), "L4": date(2026, 3, 12)}
ORDER = ["L1", "L2", "L3", "L4"]


@pytest.mark.parametrize(
    ("watched", "state", "behind", "next_"),
    [
        ({"L1", "L2"}, "on-track", [], ("L3", date(2026, 3, 10))),
        ({"L1"}, "behind", ["L2"], ("L3", date(2026, 3, 10))),
        (set(), "behind", ["L1", "L2"], ("L3", date(2026, 3, 10))),
        ({"L1", "L2", "L3", "L4"}, "done", [], None),
        ({"L1", "L2", "L4"}, "ahead", [], ("L3", date(2026, 3, 10))),
        ({"L4"}, "behind", ["L1", "L2"], ("L3", date(2026, 3, 10))),  # watching ahead does not hide what is late
    ],
)
def test_standing_says_where_the_learner_is(watched, state, behind, next_):
    result = standing(PLANNED, lectures=ORDER, watched=watched, today=TODAY)
    assert (result.state, result.behind, result.next) == (state, behind, next_)


def test_a_lecture_published_after_the_plan_is_called_unplanned():
    result = standing(PLANNED, lectures=[*ORDER, "L5"], watched={"L1", "L2"}, today=TODAY)
    assert result.unplanned == ["L5"]
    assert result.state == "on-track"
