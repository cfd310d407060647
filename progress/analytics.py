"""How learners move through the course, for staff: a few aggregate queries, whatever the number of learners.

At 100,000 learners counting takes about a second, so the page shows the figures as
last counted: count_figures keeps them in the cache, as plain numbers and lecture ids,
and counted_figures reads them back with the lectures as they are now, or counts again
when they are older than FIGURES_MAX_AGE.

Learners are the accounts that are not staff. The period (the last 7, 30 or 90
days, or all time) selects what happened in it: the lectures marked watched in it
(and still watched), the changes made in it, the courses completed in it, and the
learners who watched a main lecture in it, whose furthest lecture, pace and last
watch the funnel, "where learners stall" and the pace follow.
"""

import itertools
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lectures.models import Lecture, Part

from .models import Action, LastVisit, LectureProgress, ProgressEvent, Source

PERIODS = {"7": _("7 days"), "30": _("30 days"), "90": _("90 days"), "all": _("All time")}
DEFAULT_PERIOD = "30"
# Everything ever recorded happened after this.
BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)
# How long ago a learner last watched a lecture, in the buckets "where learners stall" shows.
RECENT, LAPSED = timedelta(days=7), timedelta(days=30)
ONE_WEEK = timedelta(weeks=1)
# How long counted figures are shown before a page counts them again.
FIGURES_MAX_AGE = timedelta(minutes=10)


@dataclass
class Step:
    """A lecture in the funnel and in "where learners stall"."""

    lecture: object  # the Lecture; its id in the cache
    watched: int = 0  # learners who marked it watched in the period, and still have it watched
    # Of the learners who watched a main lecture in the period, those whose furthest main lecture
    # (ever) is this one or a later one.
    reached: int = 0
    drop: int | None = None  # reached at the step before, less reached here
    # Of those learners, the ones whose furthest main lecture is this one, by how long ago they
    # last watched a main lecture: within a week, one to four weeks ago, longer ago.
    stopped: list = field(default_factory=lambda: [0, 0, 0])

    @property
    def stopped_here(self):
        return sum(self.stopped)


@dataclass
class Week:
    start: date
    marked: int = 0
    unmarked: int = 0
    completed: int = 0


@dataclass
class Figures:
    period: str
    since: datetime | None  # None: all time
    counted_at: datetime
    learners: int = 0
    verified: int = 0
    joined: int = 0  # in the period
    active_week: int = 0
    active_month: int = 0
    steps: list = field(default_factory=list)  # the published main lectures, in course order
    bonus: list = field(default_factory=list)  # the published bonus lectures, watched only
    weeks: list = field(default_factory=list)
    pace_days: float | None = None  # the median over learners of the days per lecture
    pace_learners: int = 0  # of the learners in the funnel, those who watched two or more main lectures

    @property
    def started(self):
        """Learners who watched a main lecture in the period: the top of the funnel."""
        return self.steps[0].reached if self.steps else 0

    @property
    def completed(self):
        return sum(week.completed for week in self.weeks)


def counted_figures(*, course, period: str) -> Figures:
    """The figures of the period as last counted, or counted now if that was more than FIGURES_MAX_AGE ago."""
    figures = _from_cache(cache.get(_cache_key(course, period)))
    if figures is None or figures.counted_at < timezone.now() - FIGURES_MAX_AGE:
        return count_figures(course=course, period=period)
    return figures


def count_figures(*, course, period: str) -> Figures:
    """Count the figures of the period now, and keep them for the pages that show them as counted."""
    figures = course_figures(course=course, period=period)
    kept = replace(
        figures,
        steps=[replace(step, lecture=step.lecture.pk) for step in figures.steps],
        bonus=[replace(step, lecture=step.lecture.pk) for step in figures.bonus],
    )
    cache.set(_cache_key(course, period), asdict(kept), timeout=FIGURES_MAX_AGE.total_seconds())
    return figures


def _cache_key(course, period):
    return f"analytics:{course.pk}:{period}"


def _from_cache(kept):
    """The figures kept in the cache, with their lectures; None if there are none, if they were kept
    by code whose figures had other fields, or if one of their lectures is gone."""
    if kept is None:
        return None
    try:
        figures = Figures(
            **kept
            | {
                "steps": [Step(**step) for step in kept["steps"]],
                "bonus": [Step(**step) for step in kept["bonus"]],
                "weeks": [Week(**week) for week in kept["weeks"]],
            }
        )
    except (KeyError, TypeError):
        return None
    steps = figures.steps + figures.bonus
    lectures = _lectures(Lecture.objects).in_bulk([step.lecture for step in steps])
    if len(lectures) < len(steps):
        return None
    for step in steps:
        step.lecture = lectures[step.lecture]
    return figures


