"""Private notes on a lecture: add, edit and delete in place with htmx or as plain forms, limits, export."""

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test import Client, override_settings

from lectures.models import Lecture
from progress.models import Note, add_note
from progress.notes import NOTES_PER_LEARNER

from .conftest import HTMX, tags, text

pytestmark = pytest.mark.django_db

LECTURE = "/lectures/design-doc/"  # Bonus 2 has its own video
ADD = LECTURE + "notes/"


def note_of(user, body="**Drift** matters", seconds=125, slug="design-doc"):
    return add_note(user=user, lecture=Lecture.objects.get(slug=slug), body=body, seconds=seconds)


def urls(note):
    base = f"/lectures/{note.lecture.slug}/notes/{note.pk}/"
    return {"note": base, "edit": base + "edit/", "delete": base + "delete/"}


# --- Adding -----------------------------------------------------------------


def test_it_adds_a_note_and_redirects_to_it(learner_client, learner, course):
    response = learner_client.post(ADD, {"body": "**Drift** matters", "time": "2:05"})
    note = Note.objects.get(user=learner)
    assert response.status_code == 303
    assert response["Location"] == f"{LECTURE}#note-{note.pk}"
    assert (note.body, note.seconds, note.lecture.slug) == ("**Drift** matters", 125, "design-doc")
    assert note.html == "<p><strong>Drift</strong> matters</p>\n"


def test_htmx_gets_the_notes_block_with_the_new_note_and_an_empty_form(learner_client, learner, course):
    response = learner_client.post(ADD, {"body": "First *idea*", "time": "12:05"}, **HTMX)
    html = response.content.decode()
    note = Note.objects.get(user=learner)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert not tags(html, "html")
    assert tags(html, "div", id="notes")
    assert tags(html, "li", id=f"note-{note.pk}")
    assert tags(html, "em")
    # Its time plays the video from there; without JavaScript the link opens YouTube at that second.
    [time] = tags(html, "a", data_seconds="725")
    assert time["href"] == "https://www.youtube.com/watch?v=PW9TGNr1Vqk&t=725s"
    assert tags(html, "textarea", id="note-body")
    assert "First" not in html.split("<textarea")[1].split("</textarea>")[0]
    # The live region outside the swapped block says what happened.
    assert tags(html, "p", id="notes-announcement", hx_swap_oob="innerHTML")
    assert "Note added." in text(html)


def test_a_note_without_a_time_comes_after_the_timed_ones(learner_client, learner, course):
    for body, time in [("later", "20:00"), ("untimed", ""), ("earlier", "1:00")]:
        learner_client.post(ADD, {"body": body, "time": time})
    html = learner_client.get(LECTURE).content.decode()
    notes = text(html.split('class="notes__list"')[1])
    assert notes.index("earlier") < notes.index("later") < notes.index("untimed")


def test_a_lecture_without_its_own_video_shows_times_as_text(learner_client, learner, course):
    learner_client.post("/lectures/training-data/notes/", {"body": "Sampling", "time": "3:00"})
    html = learner_client.get("/lectures/training-data/").content.decode()
    assert not tags(html, "a", data_seconds="180")
    assert tags(html, "span", **{"class": "note__time"})
    # No player there, so no player script either.
    assert not tags(html, "script", src="/static/js/player.js")


