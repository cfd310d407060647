"""The reading list item by item, on the watched toggle's contract: explicit read=true|false, htmx or 303."""

import json

import pytest
from django.test import Client

from lectures.models import Lecture, ReadingItem
from progress.models import ReadingProgress, set_read

from .conftest import HTMX, client_for, tags, text

pytestmark = pytest.mark.django_db

LECTURE = "/lectures/streaming-data/"  # three items on its list


@pytest.fixture
def items(course):
    """The lecture's reading list, its first item made required: one required, two optional."""
    items = list(Lecture.objects.get(slug="streaming-data").reading_items.all())
    ReadingItem.objects.filter(pk=items[0].pk).update(required=True)
    return items


def url(item):
    return f"{LECTURE}reading/{item.pk}/read/"


def is_read(user, item):
    return ReadingProgress.objects.filter(user=user, item=item).exists()


def test_it_marks_an_item_read_and_redirects_back_to_it(learner_client, learner, items):
    response = learner_client.post(url(items[1]), {"read": "true"})
    assert response.status_code == 303
    assert response["Location"] == f"{LECTURE}#reading-{items[1].pk}"
    assert is_read(learner, items[1])
    response = learner_client.post(url(items[1]), {"read": "false", "next": "/progress/"})
    assert response["Location"] == "/progress/"
    assert not is_read(learner, items[1])


def test_repeats_are_harmless(learner_client, learner, items):
    for value in ["true", "true", "false", "false", "true"]:
        assert learner_client.post(url(items[0]), {"read": value}).status_code == 303
    assert ReadingProgress.objects.filter(user=learner).count() == 1


def test_set_read_says_whether_it_changed_anything(learner, other_learner, items):
    set_read(user=other_learner, item=items[0], read=True)
    assert set_read(user=learner, item=items[0], read=True) is True
    assert set_read(user=learner, item=items[0], read=True) is False
    assert set_read(user=learner, item=items[0], read=False) is True
    assert set_read(user=learner, item=items[0], read=False) is False
    assert is_read(other_learner, items[0])


def test_htmx_gets_the_toggle_the_count_and_an_announcement(learner_client, items):
    response = learner_client.post(url(items[0]), {"read": "true"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert not tags(html, "html")
    [form] = tags(html, "form")
    assert (form["id"], form["action"]) == (f"reading-{items[0].pk}", url(items[0]))
    assert tags(html, "button", aria_pressed="true")
    assert tags(html, "input", name="read", value="false")  # the form now offers the opposite
    [count] = tags(html, "p", id="reading-count")
    assert count["hx-swap-oob"] == "true"
    assert "Required: 1 of 1 read · Optional: 0 of 2 read" in text(html)
    assert tags(html, "p", id="reading-announcement", hx_swap_oob="innerHTML")
    assert f"Marked as read: {items[0].title}" in text(html)
    html = learner_client.post(url(items[0]), {"read": "false"}, **HTMX).content.decode()
    assert tags(html, "button", aria_pressed="false")
    assert f"Marked as not read: {items[0].title}" in text(html)


def test_the_lecture_page_counts_required_and_optional_apart(learner_client, learner, items):
    set_read(user=learner, item=items[1], read=True)
    html = learner_client.get(LECTURE).content.decode()
    assert "Required: 0 of 1 read · Optional: 1 of 2 read" in text(html)
    pressed = [button["aria-pressed"] for button in tags(html, "button", **{"class": "toggle toggle--small"})]
    assert pressed == ["false", "true", "false"]
    # Each button says which item it is about.
    assert tags(html, "button", aria_label=f"Read: {items[1].title}")


def test_a_list_of_optional_items_only_says_so(learner_client, course):
    html = learner_client.get("/lectures/failure-diagnosis/").content.decode()
    assert "Optional: 0 of 2 read" in text(html)
    assert "Required:" not in text(html)


def test_the_progress_page_counts_the_whole_course(learner_client, learner, items):
    set_read(user=learner, item=items[0], read=True)
    set_read(user=learner, item=items[2], read=True)
    html = learner_client.get("/progress/").content.decode()
    assert "Reading: Required: 1 of 1 read · Optional: 1 of 14 read" in text(html)


def test_the_progress_export_holds_the_read_items(learner_client, learner, items):
    set_read(user=learner, item=items[0], read=True)
    response = learner_client.get("/progress/export.json")
    data = json.loads(b"".join(response.streaming_content))
    [row] = data["read"]
    assert (row["lecture"], row["item"], row["required"]) == ("streaming-data", items[0].title, True)


def test_anonymous_post_goes_to_sign_in(client, items):
    response = client.post(url(items[0]), {"read": "true"})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={LECTURE}"
    assert client.post(url(items[0]), {"read": "true"}, **HTMX)["HX-Redirect"] == f"/accounts/login/?next={LECTURE}"
    assert not ReadingProgress.objects.exists()


def test_it_keeps_learners_apart(learner_client, learner, other_learner, items):
    learner_client.post(url(items[0]), {"read": "true"})
    assert not is_read(other_learner, items[0])
    html = client_for(other_learner).get(LECTURE).content.decode()
    assert "Required: 0 of 1 read" in text(html)


@pytest.mark.parametrize("value", ["", "yes", "1", "True", "on"])
def test_any_other_value_is_400(learner_client, items, value):
    assert learner_client.post(url(items[0]), {"read": value}).status_code == 400
    assert learner_client.post(url(items[0])).status_code == 400
    assert not ReadingProgress.objects.exists()


def test_an_item_of_another_lecture_or_an_unpublished_one_is_404(learner_client, items):
    other = Lecture.objects.get(slug="training-data").reading_items.first()
    assert learner_client.post(url(other), {"read": "true"}).status_code == 404
    assert learner_client.post(f"{LECTURE}reading/999999/read/", {"read": "true"}).status_code == 404
    Lecture.objects.filter(slug="streaming-data").update(status="announced")
    assert learner_client.post(url(items[0]), {"read": "true"}).status_code == 404
    assert not ReadingProgress.objects.exists()


def test_get_is_405(learner_client, client, items):
    assert learner_client.get(url(items[0])).status_code == 405
    assert client.get(url(items[0])).status_code == 405


def test_missing_csrf_token_is_403(learner, items):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    assert browser.post(url(items[0]), {"read": "true"}).status_code == 403
    assert browser.post(url(items[0]), {"read": "true"}, **HTMX).status_code == 403
    assert not ReadingProgress.objects.exists()


def test_anonymous_visitors_see_the_list_without_toggles(client, items):
    html = client.get(LECTURE).content.decode()
    assert len(tags(html, "li", **{"class": "reading__item"})) == 3
    assert not tags(html, "form", **{"class": "reading-toggle"})
    assert not tags(html, "p", id="reading-count")


def test_the_reading_list_speaks_russian(learner, items):
    browser = Client(HTTP_ACCEPT_LANGUAGE="ru")
    browser.force_login(learner)
    html = browser.get(LECTURE).content.decode()
    assert "Обязательно: прочитано 0 из 1" in text(html)
    assert "По желанию: прочитано 0 из 2" in text(html)
    assert tags(html, "button", aria_label=f"Прочитано: {items[0].title}")