def _lectures(queryset):
    """The lectures as the figures show them, with their parts."""
    return queryset.select_related("part").only("number", "slug", "title", "part")


def course_figures(*, course, period: str) -> Figures:
    """Everything the analytics page shows, counted now, in a fixed number of queries."""
    now = timezone.now()
    days = None if period == "all" else int(period)
    since = now - timedelta(days=days) if days else None
    figures = Figures(period=period, since=since, counted_at=now)
    # Analytics count learners only: the changes and visits of the few staff accounts are left out.
    staff = list(get_user_model().objects.filter(is_staff=True).values_list("pk", flat=True))
    lectures = list(_lectures(course.lectures.published()).in_course_order())
    main = [lecture for lecture in lectures if lecture.part.kind == Part.Kind.MAIN]
    figures.steps = [Step(lecture) for lecture in main]
    figures.bonus = [Step(lecture) for lecture in lectures if lecture.part.kind == Part.Kind.BONUS]

    _count_learners(figures, now, staff)
    _count_watched(figures, [lecture.pk for lecture in lectures], staff)
    completed = {}
    if main:
        completed = _follow_learners(figures, main, now, staff)
    _count_weeks(figures, now, completed, staff)
    return figures


def _count_learners(figures, now, staff):
    learners = get_user_model().objects.filter(is_staff=False)
    since = figures.since or BEGINNING
    counts = learners.aggregate(total=Count("pk"), joined=Count("pk", filter=Q(date_joined__gte=since)))
    figures.learners, figures.joined = counts["total"], counts["joined"]
    figures.verified = (
        EmailAddress.objects.filter(verified=True).exclude(user__in=staff).values("user").distinct().count()
    )
    # The last visit is also the time of a learner's last change (set_watched records it).
    active = LastVisit.objects.exclude(user__in=staff).aggregate(
        week=Count("pk", filter=Q(visited_at__gte=now - RECENT)),
        month=Count("pk", filter=Q(visited_at__gte=now - LAPSED)),
    )
    figures.active_week, figures.active_month = active["week"], active["month"]


def _count_watched(figures, lecture_ids, staff):
    watched = LectureProgress.objects.filter(lecture__in=lecture_ids).exclude(user__in=staff)
    if figures.since:
        watched = watched.filter(watched_at__gte=figures.since)
    # COUNT(*): what the index holds is enough, PostgreSQL need not read the table.
    counts = dict(watched.values("lecture").annotate(learners=Count("*")).values_list("lecture", "learners"))
    for step in figures.steps + figures.bonus:
        step.watched = counts.get(step.lecture.pk, 0)


# The ORM groups rows, but cannot group again by what it computed for each group: here,
# each learner's furthest main lecture, how long ago they last watched one, the day they
# completed the course and their pace. This statement reads the learners' progress once,
# from one index, and counts the learners by those four values together; Python adds up
# each one's counts. The date of a time and the days between two times are written
# differently for SQLite and PostgreSQL, and so is the filter on lectures (see LECTURE_ID).
# Table names come from the models; every value is a parameter.
LEARNERS_SQL = """
SELECT furthest, idle, finished_on, pace, COUNT(*) FROM (
    SELECT MAX(CASE lecture_id {ranks} END) AS furthest,
           CASE WHEN MAX(watched_at) >= %(recent)s THEN 0 WHEN MAX(watched_at) >= %(lapsed)s THEN 1 ELSE 2 END AS idle,
           CASE WHEN COUNT(*) = %(main)s THEN {last_day} END AS finished_on,
           CASE WHEN COUNT(*) > 1 THEN FLOOR(({days}) * 10 / (COUNT(*) - 1) + 0.5) END AS pace
    FROM {progress}
    WHERE {lecture_id} IN ({lectures})
    GROUP BY user_id
    HAVING MAX(watched_at) >= %(since)s AND user_id NOT IN ({staff})
) AS learners
GROUP BY furthest, idle, finished_on, pace
"""
# The date of the last watch, in UTC (Django's connections to PostgreSQL are in UTC).
LAST_DAY = {"sqlite": "date(MAX(watched_at))", "postgresql": "CAST(MAX(watched_at) AS date)"}
# SQLite without statistics (Django runs no ANALYZE) would read the lectures' index for the
# filter on lectures, then sort every row to group it by learner; the unary plus keeps it to
# the learners' index, which gives them grouped. PostgreSQL estimates the rows of a plain
# column well and of an expression badly, and needs no such help.
LECTURE_ID = {"sqlite": "+lecture_id", "postgresql": "lecture_id"}
# The days from the first watch to the last one, as a double: PostgreSQL's EXTRACT gives a
# numeric, whose arithmetic for every learner took a third of the pass; date_part gives a double.
# The pace is rounded half up, FLOOR(x + 0.5), alike on both (ROUND of a double on PostgreSQL
# rounds half to even).
DAYS = {
    "sqlite": "julianday(MAX(watched_at)) - julianday(MIN(watched_at))",
    "postgresql": "date_part('epoch', MAX(watched_at) - MIN(watched_at)) / 86400",
}


