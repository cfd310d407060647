"""The pace plan's arithmetic, free of the database: which day each lecture falls on, and where a learner stands.

Days are calendar days in the learner's time zone; times are instants (UTC), so a plan
holds across a daylight-saving change: a lecture at 19:00 stays at 19:00 on the wall clock.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from math import ceil

# A lecture whose length is not known is planned as long as the known ones on average,
# or this long when none is known.
DEFAULT_LENGTH = timedelta(minutes=90)
# Monday 0 ... Sunday 6, as date.weekday() counts them.
WEEKDAYS = range(7)


class NoStudyDays(ValueError):
    """No chosen weekday falls between the first day the plan can use and its finish date."""


@dataclass(frozen=True)
class Slot:
    """One lecture in the plan: its day in the learner's time zone, and when it starts and ends."""

    key: object
    day: date
    starts_at: datetime
    ends_at: datetime


def _starts(day, at, zone):
    # A wall-clock time that does not exist on that day (clocks go forward through it)
    # resolves to the offset before the change: 02:30 on a spring-forward night is 03:30.
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def first_day(*, now: datetime, zone, at: time) -> date:
    """The first day a plan made now can use: today, unless today's study time has passed."""
    today = now.astimezone(zone).date()
    return today if _starts(today, at, zone) > now else today + timedelta(days=1)


def _study_days(start: date, end: date, weekdays):
    return [
        start + timedelta(days=n)
        for n in range((end - start).days + 1)
        if (start + timedelta(days=n)).weekday() in weekdays
    ]


def _by_finish_date(lengths, days):
    """Spread the lectures over the days so that each day gets about the same video time, earliest first."""
    total = sum(lengths, timedelta())
    placed, offset = [], timedelta()
    for length in lengths:
        placed.append(days[min(int(offset / total * len(days)), len(days) - 1)])
        offset += length
    return placed


def _by_week(count, start, weekdays, per_week):
    """`per_week` lectures a week on the chosen weekdays, at most a usual day's share on any one day."""
    per_day = ceil(per_week / len(weekdays))
    placed = []
    week = start - timedelta(days=start.weekday())
    while len(placed) < count:
        days = [week + timedelta(days=n) for n in sorted(weekdays) if week + timedelta(days=n) >= start]
        # A week the plan starts in part-way gets only its remaining days' share.
        capacity = min(per_week, len(days) * per_day)
        for index in range(min(capacity, count - len(placed))):
            placed.append(days[index * len(days) // capacity])
        week += timedelta(days=7)
    return placed


def lay_out(
    lectures, *, now: datetime, zone, weekdays, at: time, finish_on: date | None = None, per_week: int | None = None
) -> list[Slot]:
    """Plan the lectures, in the order given, from the first usable day on.

    `lectures` are (key, length or None) pairs. Either `finish_on` (the last day to use)
    or `per_week` says the pace; `weekdays` (0 Monday ... 6 Sunday) the days to study on,
    from `at` o'clock in `zone`. Lectures on the same day follow each other. No lecture
    starts before `now`. Raises NoStudyDays when no chosen weekday is left before the finish.
    """
    weekdays = frozenset(weekdays)
    if not weekdays or not weekdays <= set(WEEKDAYS):
        raise ValueError("weekdays must be some of 0 (Monday) to 6 (Sunday)")
    if (finish_on is None) == (per_week is None):
        raise ValueError("give either finish_on or per_week")
    if per_week is not None and per_week < 1:
        raise ValueError("per_week must be at least 1")
    if not lectures:
        return []
    known = [length for _, length in lectures if length]
    typical = sum(known, timedelta()) / len(known) if known else DEFAULT_LENGTH
    lengths = [length or typical for _, length in lectures]
    start = first_day(now=now, zone=zone, at=at)
    if finish_on is not None:
        days = _study_days(start, finish_on, weekdays)
        if not days:
            raise NoStudyDays(f"no study day from {start} to {finish_on}")
        placed = _by_finish_date(lengths, days)
    else:
        placed = _by_week(len(lectures), start, weekdays, per_week)

    slots, previous = [], None
    for (key, _), length, day in zip(lectures, lengths, placed, strict=True):
        starts_at = previous.ends_at if previous and previous.day == day else _starts(day, at, zone)
        previous = Slot(key, day, starts_at, starts_at + length)
        slots.append(previous)
    return slots


@dataclass(frozen=True)
class Standing:
    """Where a learner stands against their plan on a given day."""

    behind: list = field(default_factory=list)  # unwatched lectures planned before today
    ahead: list = field(default_factory=list)  # watched lectures planned after today
    upcoming: list = field(default_factory=list)  # (key, day) of unwatched lectures from today on, by day
    unplanned: list = field(default_factory=list)  # unwatched lectures the plan has no day for
    finished: bool = False  # nothing left to watch

    @property
    def state(self):
        if self.finished:
            return "done"
        if self.behind:
            return "behind"
        return "ahead" if self.ahead else "on-track"

    @property
    def next(self):
        return self.upcoming[0] if self.upcoming else None


def standing(planned: dict, *, lectures, watched, today: date) -> Standing:
    """Compare the plan's days (key: day) with what was watched, for the lectures to watch (keys, course order)."""
    unwatched = [key for key in lectures if key not in watched]
    return Standing(
        behind=[key for key in unwatched if key in planned and planned[key] < today],
        ahead=[key for key in lectures if key in watched and key in planned and planned[key] > today],
        upcoming=sorted(
            ((key, planned[key]) for key in unwatched if key in planned and planned[key] >= today),
            key=lambda pair: pair[1],
        ),
        unplanned=[key for key in unwatched if key not in planned],
        finished=not unwatched,
    )
