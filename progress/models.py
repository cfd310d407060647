import secrets
import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lectures.models import Lecture, Part, ReadingItem, TextLinesField

from .notes import MAX_SECONDS, NOTE_MAX_LENGTH, NOTES_PER_LEARNER, format_time, render_markdown
from .plans import lay_out


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


# --- Study tools: notes, the reading list item by item, the pace plan -------


class Note(models.Model):
    """A learner's private note on a lecture, in Markdown, maybe at a time in its video."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notes", db_index=False
    )
    lecture = models.ForeignKey(
        Lecture, verbose_name=_("lecture"), on_delete=models.CASCADE, related_name="notes", db_index=False
    )
    body = TextLinesField(_("text"), help_text=_("Markdown, as the learner wrote it."))
    html = models.TextField(
        _("text as HTML"),
        editable=False,
        help_text=_("The text rendered and sanitised when it was saved (progress.notes.render_markdown)."),
    )
    seconds = models.PositiveIntegerField(
        _("time in the video"), null=True, blank=True, help_text=_("Seconds from the start of the lecture's video.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        # A learner's note, not a reading item's note (Russian has two words).
        verbose_name = pgettext_lazy("learner's note", "note")
        verbose_name_plural = pgettext_lazy("learner's note", "notes")
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), NOTE_MAX_LENGTH) & ~Q(body=""), name="progress_note_length"
            ),
            models.CheckConstraint(
                condition=Q(seconds__isnull=True) | Q(seconds__gte=0, seconds__lte=MAX_SECONDS),
                name="progress_note_seconds_in_range",
            ),
        ]
        indexes = [
            # A learner's notes on the lecture page, their count for the limit, and the export: by learner, lecture.
            models.Index(fields=["user", "lecture"], name="progress_note_user_lecture"),
            # A lecture's deletion: the notes on it.
            models.Index(fields=["lecture"], name="progress_note_by_lecture"),
        ]

    def __str__(self):
        # Never the text: staff see that a note exists (deleting an account lists it), not what it says.
        return f"Note {self.pk} on {self.lecture}"

    @property
    def time(self):
        return "" if self.seconds is None else format_time(self.seconds)


class TooManyNotes(Exception):
    """The learner has as many notes as the portal keeps."""


# Timed notes in video order, then the others in the order they were written.
NOTE_ORDER = [F("seconds").asc(nulls_last=True), "created_at", "pk"]


def add_note(*, user, lecture: Lecture, body: str, seconds: int | None) -> Note:
    """Write a new note, unless the learner has NOTES_PER_LEARNER already (TooManyNotes).

    The learner's row is locked first (PostgreSQL; SQLite's IMMEDIATE transactions
    serialise writers anyway), so two notes added at once cannot both pass the count.
    """
    now = timezone.now()
    with transaction.atomic():
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        if Note.objects.filter(user=user).count() >= NOTES_PER_LEARNER:
            raise TooManyNotes
        return Note.objects.create(
            user=user,
            lecture=lecture,
            body=body,
            html=render_markdown(body),
            seconds=seconds,
            created_at=now,
            updated_at=now,
        )


def change_note(*, user, lecture: Lecture, pk: int, body: str, seconds: int | None) -> bool:
    """Rewrite one of the learner's notes in one statement; False when they have no such note (any more)."""
    return (
        Note.objects.filter(user=user, lecture=lecture, pk=pk).update(
            body=body, html=render_markdown(body), seconds=seconds, updated_at=timezone.now()
        )
        > 0
    )


def delete_note(*, user, lecture: Lecture, pk: int) -> bool:
    """Delete one of the learner's notes; False when there was none, which leaves the same outcome."""
    return Note.objects.filter(user=user, lecture=lecture, pk=pk).delete()[0] > 0


class ReadingProgress(models.Model):
    """One learner has read one item of a lecture's reading list: one row at most."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reading_progress",
        db_index=False,
    )
    item = models.ForeignKey(
        ReadingItem, verbose_name=_("reading item"), on_delete=models.CASCADE, related_name="reads", db_index=False
    )
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("read item")
        verbose_name_plural = _("read items")
        constraints = [
            # Also the index of "this learner's read items" on the lecture page and /progress/.
            models.UniqueConstraint(fields=["user", "item"], name="progress_read_once_per_learner"),
        ]
        indexes = [
            # A reading item's deletion: the reads of it.
            models.Index(fields=["item"], name="progress_read_by_item"),
        ]

    def __str__(self):
        return f"{self.user} read {self.item}"


READ_SQL = """
    INSERT INTO {table} (user_id, item_id, read_at) VALUES (%s, %s, %s)
    ON CONFLICT (user_id, item_id) DO NOTHING RETURNING id
