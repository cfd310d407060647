from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from lectures.models import Lecture, Part


class Source(models.TextChoices):
    MANUAL = "manual", "Marked by the learner"
    AUTOMATIC = "automatic", "Recorded automatically"


class Action(models.TextChoices):
    MARKED = "marked", "Marked watched"
    UNMARKED = "unmarked", "Marked not watched"


class LectureProgress(models.Model):
    """One learner has watched one lecture: the current state, one row at most."""

    Source = Source

    # Indexes are declared in Meta, each with the query it serves.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lecture_progress", db_index=False
    )
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="progress", db_index=False)
    watched_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, choices=Source, default=Source.MANUAL)

    class Meta:
        verbose_name_plural = "lecture progress"
        constraints = [
            # Also the index of "this learner's watched lectures", the query of every signed-in page.
            models.UniqueConstraint(fields=["user", "lecture"], name="progress_watched_once_per_learner"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="progress_lectureprogress_source_valid"),
        ]
        indexes = [
            # How many learners watched a lecture (the admin's filter, a lecture's deletion).
            models.Index(fields=["lecture"], name="progress_watched_by_lecture"),
        ]

    def __str__(self):
        return f"{self.user} watched {self.lecture}"


class ProgressEvent(models.Model):
    """Append-only log of every change to a learner's progress; history and analytics read it."""

    Action = Action
    Source = Source

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress_events", db_index=False
    )
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="progress_events", db_index=False)
    action = models.CharField(max_length=10, choices=Action)
    source = models.CharField(max_length=10, choices=Source, default=Source.MANUAL)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=Action.values), name="progress_event_action_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="progress_event_source_valid"),
        ]
        indexes = [
            # The learner's timeline (/progress/ and the exports): one learner's events in time order.
            models.Index(fields=["user", "at"], name="progress_event_user_at"),
            # A lecture's history in the admin, and a lecture's deletion: events by lecture.
            models.Index(fields=["lecture", "at"], name="progress_event_lecture_at"),
        ]

    def __str__(self):
        return f"{self.user} {self.action} {self.lecture} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Progress events are never changed once written.")
        super().save(*args, **kwargs)


class LastVisit(models.Model):
    """The published lecture a learner opened most recently; Continue starts from it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="last_visit"
    )
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="+", db_index=False)
    visited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # A lecture's deletion: the visits that point at it.
            models.Index(fields=["lecture"], name="progress_lastvisit_by_lecture"),
        ]

    def __str__(self):
        return f"{self.user} last opened {self.lecture}"


# The state change. ON CONFLICT DO NOTHING lets the unique constraint decide
# between concurrent marks without an error (or a savepoint), and RETURNING
# says whether this call changed anything; the event follows only then.
MARK_SQL = """
    INSERT INTO {progress} (user_id, lecture_id, watched_at, source) VALUES (%(user)s, %(lecture)s, %(at)s, %(source)s)
    ON CONFLICT (user_id, lecture_id) DO NOTHING RETURNING id
"""
UNMARK_SQL = "DELETE FROM {progress} WHERE user_id = %(user)s AND lecture_id = %(lecture)s RETURNING id"
EVENT_SQL = """
    INSERT INTO {event} (user_id, lecture_id, action, source, at)
    VALUES (%(user)s, %(lecture)s, %(action)s, %(source)s, %(at)s)
"""
# On PostgreSQL both writes go in one statement, atomic by itself: a single
# round trip instead of BEGIN, two statements and COMMIT.
CHANGE_AND_LOG_SQL = """
    WITH changed AS ({change}), logged AS (
        INSERT INTO {event} (user_id, lecture_id, action, source, at)
        SELECT %(user)s, %(lecture)s, %(action)s, %(source)s, %(at)s FROM changed
        RETURNING id
    )
    SELECT NULL, TRUE FROM logged
