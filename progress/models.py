from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lectures.models import Lecture, Part


class Source(models.TextChoices):
    MANUAL = "manual", _("Marked by the learner")
    AUTOMATIC = "automatic", _("Recorded automatically")
    STAFF = "staff", _("Changed by the course staff")


class Action(models.TextChoices):
    MARKED = "marked", _("Marked watched")
    UNMARKED = "unmarked", _("Marked not watched")


class LectureProgress(models.Model):
    """One learner has watched one lecture: the current state, one row at most."""

    Source = Source

    # Indexes are declared in Meta, each with the query it serves.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="lecture_progress",
        db_index=False,
    )
    lecture = models.ForeignKey(
        Lecture, verbose_name=_("lecture"), on_delete=models.CASCADE, related_name="progress", db_index=False
    )
    watched_at = models.DateTimeField(_("watched at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.MANUAL)

    class Meta:
        verbose_name = _("watched lecture")
        verbose_name_plural = _("watched lectures")
        constraints = [
            # Also the index of "this learner's watched lectures", the query of every signed-in page.
            models.UniqueConstraint(fields=["user", "lecture"], name="progress_watched_once_per_learner"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="progress_lectureprogress_source_valid"),
        ]
        indexes = [
            # How many learners watched each lecture in a period (the staff funnel, read from the index
            # alone); also the admin's filter and a lecture's deletion.
            models.Index(fields=["lecture", "watched_at", "user"], name="progress_watched_by_lecture"),
            # Each learner's watched lectures in time order: the staff analytics' pass over every
            # learner (read from the index alone), and a learner's last lecture in the staff export.
            models.Index(fields=["user", "watched_at", "lecture"], name="progress_watched_by_learner"),
        ]

    def __str__(self):
        return f"{self.user} watched {self.lecture}"


class ProgressEvent(models.Model):
    """Append-only log of every change to a learner's progress; history and analytics read it."""

    Action = Action
    Source = Source

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="progress_events",
        db_index=False,
    )
    lecture = models.ForeignKey(
        Lecture, verbose_name=_("lecture"), on_delete=models.CASCADE, related_name="progress_events", db_index=False
    )
    action = models.CharField(_("action"), max_length=10, choices=Action)
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.MANUAL)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text=_(
            "The member of staff who made the change for the learner. Empty for the learner's own changes, "
            "and once that member of staff is deleted."
        ),
    )

    class Meta:
        verbose_name = _("progress event")
        verbose_name_plural = _("progress events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=Action.values), name="progress_event_action_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="progress_event_source_valid"),
            # Only a change made by staff names who made it.
            models.CheckConstraint(
                condition=Q(by__isnull=True) | Q(source=Source.STAFF), name="progress_event_by_staff_only"
            ),
        ]
        indexes = [
            # A learner's timeline (/progress/, the staff's, the exports): one learner's events in time order.
            models.Index(fields=["user", "at"], name="progress_event_user_at"),
            # A lecture's history in the admin, and a lecture's deletion: events by lecture.
            models.Index(fields=["lecture", "at"], name="progress_event_lecture_at"),
            # Staff analytics: changes per week, by action, counted from the index alone.
            models.Index(fields=["action", "at", "source", "user"], name="progress_event_at"),
            # A staff member's deletion: the changes they made, which then name nobody.
            models.Index(fields=["by"], condition=Q(by__isnull=False), name="progress_event_by_staff"),
        ]

    def __str__(self):
        return f"{self.user} {self.action} {self.lecture} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Progress events are never changed once written.")
        super().save(*args, **kwargs)


# Opening the lecture opened last time is recorded again once this much time has passed,
# so the time of the last visit tells how recently a learner came (the staff analytics'
# active learners) without a write on every page.
VISIT_REFRESH = timedelta(hours=1)


class LastVisit(models.Model):
    """The published lecture a learner opened or marked most recently, and when.

    Continue starts from it, and the staff analytics count a learner as active by
    its time: opening a lecture records it (again after VISIT_REFRESH), and so does
    every change a learner makes to their progress (set_watched).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="last_visit",
    )
    lecture = models.ForeignKey(
        Lecture, verbose_name=_("lecture"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)

    class Meta:
        verbose_name = _("last visit")
        verbose_name_plural = _("last visits")
        indexes = [
            # A lecture's deletion: the visits that point at it.
            models.Index(fields=["lecture"], name="progress_lastvisit_by_lecture"),
        ]

    def __str__(self):
        return f"{self.user} last opened {self.lecture}"


# The ORM cannot say whether an insert that ignores a conflict inserted anything.
# This one statement, the same on SQLite and PostgreSQL, lets the unique
# constraint decide between concurrent marks without an error, and RETURNING
# says whether it inserted the row.
MARK_SQL = """
    INSERT INTO {table} (user_id, lecture_id, watched_at, source) VALUES (%s, %s, %s, %s)
    ON CONFLICT (user_id, lecture_id) DO NOTHING RETURNING id