"""


def set_read(*, user, item: ReadingItem, read: bool) -> bool:
    """Make the reading item read or not read for the learner, and say whether that changed anything.

    The same shape as set_watched: explicit target state, the unique constraint
    decides between concurrent marks, a delete removes whatever is there.
    """
    if not read:
        return ReadingProgress.objects.filter(user=user, item=item).delete()[0] > 0
    with connection.cursor() as cursor:
        cursor.execute(
            READ_SQL.format(table=ReadingProgress._meta.db_table),
            [user.pk, item.pk, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        return cursor.fetchone() is not None


class PaceMode(models.TextChoices):
    FINISH_BY = "finish_by", _("Finish by a date")
    WEEKLY = "weekly", _("A number of lectures a week")


# Monday is bit 0 ... Sunday bit 6, as date.weekday() counts the days.
ALL_WEEKDAYS = 0b1111111


class PacePlan(models.Model):
    """A learner's pace through the course: how it was chosen, and its private calendar feed."""

    Mode = PaceMode

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="pace_plan",
    )
    mode = models.CharField(_("pace"), max_length=10, choices=PaceMode)
    finish_on = models.DateField(_("finish by"), null=True, blank=True)
    per_week = models.PositiveSmallIntegerField(_("lectures a week"), null=True, blank=True)
    weekdays = models.PositiveSmallIntegerField(
        _("study days"),
        help_text=_("Days of the week to study on, as bits: Monday 1, Tuesday 2, Wednesday 4 ... Sunday 64."),
    )
    study_time = models.TimeField(_("study time"), help_text=_("When a study day's first lecture starts."))
    time_zone = models.CharField(
        _("time zone"), max_length=64, help_text=_("The learner's time zone when the plan was last laid out.")
    )
    laid_out_at = models.DateTimeField(_("laid out at"), null=True, blank=True)
    revision = models.PositiveIntegerField(
        _("revision"),
        default=0,
        help_text=_("How many times the plan was laid out again: calendar events moved then carry it."),
    )
    feed_uid = models.UUIDField(
        _("calendar id"), default=uuid.uuid4, editable=False, help_text=_("Part of each calendar event's UID.")
    )
    feed_token = models.CharField(
        _("calendar link token"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("The secret in the private calendar link; empty while the link is off."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("pace plan")
        verbose_name_plural = _("pace plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(mode=PaceMode.FINISH_BY, finish_on__isnull=False, per_week__isnull=True)
                | Q(mode=PaceMode.WEEKLY, finish_on__isnull=True, per_week__gte=1, per_week__lte=14),
                name="progress_paceplan_one_pace",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=ALL_WEEKDAYS), name="progress_paceplan_weekdays_valid"
            ),
            models.CheckConstraint(condition=~Q(feed_token=""), name="progress_paceplan_feed_token_not_empty"),
        ]

    def __str__(self):
        return f"Pace plan of {self.user}"

    @property
    def weekday_set(self):
        return frozenset(day for day in range(7) if self.weekdays & (1 << day))

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self):
        """Today in the plan's time zone: the day the plan's standing is measured on."""
        return timezone.now().astimezone(self.zone).date()


