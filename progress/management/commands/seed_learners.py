"""Synthetic learners with realistic progress, for load tests and benchmarks.

Each learner starts the course on a day within the last four months and works
through it in order, a few days per lecture, until they stop: each lecture is
watched by fewer learners than the one before (a drop-off funnel). Some marks
were undone and redone along the way; the event log holds every step.

Some learners use the study tools too: notes at times in the lectures they
watched, read items of those lectures' reading lists, and a pace plan (some
with a calendar link), laid out when they joined, so many are behind it.

Seeded learners have addresses at SEED_DOMAIN, which no real person can own,
and nothing else in the database is touched.
"""

import random
import secrets
import time
import uuid
from datetime import time as clock
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from lectures.models import Course, Part, ReadingItem
from progress.models import (
    Action,
    LastVisit,
    LectureProgress,
    Note,
    PaceMode,
    PacePlan,
    PlannedLecture,
    ProgressEvent,
    ReadingProgress,
    Source,
)
from progress.notes import render_markdown
from progress.plans import lay_out

SEED_DOMAIN = "learners.invalid"  # RFC 2606: never a real mailbox.

# Share of learners who reach the first main lecture, and who go on from each one to the next.
FIRST_LECTURE = 0.95
GO_ON = 0.935
SKIP = 0.04  # chance to skip one lecture and carry on
BONUS = [0.25, 0.2]  # share of all learners who watch each bonus lecture
REDONE = 0.08  # share of marks that were undone once, then made again
NOTE_TAKERS = 0.3  # share of learners who take notes: up to NOTES_PER_LECTURE on each lecture they watched
NOTES_PER_LECTURE = 6
READ = 0.5  # chance that a learner read an item of a watched lecture's reading list
PLANNERS = 0.25  # share of learners with a pace plan
WITH_FEED = 0.5  # share of plans with a calendar link
NOTE_BODIES = [
    "**Key idea:** start from the business metric, then choose the ML metric.",
    "Data drift vs concept drift:\n\n- drift in the inputs\n- drift in the relation to the target",
    "Re-read the chapter; see [the book](https://www.oreilly.com/library/view/designing-machine-learning/9781098107956/).",
    "Question for the chat: how often do they retrain in production?",
    "`baseline` first, then a simple model, then the complex one.",
]
BATCH = 5000


class Progress:
    """A progress bar on the terminal."""

    def __init__(self, stream, label, total):
        self.stream, self.label, self.total, self.done = stream, label, total, 0
        self.interactive = stream.isatty()

    def advance(self, count):
        if not count:
            return
        self.done += count
        if self.interactive or self.done >= self.total:
            filled = int(30 * self.done / max(self.total, 1))
            end = "\n" if self.done >= self.total else ""
            self.stream.write(
                f"\r{self.label:<9} [{'#' * filled}{'.' * (30 - filled)}] {self.done:>9,}/{self.total:,}{end}"
            )
            self.stream.flush()


class Command(BaseCommand):
    help = "Create N synthetic learners with realistic progress through the course (a drop-off funnel)."

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, required=True, help="How many learners to create.")
        parser.add_argument("--seed", type=int, default=2022, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--replace", action="store_true", help="Delete learners seeded before and seed again.")

    def handle(self, *args, learners, seed, replace, **options):
        if learners < 1:
            raise CommandError("--learners must be at least 1.")
        course = Course.objects.first()
        if course is None:
            raise CommandError("There is no course yet: import one with import_course first.")
        lectures = list(course.lectures.published().in_course_order())
        if not lectures:
            raise CommandError("The course has no published lecture to watch.")
        seeded = User.objects.filter(email__endswith=f"@{SEED_DOMAIN}")
        if seeded.exists():
            if not replace:
                raise CommandError(
                    f"{seeded.count():,} seeded learners exist already. Run with --replace to seed them again."
                )
            started = time.monotonic()
            delete_seeded()
            self.stderr.write(f"Deleted the learners seeded before in {time.monotonic() - started:.1f} s.")

        started = time.monotonic()
        with transaction.atomic():
            # The study tools draw from a generator of their own: the progress stays what the seed always gave.
            rng, tools_rng = random.Random(seed), random.Random(seed + 1)  # noqa: S311 - not secrets
            counts = seed_learners(lectures, learners, rng, self.stderr, tools_rng=tools_rng)
        vacuum()
        took = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {learners:,} learners, {counts['progress']:,} watched lectures, "
                f"{counts['events']:,} progress events, {counts['notes']:,} notes and "
                f"{counts['plans']:,} pace plans in {took:.1f} s."
            )
        )


