import re
from datetime import timedelta

import pytest
from django.utils import timezone

from lectures.models import Course, Lecture

from .conftest import tags, text

pytestmark = pytest.mark.django_db


def lecture_links(html):
    """Links to lecture pages in the syllabus."""
    syllabus = html[html.index('id="syllabus-title"') :]
    return re.findall(r'href="(/lectures/[^"]+/)"', syllabus)


def test_it_lists_all_sixteen_lectures_by_part(client, course):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<li class="lecture-row') == 16
    assert html.index("Main course") < html.index("Lecture 14") < html.index("Bonus lectures") < html.index("Bonus 2")


def test_it_links_the_twelve_published_lectures(client, course):
    links = lecture_links(client.get("/").content.decode())
    published = [lecture.get_absolute_url() for lecture in Lecture.objects.published().in_course_order()]
    assert len(published) == 12
    assert links == published


def rows(html):
    """Each syllabus row's state."""
    return [row["class"].split("--")[1] for row in tags(html, "li") if "lecture-row" in row.get("class", "")]


def test_lectures_announced_without_a_date_say_so_without_a_link(client, course):
    html = client.get("/").content.decode()
    # The 2022 course announced lectures 11 to 14 and never published them: not "coming soon".
    assert rows(html).count("announced") == 4
    assert text(html).count("Announced by the organisers, not published") == 4
    assert "Coming soon" not in text(html)
    assert "/lectures/lecture-11/" not in html


def test_an_announced_lecture_with_a_date_ahead_is_coming_soon(client, course):
    Lecture.objects.filter(slug="lecture-11").update(date=timezone.localdate() + timedelta(days=7))
    html = client.get("/").content.decode()
    assert rows(html).count("soon") == 1
    assert f"Coming {(timezone.localdate() + timedelta(days=7)):%-d %B %Y}" in text(html)
    assert rows(html).count("announced") == 3


def test_it_hides_drafts_from_learners(client, learner_client, course):
    Lecture.objects.filter(slug="model-lifecycle").update(status="draft")
    for response in (client.get("/"), learner_client.get("/")):
        html = response.content.decode()
        assert "Жизненный цикл модели" not in html
        assert html.count('<li class="lecture-row') == 15


def test_staff_see_drafts_with_a_preview_link(staff_client, course):
    Lecture.objects.filter(slug="model-lifecycle").update(status="draft")
    html = staff_client.get("/").content.decode()
    assert "Жизненный цикл модели" in html
    assert "Preview" in text(html)
    assert len(tags(html, "a", href="/lectures/model-lifecycle/")) == 2  # its title and the preview link


def test_a_scheduled_lecture_is_coming_soon_until_its_time(client, course):
    Lecture.objects.filter(slug="model-lifecycle").update(published_at=timezone.now() + timedelta(days=1))
    html = client.get("/").content.decode()
    assert "/lectures/model-lifecycle/" not in html
    assert rows(html).count("soon") == 1
    assert "Жизненный цикл модели" in html  # its title is known


def test_it_shows_the_course_facts(client, course):
    html = client.get("/").content.decode()
    assert "Дизайн систем машинного обучения" in html
    assert tags(html, "a", href="https://ods.ai/tracks/ml-system-design-22")
    assert tags(html, "a", href="https://www.youtube.com/playlist?list=PLTlO6nV_TaGDu_HYG8cm7iUFZ_4qEJAYF")


def test_it_explains_an_empty_site(client, db):
    assert not Course.objects.exists()
    response = client.get("/")
    assert response.status_code == 200
    assert "import_course" in response.content.decode()


def test_it_answers_head(client, course):
    assert client.head("/").status_code == 200


def test_it_rejects_post(client, course):
    assert client.post("/").status_code == 405