"""
# The same statement can bring back the learner's watched lectures, saving the
# page's next round trip. Its SELECT sees the table as it was before the
# change (PostgreSQL runs a statement on one snapshot), so the changed lecture
# is added or taken away in Python.
WATCHED_SQL = "SELECT lecture_id, FALSE FROM {progress} WHERE user_id = %(user)s"


@dataclass(frozen=True)
class WatchedChange:
    changed: bool  # False when the lecture was already in the asked-for state
    watched: frozenset | None = None  # the learner's watched lecture ids afterwards, when asked for


def set_watched(
    *, user, lecture: Lecture, watched: bool, source: str = Source.MANUAL, read_watched: bool = False
) -> WatchedChange:
    """Make the lecture watched or not watched for the learner, and say whether that changed anything.

    Explicit target state, so repeats and double clicks are harmless. Concurrent
    calls never raise or duplicate: the unique constraint decides between two
    inserts, and a delete removes whatever is there. The event is written
    atomically with the change, and only when something changed. With
    `read_watched`, the learner's watched lectures come back too. Plain SQL:
    this is the portal's hot write path, and the ORM's machinery was half its cost.
    """
    tables = {"progress": LectureProgress._meta.db_table, "event": ProgressEvent._meta.db_table}
    change = (MARK_SQL if watched else UNMARK_SQL).format(**tables)
    params = {
        "user": user.pk,
        "lecture": lecture.pk,
        "action": Action.MARKED if watched else Action.UNMARKED,
        "source": source,
        "at": connection.ops.adapt_datetimefield_value(timezone.now()),  # as the ORM would store it
    }
    if connection.vendor == "postgresql":
        sql = CHANGE_AND_LOG_SQL.format(change=change, **tables)
        if read_watched:
            sql += " UNION ALL " + WATCHED_SQL.format(**tables)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        changed = any(is_change for _, is_change in rows)
        before = {lecture_id for lecture_id, is_change in rows if not is_change}
        after = before | {lecture.pk} if watched else before - {lecture.pk}
        return WatchedChange(changed, frozenset(after) if read_watched else None)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(change, params)
        changed = cursor.fetchone() is not None
        if changed:
            cursor.execute(EVENT_SQL.format(**tables), params)
        if read_watched:
            cursor.execute(WATCHED_SQL.format(**tables), params)
            return WatchedChange(changed, frozenset(lecture_id for lecture_id, _ in cursor.fetchall()))
    return WatchedChange(changed)


def record_visit(*, user, lecture: Lecture) -> None:
    """Remember the lecture as the learner's last visited one, in one upsert."""
    LastVisit.objects.bulk_create(
        [LastVisit(user=user, lecture=lecture, visited_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["lecture", "visited_at"],
    )


@dataclass
class CourseProgress:
    """Where a learner stands in a course, computed once from the syllabus and their watched lectures."""

    lectures: list
    watched: set = field(default_factory=set)  # ids of the watched lectures
    last_visited_id: int | None = None
    signed_in: bool = False

    def __post_init__(self):
        published = [lecture for lecture in self.lectures if lecture.is_published]
        main = [lecture for lecture in published if lecture.part.kind == Part.Kind.MAIN]
        bonus = [lecture for lecture in published if lecture.part.kind == Part.Kind.BONUS]
        self.main_published = len(main)
        self.main_watched = sum(1 for lecture in main if lecture.pk in self.watched)
        self.main_announced = sum(
            1 for lecture in self.lectures if lecture.part.kind == Part.Kind.MAIN and not lecture.is_published
        )
        self.bonus_published = len(bonus)
        self.bonus_watched = sum(1 for lecture in bonus if lecture.pk in self.watched)
        self.unwatched = [lecture for lecture in published if lecture.pk not in self.watched]
        self.first_lecture = published[0] if published else None
        self.percent = round(100 * self.main_watched / self.main_published) if self.main_published else 0
        # Video time of the unwatched published lectures whose length is known, and how many have none.
        self.time_left = sum((lecture.duration for lecture in self.unwatched if lecture.duration), timedelta())
        self.unknown_lengths = sum(1 for lecture in self.unwatched if lecture.duration is None)
        self.started = bool(self.watched)
        self.is_complete = self.started and not self.unwatched

    # What the progress bar shows and what the summary under it says, each as one
    # value for the {% memo %} blocks that render them.
    @cached_property
    def counts(self):
        return (self.main_watched, self.main_published, self.main_announced, self.bonus_watched, self.bonus_published)

    @cached_property
    def summary_key(self):
        next_lecture = self.next_lecture
        return (
            self.counts,
            self.time_left,
            self.unknown_lengths,
            self.is_complete,
            next_lecture and next_lecture.pk,
            self.started,
        )

    @property
    def next_lecture(self):
        """What Continue opens: the last visited lecture if unfinished, else the first unwatched one."""
        for lecture in self.unwatched:
            if lecture.pk == self.last_visited_id:
                return lecture
        return self.unwatched[0] if self.unwatched else None

    def state(self, lecture):
        """A lecture's state in this learner's syllabus."""
        if lecture.is_draft:
            return "draft"
        if not lecture.is_published:
            return "soon"
        if lecture.pk in self.watched:
            return "watched"
        if not self.signed_in:
            return "open"
        return "in-progress" if lecture.pk == self.last_visited_id else "not-started"


# The learner's watched lectures and last visit in one round trip. Plain SQL:
# building this union with the ORM took a third of a signed-in page's CPU time.
PROGRESS_SQL = """
    SELECT lecture_id, FALSE FROM {progress} WHERE user_id = %s
    UNION ALL
    SELECT lecture_id, TRUE FROM {visit} WHERE user_id = %s AND %s
"""


def course_progress(*, user, lectures, with_last_visit=False) -> CourseProgress:
    """The learner's progress through the syllabus, in one query (the last visit comes along when asked for)."""
    if not user.is_authenticated:
        return CourseProgress(lectures=lectures)
    sql = PROGRESS_SQL.format(progress=LectureProgress._meta.db_table, visit=LastVisit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, with_last_visit])
        rows = cursor.fetchall()
    return CourseProgress(
        lectures=lectures,
        watched={lecture_id for lecture_id, is_visit in rows if not is_visit},
        last_visited_id=next((lecture_id for lecture_id, is_visit in rows if is_visit), None),
        signed_in=True,
    )