# Learners deleted at a time: each batch is one statement per related table, with one
# parameter per learner, well within what a database takes in one statement.
DELETE_BATCH = 5000


def delete_seeded():
    """Remove seeded learners and everything they did, in a few set-based deletes."""
    seeded = User.objects.filter(email__endswith=f"@{SEED_DOMAIN}")
    with transaction.atomic():
        # Nothing refers to these rows, so each is one DELETE, not a row-by-row cascade.
        for model in (ProgressEvent, LectureProgress, LastVisit, Note, ReadingProgress, PlannedLecture, PacePlan):
            model.objects.filter(user__in=seeded).delete()
        # The learners themselves go through Django's cascade (addresses, sessions, the
        # signals of a deleted account), a batch at a time.
        ids = list(seeded.values_list("pk", flat=True))
        for start in range(0, len(ids), DELETE_BATCH):
            User.objects.filter(pk__in=ids[start : start + DELETE_BATCH]).delete()


def seed_learners(lectures, count, rng, stream, *, tools_rng):
    """Generate the learners and their histories; write them with COPY on PostgreSQL."""
    now = timezone.now()
    main = [lecture for lecture in lectures if lecture.part.kind == Part.Kind.MAIN]
    bonus = [lecture for lecture in lectures if lecture.part.kind == Part.Kind.BONUS]
    password = make_password(None)
    first_id = max(User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0, 0) + 1
    emails = [f"seed-{n:07d}@{SEED_DOMAIN}" for n in range(count)]

    users = Progress(stream, "learners", count)
    write(
        User,
        ["id", "email", "password", "is_superuser", "is_staff", "is_active", "first_name", "last_name",
         "date_joined", "theme", "password_unproven"],
        ((first_id + n, email, password, False, False, True, "", "", now, "system", False)
         for n, email in enumerate(emails)),
        users,
    )  # fmt: skip
    reset_sequence(User)

    progress_rows, event_rows, visit_rows = [], [], []
    histories = []
    for user_id in range(first_id, first_id + count):
        joined = now - timedelta(days=rng.uniform(7, 120))
        when = joined
        watched = []
        if rng.random() < FIRST_LECTURE:
            for lecture in main:
                if watched and rng.random() > GO_ON:
                    break
                if watched and rng.random() < SKIP:
                    continue
                watched.append(lecture)
        for lecture, share in zip(bonus, BONUS, strict=False):
            if rng.random() < share:
                watched.append(lecture)
        for lecture in watched:
            when = min(when + timedelta(days=rng.uniform(0.2, 9), minutes=rng.uniform(0, 600)), now)
            if rng.random() < REDONE:
                event_rows.append((user_id, lecture.pk, Action.MARKED, Source.MANUAL, when - timedelta(hours=30)))
                event_rows.append((user_id, lecture.pk, Action.UNMARKED, Source.MANUAL, when - timedelta(hours=29)))
            progress_rows.append((user_id, lecture.pk, when, Source.MANUAL))
            event_rows.append((user_id, lecture.pk, Action.MARKED, Source.MANUAL, when))
        if watched:
            following = main[len(watched)] if len(watched) < len(main) else watched[-1]
            visit_rows.append((user_id, following.pk, when))
        histories.append((user_id, joined, watched))

    write(
        LectureProgress,
        ["user_id", "lecture_id", "watched_at", "source"],
        progress_rows,
        Progress(stream, "watched", len(progress_rows)),
    )
    write(
        ProgressEvent,
        ["user_id", "lecture_id", "action", "source", "at"],
        event_rows,
        Progress(stream, "events", len(event_rows)),
    )
    write(LastVisit, ["user_id", "lecture_id", "visited_at"], visit_rows, Progress(stream, "visits", len(visit_rows)))
    tools = seed_study_tools(lectures, histories, tools_rng, stream, now=now)
    return {"progress": len(progress_rows), "events": len(event_rows)} | tools


