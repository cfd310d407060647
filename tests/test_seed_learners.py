from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from lectures.models import Lecture
from progress.management.commands.seed_learners import SEED_DOMAIN
from progress.models import LastVisit, LectureProgress, ProgressEvent, set_watched

pytestmark = pytest.mark.django_db(transaction=True)


def seed(*args):
    call_command("seed_learners", "--learners", "400", "--seed", "7", *args)


def test_it_seeds_a_drop_off_funnel(course):
    seed()
    assert User.objects.filter(email__endswith=f"@{SEED_DOMAIN}").count() == 400
    per_lecture = Counter(LectureProgress.objects.values_list("lecture__slug", flat=True))
    main = Lecture.objects.published().filter(part__kind="main").in_course_order()
    counts = [per_lecture[lecture.slug] for lecture in main]
    # Each main lecture is watched by fewer learners than the one before.
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > 300
    assert counts[-1] < counts[0] / 2
    # Only published lectures are ever watched.
    assert not LectureProgress.objects.exclude(lecture__status="published").exists()


def test_events_match_the_progress(course):
    seed()
    marks = Counter(ProgressEvent.objects.filter(action="marked").values_list("user", "lecture"))
    unmarks = Counter(ProgressEvent.objects.filter(action="unmarked").values_list("user", "lecture"))
    watched = set(LectureProgress.objects.values_list("user", "lecture"))
    # Every watched lecture was marked once more than it was unmarked; nothing else was.
    assert {key for key, count in marks.items() if count - unmarks[key] == 1} == watched
    assert all(marks[key] - unmarks[key] in (0, 1) for key in marks)
    for row in LectureProgress.objects.all()[:50]:
        last = ProgressEvent.objects.filter(user=row.user_id, lecture=row.lecture_id).order_by("at").last()
        assert (last.action, last.at) == ("marked", row.watched_at)
    assert LastVisit.objects.count() > 0


def test_it_refuses_to_seed_twice_unless_told_to_replace(course):
    seed()
    with pytest.raises(CommandError, match="--replace"):
        seed()
    rows = LectureProgress.objects.count()
    seed("--replace")
    assert User.objects.filter(email__endswith=f"@{SEED_DOMAIN}").count() == 400
    # The same seed gives the same data.
    assert LectureProgress.objects.count() == rows


def test_it_never_touches_real_accounts(course, learner):
    set_watched(user=learner, lecture=Lecture.objects.get(slug="deployment"), watched=True)
    seed()
    seed("--replace")
    assert User.objects.filter(pk=learner.pk).exists()
    assert list(LectureProgress.objects.filter(user=learner).values_list("lecture__slug", flat=True)) == ["deployment"]
    assert ProgressEvent.objects.filter(user=learner).count() == 1


def test_it_needs_a_course(db):
    with pytest.raises(CommandError, match="import_course"):
        seed()


def test_some_learners_use_the_study_tools(course):
    from django.test import Client

    from progress.models import Note, PacePlan, PlannedLecture, ReadingProgress

    seed()
    note_takers = Note.objects.values("user").distinct().count()
    assert 60 < note_takers < 200  # about 30% of 400
    # Notes and read items only on lectures the learner watched.
    watched = set(LectureProgress.objects.values_list("user", "lecture"))
    assert set(Note.objects.values_list("user", "lecture")) <= watched
    assert set(ReadingProgress.objects.values_list("user", "item__lecture")) <= watched
    assert Note.objects.filter(html__startswith="<p>").exists()
    plans = PacePlan.objects.count()
    assert 50 < plans < 150
    assert PlannedLecture.objects.values("user").distinct().count() == plans
    token = PacePlan.objects.exclude(feed_token=None).values_list("feed_token", flat=True).first()
    assert Client().get(f"/calendar/{token}.ics").status_code == 200
    counts = (Note.objects.count(), PlannedLecture.objects.count(), ReadingProgress.objects.count())
    seed("--replace")
    assert (Note.objects.count(), PlannedLecture.objects.count(), ReadingProgress.objects.count()) == counts