"""


def set_watched(*, user, lecture: Lecture, watched: bool, source: str = Source.MANUAL, by=None) -> bool:
    """Make the lecture watched or not watched for the learner, and say whether that changed anything.

    Explicit target state, so repeats and double clicks are harmless. Concurrent
    calls never raise or duplicate: the unique constraint decides between two
    inserts, and a delete removes whatever is there. The event is written in the
    same transaction as the change, and only when something changed. A change
    made by staff (source staff) names the member of staff who made it (by).
    """
    if (source == Source.STAFF) != (by is not None):
        raise ValueError("A change made by staff names the member of staff, and only such a change does.")
    now = timezone.now()
    with transaction.atomic():
        if watched:
            with connection.cursor() as cursor:
                cursor.execute(
                    MARK_SQL.format(table=LectureProgress._meta.db_table),
                    [user.pk, lecture.pk, connection.ops.adapt_datetimefield_value(now), source],
                )
                changed = cursor.fetchone() is not None
        else:
            changed = LectureProgress.objects.filter(user=user, lecture=lecture).delete()[0] > 0
        if changed:
            ProgressEvent.objects.create(
                user=user,
                lecture=lecture,
                action=Action.MARKED if watched else Action.UNMARKED,
                source=source,
                at=now,
                by=by,
            )
            if source != Source.STAFF:
                # The learner was here: their last visit is now. A change made by staff is not theirs.
                record_visit(user=user, lecture=lecture)
    return changed


def record_visit(*, user, lecture: Lecture) -> None:
    """Remember the lecture as the learner's last visited one, in one upsert."""
    LastVisit.objects.bulk_create(
        [LastVisit(user=user, lecture=lecture, visited_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["lecture", "visited_at"],
    )


class Row(NamedTuple):
    """A line of the syllabus: a lecture and its state for the visitor."""

    lecture: Lecture
    state: str


@dataclass
class CourseProgress:
    """Where a learner stands in a course: the listed lectures (no drafts) and what they watched."""

    lectures: list
    watched: set = field(default_factory=set)  # ids of the watched lectures
    last_visited_id: int | None = None
    last_visited_at: datetime | None = None
    signed_in: bool = False

    def __post_init__(self):
        published = [lecture for lecture in self.lectures if lecture.is_published]
        main = [lecture for lecture in published if lecture.part.kind == Part.Kind.MAIN]
        bonus = [lecture for lecture in published if lecture.part.kind == Part.Kind.BONUS]
        self.main_published = len(main)
        self.main_watched = sum(1 for lecture in main if lecture.pk in self.watched)
        waiting = [
            lecture for lecture in self.lectures if lecture.part.kind == Part.Kind.MAIN and not lecture.is_published
        ]
        # Coming soon: due on a date ahead. Announced: the organisers named it, and it was never published.
        self.main_coming = sum(1 for lecture in waiting if lecture.due)
        self.main_announced = len(waiting) - self.main_coming
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

    @property
    def next_lecture(self):
        """What Continue opens: the last visited lecture if unfinished, else the first unwatched one."""
        for lecture in self.unwatched:
            if lecture.pk == self.last_visited_id:
                return lecture
        return self.unwatched[0] if self.unwatched else None

    def is_new_visit(self, lecture):
        """Whether opening this lecture is worth recording: another lecture than last time, or a while later."""
        return (
            self.signed_in
            and lecture.is_published
            and (
                lecture.pk != self.last_visited_id
                or self.last_visited_at is None
                or self.last_visited_at < timezone.now() - VISIT_REFRESH
            )
        )

    def state(self, lecture):
        """A lecture's state in this learner's syllabus."""
        if lecture.is_draft:
            return "draft"
        if not lecture.is_published:
            return "soon" if lecture.due else "announced"
        if lecture.pk in self.watched:
            return "watched"
        if not self.signed_in:
            return "open"
        return "in-progress" if lecture.pk == self.last_visited_id else "not-started"

    def rows(self, lectures, *, current=None):
        """The syllabus as the visitor sees it (staff see drafts too), each lecture with its state."""
        return [Row(lecture, "current" if lecture == current else self.state(lecture)) for lecture in lectures]


def course_progress(*, user, lectures) -> CourseProgress:
    """The learner's progress through the listed lectures: their watched lectures and their last visit."""
    lectures = [lecture for lecture in lectures if not lecture.is_draft]
    if not user.is_authenticated:
        return CourseProgress(lectures=lectures)
    last_visited_id, last_visited_at = LastVisit.objects.filter(user=user).values_list(
        "lecture_id", "visited_at"
    ).first() or (None, None)
    return CourseProgress(
        lectures=lectures,
        watched=set(LectureProgress.objects.filter(user=user).values_list("lecture_id", flat=True)),
        last_visited_id=last_visited_id,
        last_visited_at=last_visited_at,
        signed_in=True,
    )