@pytest.mark.parametrize(
    ("time", "error"),
    [
        ("1:60", "Seconds go up to 59"),
        ("soon", "Write the time as minutes and seconds (12:05)"),
        ("1:75:00", "With hours, minutes go up to 59"),
    ],
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_bad_time_comes_back_with_a_clear_error(learner_client, course, time, error, headers):
    response = learner_client.post(ADD, {"body": "Kept as typed", "time": time}, **headers)
    html = response.content.decode()
    assert response.status_code == 422
    assert error in text(html)
    # What the learner typed comes back, to fix rather than retype.
    assert tags(html, "input", id="note-time", value=time, aria_invalid="true")
    assert "Kept as typed" in html
    assert bool(tags(html, "html")) is not bool(headers)  # the page without htmx, the block with it
    assert not Note.objects.exists()


def test_an_empty_note_is_refused(learner_client, course):
    response = learner_client.post(ADD, {"body": "  \r\n ", "time": "1:00"})
    assert response.status_code == 422
    assert "Write something in the note first." in text(response.content.decode())
    assert not Note.objects.exists()


def test_a_note_holds_ten_thousand_characters_counting_a_line_break_as_one(learner_client, learner, course):
    # Browsers send CR LF; the limit counts the text as stored, with LF alone.
    body = ("x" * 99 + "\r\n") * 99 + "x" * 100
    assert learner_client.post(ADD, {"body": body}).status_code == 303
    assert len(Note.objects.get(user=learner).body) == 10_000


def test_a_longer_note_is_refused_with_its_length(learner_client, course):
    response = learner_client.post(ADD, {"body": "x" * 10_001})
    assert response.status_code == 422
    assert "A note can be at most 10,000 characters long; this one has 10,001." in text(response.content.decode())
    assert not Note.objects.exists()


def test_the_database_refuses_what_the_form_would(learner, course):
    lecture = Lecture.objects.get(slug="design-doc")
    for values in [{"body": "x" * 10_001}, {"body": ""}, {"body": "x", "seconds": 100 * 3600}]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Note.objects.create(user=learner, lecture=lecture, html="", **values)


def test_a_learner_has_at_most_two_thousand_notes(learner_client, learner, course):
    lecture = Lecture.objects.get(slug="design-doc")
    Note.objects.bulk_create(
        Note(user=learner, lecture=lecture, body=f"n{n}", html="") for n in range(NOTES_PER_LEARNER)
    )
    response = learner_client.post(ADD, {"body": "one more"}, **HTMX)
    assert response.status_code == 422
    assert "You have 2,000 notes, as many as the portal keeps for one learner." in text(response.content.decode())
    assert Note.objects.filter(user=learner).count() == NOTES_PER_LEARNER
    # Deleting one makes room again.
    Note.objects.filter(user=learner).first().delete()
    assert learner_client.post(ADD, {"body": "one more"}).status_code == 303


@override_settings(NOTE_CHANGES_PER_MINUTE=2)
def test_changes_are_throttled(learner_client, course):
    assert learner_client.post(ADD, {"body": "one"}).status_code == 303
    assert learner_client.post(ADD, {"body": "two"}).status_code == 303
    response = learner_client.post(ADD, {"body": "three"}, **HTMX)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert Note.objects.count() == 2


# --- Editing and deleting ---------------------------------------------------


def test_htmx_edit_swaps_the_note_for_its_form_and_back(learner_client, learner, course):
    note = note_of(learner)
    html = learner_client.get(urls(note)["edit"], **HTMX).content.decode()
    assert tags(html, "li", id=f"note-{note.pk}")
    assert tags(html, "textarea", id=f"note-{note.pk}-body", autofocus="")
    assert "**Drift** matters" in html
    assert tags(html, "input", id=f"note-{note.pk}-time", value="2:05")
    # Cancel brings the note back as it is shown.
    html = learner_client.get(urls(note)["note"], **HTMX).content.decode()
    assert tags(html, "strong")
    assert not tags(html, "textarea")

    response = learner_client.post(urls(note)["edit"], {"body": "Concept _drift_", "time": ""}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert tags(html, "em")
    assert not tags(html, "textarea")
    assert "Note saved." in text(html)
    note.refresh_from_db()
    assert (note.body, note.seconds) == ("Concept _drift_", None)


def test_plain_edit_shows_the_lecture_page_with_the_form_and_saves_with_a_redirect(learner_client, learner, course):
    note = note_of(learner)
    html = learner_client.get(urls(note)["edit"]).content.decode()
    assert tags(html, "h1", id="lecture-title")
    assert tags(html, "form", action=urls(note)["edit"])
    response = learner_client.post(urls(note)["edit"], {"body": "Rewritten", "time": "1:02:03"})
    assert response.status_code == 303
    assert response["Location"] == f"{LECTURE}#note-{note.pk}"
    note.refresh_from_db()
    assert (note.body, note.seconds, note.html) == ("Rewritten", 3723, "<p>Rewritten</p>\n")
    # Without htmx, the note's own address leads to it on the lecture page.
    assert learner_client.get(urls(note)["note"])["Location"] == f"{LECTURE}#note-{note.pk}"


def test_a_bad_edit_keeps_the_note_as_it_was(learner_client, learner, course):
    note = note_of(learner)
    response = learner_client.post(urls(note)["edit"], {"body": "Changed", "time": "0:61"}, **HTMX)
    assert response.status_code == 422
    assert "Seconds go up to 59" in text(response.content.decode())
    note.refresh_from_db()
    assert note.body == "**Drift** matters"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_it_deletes_a_note_and_a_repeat_is_harmless(learner_client, learner, course, headers):
    note, kept = note_of(learner), note_of(learner, body="kept")
    for _ in range(2):
        response = learner_client.post(urls(note)["delete"], **headers)
        assert response.status_code == (200 if headers else 303)
    assert list(Note.objects.values_list("pk", flat=True)) == [kept.pk]
    if headers:
        assert "Note deleted." in text(response.content.decode())
        assert not tags(response.content.decode(), "li", id=f"note-{note.pk}")
    else:
        assert response["Location"] == f"{LECTURE}#notes-title"


# --- Who may do what --------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, learner, course):
    note = note_of(learner)
    for method, url in [("post", ADD), ("get", urls(note)["note"]), ("get", urls(note)["edit"]),
                        ("post", urls(note)["edit"]), ("post", urls(note)["delete"])]:  # fmt: skip
        response = getattr(client, method)(url, {"body": "x"})
        assert response.status_code == 302, url
        assert response["Location"] == f"/accounts/login/?next={LECTURE}"
        response = getattr(client, method)(url, {"body": "x"}, **HTMX)
        assert response["HX-Redirect"] == f"/accounts/login/?next={LECTURE}", url
    assert Note.objects.get().body == "**Drift** matters"


def test_another_learner_can_neither_see_nor_change_a_note(other_client, learner, course):
    note = note_of(learner, body="my secret thought")
    assert "my secret thought" not in other_client.get(LECTURE).content.decode()
    assert other_client.get(urls(note)["note"], **HTMX).status_code == 404
    assert other_client.get(urls(note)["edit"]).status_code == 404
    assert other_client.post(urls(note)["edit"], {"body": "defaced"}).status_code == 404
    # Deleting answers as for a note already gone: nothing says the note exists, and it stays.
    assert other_client.post(urls(note)["delete"]).status_code == 303
    note.refresh_from_db()
    assert note.body == "my secret thought"


def test_staff_see_no_learners_notes(staff_client, learner, course):
    note = note_of(learner, body="my secret thought")
    assert "my secret thought" not in staff_client.get(LECTURE).content.decode()
    assert staff_client.get(urls(note)["edit"]).status_code == 404
    assert "my secret thought" not in staff_client.get("/admin/progress/").content.decode()
    assert staff_client.get("/admin/progress/note/").status_code == 404
    # Deleting the account lists what goes as counts and names, never the text.
    html = staff_client.get(f"/admin/accounts/user/{learner.pk}/delete/").content.decode()
    assert "my secret thought" not in html
    assert "Drift" not in html


def test_notes_on_a_lecture_are_404_for_unknown_or_unpublished_lectures(learner_client, learner, course):
    note = note_of(learner)
    Lecture.objects.filter(slug="design-doc").update(status="draft")
    assert learner_client.post(ADD, {"body": "x"}).status_code == 404
    assert learner_client.get(urls(note)["edit"]).status_code == 404
    assert learner_client.post("/lectures/lecture-11/notes/", {"body": "x"}).status_code == 404
    assert learner_client.post("/lectures/no-such-lecture/notes/", {"body": "x"}).status_code == 404
    # A note belongs to the lecture in its address.
    wrong = f"/lectures/training-data/notes/{note.pk}/edit/"
    assert learner_client.get(wrong).status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_wrong_methods_are_405(learner_client, learner, course, method):
    note = note_of(learner)
    assert getattr(learner_client, method)(ADD).status_code == 405
    assert getattr(learner_client, method)(urls(note)["delete"]).status_code == 405
    if method != "get":
        assert getattr(learner_client, method)(urls(note)["edit"]).status_code == 405
        assert getattr(learner_client, method)(urls(note)["note"]).status_code == 405


def test_missing_csrf_token_is_403(learner, course):
    note = note_of(learner)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    assert browser.post(ADD, {"body": "x"}).status_code == 403
    assert browser.post(urls(note)["edit"], {"body": "x"}, **HTMX).status_code == 403
    assert browser.post(urls(note)["delete"]).status_code == 403
    assert Note.objects.count() == 1


def test_the_notes_block_speaks_russian(learner, course):
    note_of(learner)
    browser = Client(HTTP_ACCEPT_LANGUAGE="ru")
    browser.force_login(learner)
    html = text(browser.get(LECTURE).content.decode())
    for words in ["Ваши заметки", "Добавить заметку", "Время в записи", "Смотреть с 2:05", "Удалить эту заметку"]:
        assert words in html, words


# --- Export -----------------------------------------------------------------


def test_the_export_holds_every_note_in_course_order_with_links_into_the_video(
    learner_client, learner, other_learner, course
):
    note_of(learner, body="Design doc at the end", seconds=3750)
    note_of(learner, body="# A heading\n\n- and\n- a list", seconds=None)
    note_of(learner, body="Sampling matters", seconds=65, slug="training-data")
    note_of(learner, body="First lecture", seconds=None, slug="ml-in-practice")
    note_of(other_learner, body="not mine")
    response = learner_client.get("/progress/notes.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my-notes.md"'
    assert "no-store" in response["Cache-Control"]
    markdown = b"".join(response.streaming_content).decode()
    assert markdown.startswith("# Notes: ML System Design Course 2022\n")
    assert "not mine" not in markdown
    # Lectures in course order: main lectures, then bonus ones.
    assert markdown.index("## Lecture 1:") < markdown.index("## Lecture 3:") < markdown.index("## Bonus 2:")
    assert "<http://testserver/lectures/design-doc/>" in markdown
    assert "- [1:02:30](https://www.youtube.com/watch?v=PW9TGNr1Vqk&t=3750s)\n\n  Design doc at the end\n" in markdown
    # Where the lecture has no video of its own, the time is text.
    assert "- 1:05\n\n  Sampling matters\n" in markdown
    # A note's own Markdown stays inside its list item.
    assert "- # A heading\n\n  - and\n  - a list\n" in markdown


def test_the_export_is_the_learners_own(client):
    response = client.get("/progress/notes.md")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/progress/notes.md"


# --- Concurrency (PostgreSQL) -----------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL")
def test_notes_added_at_once_never_pass_the_limit(course, learner):
    from .test_concurrency import run_together

    lecture = Lecture.objects.get(slug="design-doc")
    Note.objects.bulk_create(
        Note(user=learner, lecture=lecture, body=f"n{n}", html="") for n in range(NOTES_PER_LEARNER - 2)
    )
    # As many at once as the connection pool serves beside the test's own connection: a request
    # left waiting for a connection is answered 503, which is the pool's promise, not this one's.
    browsers = []
    for _ in range(settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"] - 1):
        browser = Client()
        browser.force_login(learner)
        browsers.append(browser)
    results, errors = run_together(
        [lambda browser=browser: browser.post(ADD, {"body": "at once"}).status_code for browser in browsers]
    )
    assert errors == []
    assert sorted(results) == [303] * 2 + [422] * (len(browsers) - 2)
    assert Note.objects.filter(user=learner).count() == NOTES_PER_LEARNER
