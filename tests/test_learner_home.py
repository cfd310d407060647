import re
from datetime import timedelta

import pytest

from lectures.models import Lecture
from progress.models import LastVisit, record_visit, set_watched

pytestmark = pytest.mark.django_db


def mark(user, *slugs, watched=True):
    for slug in slugs:
        set_watched(user=user, lecture=Lecture.objects.get(slug=slug), watched=watched)


def progressbar(html):
    return re.search(r'<div class="course-progress__bar" role="progressbar"[^>]*>', html).group(0)


def continue_link(html):
    match = re.search(r'<a class="button button--large continue" href="([^"]+)">\s*<span>([^<]+)</span>', html)
    return match.groups() if match else None


def test_a_new_learner_starts_at_lecture_one(learner_client, course):
    html = learner_client.get("/").content.decode()
    assert 'aria-valuenow="0" aria-valuemax="10"' in progressbar(html)
    assert "<strong>0 of 10</strong> lectures watched" in html
    assert "4 more coming soon" in html
    assert continue_link(html) == ("/lectures/ml-in-practice/", "Start: Lecture 1")


def test_the_bar_counts_main_lectures_and_bonus_apart(learner, learner_client, course):
    mark(learner, "ml-in-practice", "design-foundations", "design-doc")
    html = learner_client.get("/").content.decode()
    assert 'aria-valuemin="0" aria-valuenow="2" aria-valuemax="10"' in progressbar(html)
    assert "<strong>2 of 10</strong> lectures watched" in html
    assert "Bonus lectures: 1 of 2 watched" in html
    # 20% of the bar is filled: an SVG width, not an inline style.
    assert '<rect class="course-progress__fill" width="20"' in html


def test_continue_opens_the_first_unwatched_lecture(learner, learner_client, course):
    mark(learner, "ml-in-practice", "design-foundations", "feature-engineering")
    assert continue_link(learner_client.get("/").content.decode()) == (
        "/lectures/training-data/",
        "Continue: Lecture 3",
    )


def test_continue_prefers_the_last_visited_unfinished_lecture(learner, learner_client, course):
    mark(learner, "ml-in-practice")
    learner_client.get("/lectures/deployment/")
    assert continue_link(learner_client.get("/").content.decode())[0] == "/lectures/deployment/"


def test_continue_skips_the_last_visited_lecture_once_watched(learner, learner_client, course):
    learner_client.get("/lectures/deployment/")
    mark(learner, "deployment")
    assert continue_link(learner_client.get("/").content.decode())[0] == "/lectures/ml-in-practice/"


def test_continue_moves_on_to_bonus_lectures(learner, learner_client, course):
    main = Lecture.objects.published().filter(part__kind="main").values_list("slug", flat=True)
    mark(learner, *main)
    html = learner_client.get("/").content.decode()
    assert 'aria-valuenow="10" aria-valuemax="10"' in html
    assert continue_link(html) == ("/lectures/ml-in-business-processes/", "Continue: Bonus 1")


def test_finishing_every_lecture_shows_completion_and_review(learner, learner_client, course):
    mark(learner, *Lecture.objects.published().values_list("slug", flat=True))
    html = learner_client.get("/").content.decode()
    assert continue_link(html) is None
    assert "You have watched every published lecture" in html
    assert "4 more lectures are coming soon" in html
    assert '<a class="button" href="/lectures/ml-in-practice/">Review the course</a>' in html


def test_syllabus_shows_each_lectures_state(learner, learner_client, course):
    mark(learner, "ml-in-practice")
    learner_client.get("/lectures/training-data/")
    html = learner_client.get("/").content.decode()
    assert html.count("✓</span> Watched") == 1
    assert html.count(">In progress<") == 1
    assert html.count(">Not started<") == 12 - 2
    assert html.count("Coming soon") == 4


def test_video_time_left_is_honest_about_unknown_lengths(learner, learner_client, course):
    html = learner_client.get("/").content.decode()
    assert "not known yet" in html
    assert "(12 lectures without a known length)" in html
    Lecture.objects.filter(slug="design-doc").update(duration=timedelta(minutes=95))
    Lecture.objects.filter(slug="ml-in-business-processes").update(duration=timedelta(minutes=50))
    mark(learner, "ml-in-business-processes")
    html = " ".join(learner_client.get("/").content.decode().split())
    assert "Video time left: 1 h 35 min" in html
    assert "plus 10 lectures of unknown length" in html


def test_anonymous_visitors_see_no_progress_bar(client, course):
    html = client.get("/").content.decode()
    assert 'role="progressbar"' not in html
    assert "Create a free account" in html
    assert continue_link(html) == ("/lectures/ml-in-practice/", "Start: Lecture 1")


def test_lecture_page_has_toggle_bar_and_watched_and_next(learner, learner_client, course):
    mark(learner, "training-data")
    html = learner_client.get("/lectures/training-data/").content.decode()
    toggle = re.search(r'<form id="watched-toggle".*?</form>', html, re.S).group(0)
    assert 'action="/lectures/training-data/watched/"' in toggle
    assert 'hx-post="/lectures/training-data/watched/"' in toggle
    assert re.search(r'<button id="watched-button" type="submit" class="toggle" aria-pressed="true">', toggle)
    assert 'aria-valuenow="1" aria-valuemax="10"' in html
    assert '<input type="hidden" name="next" value="/lectures/feature-engineering/">' in html
    assert "Watched &amp; next" in html


def test_watched_and_next_marks_and_moves_on(learner, learner_client, course):
    response = learner_client.post(
        "/lectures/training-data/watched/", {"watched": "true", "next": "/lectures/feature-engineering/"}
    )
    assert response["Location"] == "/lectures/feature-engineering/"
    assert learner.lecture_progress.get().lecture.slug == "training-data"


def test_anonymous_lecture_page_invites_to_sign_in(client, course):
    html = client.get("/lectures/training-data/").content.decode()
    assert "watched-toggle" not in html
    assert 'href="/accounts/login/?next=/lectures/training-data/"' in html


def test_visiting_a_lecture_records_it_as_last_visited(learner, learner_client, course):
    learner_client.get("/lectures/deployment/")
    learner_client.get("/lectures/training-data/")
    assert learner.last_visit.lecture.slug == "training-data"


def test_staff_previews_are_not_recorded_as_visits(staff, staff_client, course):
    staff_client.get("/lectures/lecture-11/")
    assert not LastVisit.objects.filter(user=staff).exists()


def test_record_visit_is_one_row_per_learner(learner, course):
    for slug in ["deployment", "training-data", "deployment"]:
        record_visit(user=learner, lecture=Lecture.objects.get(slug=slug))
    assert learner.__class__.objects.get(pk=learner.pk).last_visit.lecture.slug == "deployment"