class PlannedLecture(models.Model):
    """A lecture's place in a learner's pace plan: one calendar event."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="planned_lectures",
        db_index=False,
    )
    lecture = models.ForeignKey(
        Lecture, verbose_name=_("lecture"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField(_("day"), help_text=_("The day in the plan's time zone."))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    sequence = models.PositiveIntegerField(
        _("sequence"),
        default=0,
        help_text=_("The plan's revision when this lecture last moved (the event's SEQUENCE)."),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("planned lecture")
        verbose_name_plural = _("planned lectures")
        constraints = [
            # Also the index of "this learner's plan" on the home, /progress/ and the feed.
            models.UniqueConstraint(fields=["user", "lecture"], name="progress_planned_once_per_learner"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="progress_planned_ends_after_start"),
        ]
        indexes = [
            # A lecture's deletion: the plans it is in.
            models.Index(fields=["lecture"], name="progress_planned_by_lecture"),
        ]

    def __str__(self):
        return f"{self.lecture} planned for {self.user} on {self.day}"


@dataclass(frozen=True)
class PlanChoice:
    """What the learner chose on the plan form."""

    mode: str
    weekdays: frozenset
    study_time: time
    finish_on: date | None = None
    per_week: int | None = None


def lay_out_plan(*, user, lectures, watched, zone_name: str, choice: PlanChoice | None = None) -> PacePlan | None:
    """Lay the learner's unwatched lectures out from today, with a new choice or the plan's own; one transaction.

    Without a choice, None when the learner has no plan (deleted meanwhile, from another tab).

    `lectures`: the published lectures in course order. An event that moves (another day,
    time or zone) takes the plan's new revision as its SEQUENCE; one that stays keeps its
    own, so calendar apps update only what changed. Lectures no longer to watch leave the plan.
    Raises plans.NoStudyDays when no chosen weekday is left before the finish date.
    """
    now = timezone.now()
    with transaction.atomic():
        if choice is not None:
            values = {
                "mode": choice.mode,
                "finish_on": choice.finish_on,
                "per_week": choice.per_week,
                "weekdays": sum(1 << day for day in choice.weekdays),
                "study_time": choice.study_time,
                "time_zone": zone_name,
            }
            PacePlan.objects.bulk_create(
                [PacePlan(user=user, **values)],
                update_conflicts=True,
                unique_fields=["user"],
                update_fields=list(values),
            )
        # Concurrent changes of one plan (two tabs) queue here and apply one after the other:
        # each locks the plan before its days.
        plan = PacePlan.objects.select_for_update().filter(user=user).first()
        if plan is None:
            return None
        plan.time_zone = zone_name
        slots = lay_out(
            [(lecture.pk, lecture.duration) for lecture in lectures if lecture.pk not in watched],
            now=now,
            zone=plan.zone,
            weekdays=plan.weekday_set,
            at=plan.study_time,
            finish_on=plan.finish_on,
            per_week=plan.per_week,
        )
        plan.revision = 0 if plan.laid_out_at is None else plan.revision + 1
        plan.laid_out_at = now
        plan.save(update_fields=["time_zone", "revision", "laid_out_at"])

        existing = {row.lecture_id: row for row in PlannedLecture.objects.filter(user=user)}
        placed = {slot.key: slot for slot in slots}
        PlannedLecture.objects.filter(user=user).exclude(lecture_id__in=list(placed)).delete()
        new, moved = [], []
        for key, slot in placed.items():
            row = existing.get(key)
            if row is None:
                row = PlannedLecture(user=user, lecture_id=key, sequence=plan.revision, changed_at=now)
                new.append(row)
            elif (row.starts_at, row.ends_at) != (slot.starts_at, slot.ends_at):
                row.sequence, row.changed_at = plan.revision, now
                moved.append(row)
            row.day, row.starts_at, row.ends_at = slot.day, slot.starts_at, slot.ends_at
        PlannedLecture.objects.bulk_create(new)
        PlannedLecture.objects.bulk_update(moved, ["day", "starts_at", "ends_at", "sequence", "changed_at"])
    return plan


def delete_plan(*, user) -> None:
    """Drop the learner's plan, its days and its calendar link."""
    with transaction.atomic():
        # The plan first, as a lay-out locks it before its days: two tabs never wait on each other.
        PacePlan.objects.filter(user=user).delete()
        PlannedLecture.objects.filter(user=user).delete()


class Feed(models.TextChoices):
    ON = "on", _("Turn the calendar link on")
    OFF = "off", _("Turn the calendar link off")
    NEW = "new", _("Make a new calendar link")


def set_feed(*, user, feed: str) -> bool:
    """Turn the plan's calendar link on (keeping a live one), off, or replace it; False when there is no plan.

    One UPDATE each: a new token replaces the old in the same statement, so the old link stops at once.
    """
    plans = PacePlan.objects.filter(user=user)
    if feed == Feed.OFF:
        return plans.update(feed_token=None) > 0
    if feed == Feed.ON:
        # A link already on stays as it is: repeating "on" changes nothing.
        plans.filter(feed_token__isnull=True).update(feed_token=secrets.token_urlsafe(32))
        return plans.exists()
    return plans.update(feed_token=secrets.token_urlsafe(32)) > 0
