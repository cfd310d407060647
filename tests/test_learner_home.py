from datetime import timedelta

import pytest

from lectures.models import Lecture
from progress.models import LastVisit, record_visit, set_watched

from .conftest import HTMX, tags, text

pytestmark = pytest.mark.django_db


def mark(user, *slugs, watched=True):
    for slug in slugs:
        set_watched(user=user, lecture=Lecture.objects.get(slug=slug), watched=watched)


def progressbar(html):
    """The bar's values: (watched, of how many)."""
    [bar] = tags(html, "div", role="progressbar")
    assert bar["aria-valuemin"] == "0"
    return int(bar["aria-valuenow"]), int(bar["aria-valuemax"])


def continue_link(html):
    """Where the primary action leads, and what it says."""
    links = tags(html, "a", **{"class": "button button--large continue"})
    if not links:
        return None
    [link] = links
    start = html.index(f'href="{link["href"]}"')
    return link["href"], text(html[start : html.index("</span>", start)].split(">", 1)[1])


def test_a_new_learner_starts_at_lecture_one(learner_client, course):
    html = learner_client.get("/").content.decode()
    assert progressbar(html) == (0, 10)
    assert "0 of 10 lectures watched · 4 more announced, not published" in text(html)
    assert continue_link(html) == ("/lectures/ml-in-practice/", "Start: Lecture 1")


def test_the_bar_counts_main_lectures_and_bonus_apart(learner, learner_client, course):
    mark(learner, "ml-in-practice", "design-foundations", "design-doc")
    html = learner_client.get("/").content.decode()
    assert progressbar(html) == (2, 10)
    assert "2 of 10 lectures watched" in text(html)
    assert "Bonus lectures: 1 of 2 watched" in text(html)
    # 20% of the bar is filled: an SVG width, not an inline style.
    assert tags(html, "rect", **{"class": "course-progress__fill"})[0]["width"] == "20"


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
    assert progressbar(html) == (10, 10)
    assert continue_link(html) == ("/lectures/ml-in-business-processes/", "Continue: Bonus 1")


def test_finishing_every_lecture_shows_completion_and_review(learner, learner_client, course):
    mark(learner, *Lecture.objects.published().values_list("slug", flat=True))
    html = learner_client.get("/").content.decode()
    assert continue_link(html) is None
    assert "You have watched every published lecture" in html
    assert "The organisers announced 4 more lectures, which were not published." in text(html)
    assert tags(html, "a", href="/lectures/ml-in-practice/", **{"class": "button"})
    assert "Review the course" in text(html)


def test_syllabus_shows_each_lectures_state(learner, learner_client, course):
    mark(learner, "ml-in-practice")
    learner_client.get("/lectures/training-data/")
    html = learner_client.get("/").content.decode()
    states = [
        row["class"].removeprefix("lecture-row lecture-row--")
        for row in tags(html, "li")
        if "lecture-row" in row.get("class", "")
    ]
    assert states.count("watched") == 1
    assert states.count("in-progress") == 1
    assert states.count("not-started") == 12 - 2
    assert states.count("announced") == 4
    page = text(html)
    assert (page.count("✓ Watched"), page.count("In progress"), page.count("Not started")) == (1, 1, 10)


def test_video_time_left_is_honest_about_unknown_lengths(learner, learner_client, course):
    html = learner_client.get("/").content.decode()
    assert "not known yet" in html
    assert "(12 lectures without a known length)" in html
    Lecture.objects.filter(slug="design-doc").update(duration=timedelta(minutes=95))
    Lecture.objects.filter(slug="ml-in-business-processes").update(duration=timedelta(minutes=50))
    mark(learner, "ml-in-business-processes")
    page = text(learner_client.get("/").content)
    assert "Video time left: 1 h 35 min plus 10 lectures of unknown length" in page


def test_anonymous_visitors_see_no_progress_bar(client, course):
    html = client.get("/").content.decode()
    assert not tags(html, "div", role="progressbar")
    assert "Create a free account" in html
    assert continue_link(html) == ("/lectures/ml-in-practice/", "Start: Lecture 1")


