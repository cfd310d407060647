from datetime import timedelta

import pytest
from django.utils import timezone

from lectures.models import Lecture

from .conftest import tags, text

pytestmark = pytest.mark.django_db


def test_it_shows_every_field_of_a_lecture(client, course):
    lecture = Lecture.objects.get(slug="failure-diagnosis")
    lecture.date = timezone.now().date().replace(year=2022, month=11, day=14)
    lecture.duration = timedelta(hours=1, minutes=32)
    lecture.video_url = "https://youtu.be/abcdefghijk"
    lecture.slides_url = "https://example.org/slides.pdf"
    lecture.save()
    html = client.get("/lectures/failure-diagnosis/").content.decode()
    for fragment in [
        "Lecture 8",
        "Диагностика ошибок и отказов ML-систем",
        "Diagnosing errors and failures of ML systems",
        "Dmitry Kolodezev",
        '<time datetime="2022-11-14">14 November 2022</time>',
        "1 h 32 min",
        'href="https://example.org/slides.pdf"',
        'data-embed="https://www.youtube-nocookie.com/embed/abcdefghijk?autoplay=1"',
        lecture.summary,
        lecture.summary_en,
        "Alert fatigue",
        "chapter 8, Data Distribution Shifts and Monitoring",
        'href="https://kolodezev.ru/mlsysd8.html"',
    ]:
        assert fragment in html, fragment
    # Lecture 8's lecturer is confirmed, so the page does not hedge.
    assert "likely" not in html


def test_it_says_what_is_not_known(client, course):
    html = client.get("/lectures/ml-in-practice/").content.decode()
    # The lecturer is likely but unconfirmed: learners see only confirmed facts.
    assert "Kolodezev" not in html
    assert html.count("Not known yet") == 3  # lecturer, date and video length
    assert "Not linked yet" in html  # slides


def test_without_a_recording_the_course_playlist_plays_in_place(client, course):
    html = client.get("/lectures/ml-in-practice/").content.decode()
    assert "This lecture's own recording is not linked yet" in text(html)
    [poster] = tags(html, "a", **{"class": "video__poster"})
    playlist = "https://www.youtube.com/playlist?list=PLTlO6nV_TaGDu_HYG8cm7iUFZ_4qEJAYF"
    assert poster["href"] == playlist  # without JavaScript, the playlist on YouTube
    assert poster["data-embed"] == (
        "https://www.youtube-nocookie.com/embed/videoseries?list=PLTlO6nV_TaGDu_HYG8cm7iUFZ_4qEJAYF&autoplay=1"
    )
    assert tags(html, "a", href=playlist)
    # Nothing from YouTube is in the page until the learner presses play.
    assert "<iframe" not in html


def test_a_confirmed_lecturer_is_named(client, course):
    html = client.get("/lectures/failure-diagnosis/").content.decode()
    assert "Dmitry Kolodezev" in text(html)


def test_bonus_lecture_offers_its_video_privately_and_on_demand(client, course):
    html = client.get("/lectures/design-doc/").content.decode()
    assert tags(html, "a", data_embed="https://www.youtube-nocookie.com/embed/PW9TGNr1Vqk?autoplay=1")
    # Nothing from YouTube is in the page until the learner presses play.
    assert "<iframe" not in html
    assert "ytimg" not in html
    assert "youtube.com/embed" not in html
    assert tags(html, "a", href="https://github.com/IrinaGoloshchapova/ml_system_design_doc_ru")


@pytest.mark.parametrize(
    ("slug", "previous", "next"),
    [
        ("ml-in-practice", None, "design-foundations"),
        ("model-lifecycle", "streaming-data", "ml-in-business-processes"),
        ("design-doc", "ml-in-business-processes", None),
    ],
)
def test_it_links_previous_and_next_in_course_order(client, course, slug, previous, next):
    html = client.get(f"/lectures/{slug}/").content.decode()
    assert [link["href"] for link in tags(html, "a", rel="prev")] == ([f"/lectures/{previous}/"] if previous else [])
    assert [link["href"] for link in tags(html, "a", rel="next")] == ([f"/lectures/{next}/"] if next else [])


def test_it_skips_unpublished_lectures_in_previous_and_next(client, course):
    Lecture.objects.filter(slug="design-foundations").update(status="draft")
    html = client.get("/lectures/ml-in-practice/").content.decode()
    assert tags(html, "a", rel="next")[0]["href"] == "/lectures/training-data/"


def test_unknown_lecture_is_404(client, course):
    assert client.get("/lectures/no-such-lecture/").status_code == 404


@pytest.mark.parametrize("who", ["client", "learner_client"])
def test_learners_cannot_open_unpublished_lectures(request, course, who):
    browser = request.getfixturevalue(who)
    Lecture.objects.filter(slug="model-lifecycle").update(status="draft")
    Lecture.objects.filter(slug="streaming-data").update(published_at=timezone.now() + timedelta(hours=1))
    for slug in ["lecture-11", "model-lifecycle", "streaming-data"]:
        assert browser.get(f"/lectures/{slug}/").status_code == 404, slug


def test_staff_preview_a_draft_with_a_banner(staff_client, course):
    Lecture.objects.filter(slug="model-lifecycle").update(status="draft")
    response = staff_client.get("/lectures/model-lifecycle/")
    assert response.status_code == 200
    assert "Staff preview." in response.content.decode()
    assert "learners cannot see this page" in response.content.decode()


def test_a_draft_previewed_is_the_page_learners_will_see(staff_client, learner_client, course):
    # "View on site" in the admin opens this page for a draft: it shows what learners will get.
    Lecture.objects.filter(slug="deployment").update(status="draft")
    Lecture.objects.filter(slug="failure-diagnosis").update(status="draft")
    preview = staff_client.get("/lectures/failure-diagnosis/").content
    # The watched toggle and the progress bar, inert until the lecture is published.
    [toggle] = tags(preview, "button", id="watched-button")
    assert "disabled" in toggle
    assert tags(preview, "div", role="progressbar")
    # The syllabus beside it is the learners': the other draft is not in it.
    assert not tags(preview, "a", href="/lectures/deployment/")
    Lecture.objects.filter(slug="failure-diagnosis").update(status="published")
    published = learner_client.get("/lectures/failure-diagnosis/").content
    assert [tag["href"] for tag in tags(preview, "a") if tag.get("href", "").startswith("/lectures/")] == [
        tag["href"] for tag in tags(published, "a") if tag.get("href", "").startswith("/lectures/")
    ]


def test_the_admin_view_on_site_link_opens_the_preview(staff_client, course):
    lecture = Lecture.objects.get(slug="lecture-11")
    response = staff_client.get(f"/admin/lectures/lecture/{lecture.pk}/change/")
    [link] = tags(response.content, "a", **{"class": "viewsitelink"})
    target = staff_client.get(link["href"], follow=True)
    assert target.request["PATH_INFO"] == "/lectures/lecture-11/"
    assert "Staff preview." in target.content.decode()


def test_staff_preview_an_announced_lecture(staff_client, course):
    response = staff_client.get("/lectures/lecture-11/")
    assert response.status_code == 200
    assert "This lecture is announced" in response.content.decode()


def test_published_lectures_have_no_banner(staff_client, course):
    assert "Staff preview." not in staff_client.get("/lectures/ml-in-practice/").content.decode()


def test_it_rejects_post(client, course):
    assert client.post("/lectures/ml-in-practice/").status_code == 405