def _follow_learners(figures, main, now, staff):
    """Count the learners who watched a main lecture in the period by how far they got, when they last
    watched one, whether they completed the course and their pace; return the completions per day."""
    params = {f"lecture_{rank}": lecture.pk for rank, lecture in enumerate(main, start=1)}
    # NOT IN with an empty list is not SQL; no account has id 0.
    params |= {f"staff_{index}": pk for index, pk in enumerate(staff or [0])}
    ops = connection.ops
    params |= {
        "since": ops.adapt_datetimefield_value(figures.since or BEGINNING),
        "recent": ops.adapt_datetimefield_value(now - RECENT),
        "lapsed": ops.adapt_datetimefield_value(now - LAPSED),
        "main": len(main),
    }
    sql = LEARNERS_SQL.format(
        ranks=" ".join(f"WHEN %(lecture_{rank})s THEN {rank}" for rank in range(1, len(main) + 1)),
        lectures=", ".join(f"%(lecture_{rank})s" for rank in range(1, len(main) + 1)),
        staff=", ".join(f"%(staff_{index})s" for index in range(len(staff or [0]))),
        progress=ops.quote_name(LectureProgress._meta.db_table),
        lecture_id=LECTURE_ID[connection.vendor],
        last_day=LAST_DAY[connection.vendor],
        days=DAYS[connection.vendor],
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    completed, paces = Counter(), Counter()
    for furthest, idle, finished_on, pace, learners in rows:
        figures.steps[furthest - 1].stopped[idle] += learners
        if finished_on is not None:
            completed[date.fromisoformat(str(finished_on))] += learners
        if pace is not None:
            paces[int(pace)] += learners
    reached = 0
    for step in reversed(figures.steps):
        reached += step.stopped_here
        step.reached = reached
    for before, step in itertools.pairwise(figures.steps):
        step.drop = before.reached - step.reached
    figures.pace_learners = sum(paces.values())
    figures.pace_days = _median(paces) / 10 if paces else None
    return completed


def _median(counts):
    """The median of values given as {value: how many times}."""
    total = sum(counts.values())
    middle = [(total - 1) // 2, total // 2]  # the two middle places, the same one when the total is odd
    found, seen = [], 0
    for value in sorted(counts):
        seen += counts[value]
        while middle and middle[0] < seen:
            found.append(value)
            middle.pop(0)
    return sum(found) / 2


def _count(queryset):
    """How many rows the queryset has, as a value one query can select beside others.

    COUNT of the action, which every row has: the index holds it, so PostgreSQL need
    not read the table.
    """
    return Subquery(queryset.order_by().values(count=Func(F("action"), function="COUNT", output_field=IntegerField())))


def _count_weeks(figures, now, completed, staff):
    """Changes and completions per calendar week (from Monday, UTC), from the week the period starts in."""
    start = figures.since
    if start is None:
        # All time starts with the first lecture ever marked watched (one end of the index).
        start = ProgressEvent.objects.filter(action=Action.MARKED).order_by("at").values_list("at", flat=True).first()
        if start is None:
            return
    first = start.astimezone(UTC).date()
    first -= timedelta(days=first.weekday())
    starts = [first + timedelta(weeks=index) for index in range((now.astimezone(UTC).date() - first).days // 7 + 1)]
    edges = [datetime.combine(day, datetime.min.time(), UTC) for day in [*starts, starts[-1] + ONE_WEEK]]

    # One query, a subquery per week and action: each counts a range of one index.
    changes = ProgressEvent.objects.exclude(source=Source.STAFF).exclude(user__in=staff)
    counts = {
        f"{action}_{index}": _count(changes.filter(action=action, at__gte=begin, at__lt=end))
        for index, (begin, end) in enumerate(itertools.pairwise(edges))
        for action in Action.values
    }
    # Any one row to select the counts with; none at all when nothing was ever recorded.
    row = next(iter(ProgressEvent.objects.order_by().values(**counts)[:1]), dict.fromkeys(counts, 0))
    for index, day in enumerate(starts):
        week = Week(day, marked=row[f"marked_{index}"], unmarked=row[f"unmarked_{index}"])
        week.completed = sum(count for finished, count in completed.items() if day <= finished < day + ONE_WEEK)
        figures.weeks.append(week)