def test_lecture_page_has_toggle_bar_and_watched_and_next(learner, learner_client, course):
    mark(learner, "training-data")
    html = learner_client.get("/lectures/training-data/").content.decode()
    [toggle] = tags(html, "form", id="watched-toggle")
    assert toggle["action"] == toggle["hx-post"] == "/lectures/training-data/watched/"
    [button] = tags(html, "button", id="watched-button")
    assert (button["type"], button["aria-pressed"]) == ("submit", "true")
    assert progressbar(html) == (1, 10)
    assert tags(html, "input", type="hidden", name="next", value="/lectures/feature-engineering/")
    assert "Watched & next" in text(html)


def test_watched_and_next_marks_and_moves_on(learner, learner_client, course):
    response = learner_client.post(
        "/lectures/training-data/watched/", {"watched": "true", "next": "/lectures/feature-engineering/"}
    )
    assert response["Location"] == "/lectures/feature-engineering/"
    assert learner.lecture_progress.get().lecture.slug == "training-data"


def test_anonymous_lecture_page_invites_to_sign_in(client, course):
    html = client.get("/lectures/training-data/").content.decode()
    assert not tags(html, "form", id="watched-toggle")
    assert tags(html, "a", href="/accounts/login/?next=/lectures/training-data/")


def test_visiting_a_lecture_records_it_as_last_visited(learner, learner_client, course):
    learner_client.get("/lectures/deployment/")
    learner_client.get("/lectures/training-data/")
    assert learner.last_visit.lecture.slug == "training-data"


def test_opening_the_same_lecture_again_later_counts_as_a_new_visit(learner, learner_client, course):
    learner_client.get("/lectures/deployment/")
    visited = learner.last_visit.visited_at
    learner_client.get("/lectures/deployment/")
    assert LastVisit.objects.get(user=learner).visited_at == visited  # within the hour: no write
    LastVisit.objects.filter(user=learner).update(visited_at=visited - timedelta(hours=2))
    learner_client.get("/lectures/deployment/")
    # How recently a learner came is what the staff analytics count as active.
    assert LastVisit.objects.get(user=learner).visited_at > visited


def test_a_head_request_is_not_a_visit(learner, learner_client, course):
    assert learner_client.head("/lectures/deployment/").status_code == 200
    assert not LastVisit.objects.filter(user=learner).exists()


def test_staff_previews_are_not_recorded_as_visits(staff, staff_client, course):
    staff_client.get("/lectures/lecture-11/")
    assert not LastVisit.objects.filter(user=staff).exists()


def test_record_visit_is_one_row_per_learner(learner, course):
    for slug in ["deployment", "training-data", "deployment"]:
        record_visit(user=learner, lecture=Lecture.objects.get(slug=slug))
    assert learner.__class__.objects.get(pk=learner.pk).last_visit.lecture.slug == "deployment"


def test_staff_see_drafts_in_the_syllabus_but_not_in_the_counts(staff, staff_client, course):
    Lecture.objects.filter(slug="model-lifecycle").update(status="draft")
    html = staff_client.get("/").content.decode()
    assert "Жизненный цикл модели" in html  # listed for staff, with its draft badge
    # A draft is neither published nor coming soon: 9 published, 4 announced.
    assert progressbar(html) == (0, 9)
    assert "0 of 9 lectures watched · 4 more announced, not published" in text(html)


def test_the_bar_after_a_toggle_counts_as_the_page_did(staff, staff_client, course):
    Lecture.objects.filter(slug="model-lifecycle").update(status="draft")
    page = text(staff_client.get("/lectures/training-data/").content)
    assert "0 of 9 lectures watched · 4 more announced, not published" in page
    response = staff_client.post("/lectures/training-data/watched/", {"watched": "true"}, **HTMX)
    assert progressbar(response.content.decode()) == (1, 9)
    assert "1 of 9 lectures watched · 4 more announced, not published" in text(response.content)


def test_a_change_to_progress_is_a_visit_and_one_made_by_staff_is_not(learner, staff, course):
    set_watched(user=learner, lecture=Lecture.objects.get(slug="deployment"), watched=True)
    assert LastVisit.objects.get(user=learner).lecture.slug == "deployment"
    set_watched(user=learner, lecture=Lecture.objects.get(slug="training-data"), watched=True, source="staff", by=staff)
    # The learner was not there: their last visit is still their own.
    assert LastVisit.objects.get(user=learner).lecture.slug == "deployment"