def seed_study_tools(lectures, histories, rng, stream, *, now):
    """Notes, read items and pace plans for some of the learners, from what each watched and when they joined."""
    bodies = [(body, render_markdown(body)) for body in NOTE_BODIES]
    items = {}
    for item in ReadingItem.objects.filter(lecture__in=lectures).values_list("pk", "lecture_id"):
        items.setdefault(item[1], []).append(item[0])
    zone = ZoneInfo("Europe/Moscow")
    note_rows, read_rows, plan_rows, planned_rows = [], [], [], []
    for user_id, joined, watched in histories:
        if rng.random() < NOTE_TAKERS:
            for lecture in watched:
                length = int((lecture.duration or timedelta(minutes=90)).total_seconds())
                for _ in range(rng.randint(0, NOTES_PER_LECTURE)):
                    body, html = rng.choice(bodies)
                    when = joined + timedelta(days=rng.uniform(0, 7))
                    note_rows.append((user_id, lecture.pk, body, html, rng.randrange(length), when, when))
        for lecture in watched:
            read_rows += [(user_id, item, joined) for item in items.get(lecture.pk, []) if rng.random() < READ]
        if rng.random() < PLANNERS:
            done = {lecture.pk for lecture in watched[: rng.randint(0, len(watched))]}
            slots = lay_out(
                [(lecture.pk, lecture.duration) for lecture in lectures if lecture.pk not in done],
                now=joined,
                zone=zone,
                weekdays={1, 3},
                at=clock(19),
                per_week=2,
            )
            token = secrets.token_urlsafe(32) if rng.random() < WITH_FEED else None
            # Times, days and UUIDs as text: both COPY and SQLite's executemany take them so.
            plan_rows.append(
                (
                    user_id,
                    PaceMode.WEEKLY,
                    None,
                    2,
                    0b1010,
                    "19:00:00",
                    zone.key,
                    joined,
                    0,
                    uuid.uuid4().hex,
                    token,
                    joined,
                )
            )
            planned_rows += [
                (user_id, slot.key, slot.day.isoformat(), slot.starts_at, slot.ends_at, 0, joined) for slot in slots
            ]

    write(
        Note,
        ["user_id", "lecture_id", "body", "html", "seconds", "created_at", "updated_at"],
        note_rows,
        Progress(stream, "notes", len(note_rows)),
    )
    write(ReadingProgress, ["user_id", "item_id", "read_at"], read_rows, Progress(stream, "read", len(read_rows)))
    write(
        PacePlan,
        ["user_id", "mode", "finish_on", "per_week", "weekdays", "study_time", "time_zone", "laid_out_at",
         "revision", "feed_uid", "feed_token", "created_at"],
        plan_rows,
        Progress(stream, "plans", len(plan_rows)),
    )  # fmt: skip
    write(
        PlannedLecture,
        ["user_id", "lecture_id", "day", "starts_at", "ends_at", "sequence", "changed_at"],
        planned_rows,
        Progress(stream, "planned", len(planned_rows)),
    )
    return {"notes": len(note_rows), "plans": len(plan_rows)}


def write(model, columns, rows, progress):
    """Insert rows fast: COPY on PostgreSQL, batched INSERTs elsewhere."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        written = 0
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for written, row in enumerate(rows, start=1):
                copy.write_row(row)
                if written % BATCH == 0:
                    progress.advance(BATCH)
        progress.advance(written % BATCH)
        return
    batch = []
    placeholders = ", ".join(["%s"] * len(columns))
    # Table and column names come from the models, never from input.
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                progress.advance(len(batch))
                batch.clear()
        cursor.executemany(sql, batch)
    progress.advance(len(batch))


def vacuum():
    """After bulk writes and deletes, clean the tables and refresh the planner's statistics (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (User, LectureProgress, ProgressEvent, LastVisit, Note, ReadingProgress, PacePlan, PlannedLecture):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def reset_sequence(model):
    """After rows with explicit ids, move PostgreSQL's id sequence past them."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608  # nosec B608
        cursor.execute(sql)
