"""Notes at the video's time, the reading list item by item and a pace plan, in Chromium.

The machine has no internet: a tiny page stands in for YouTube's player and answers
the IFrame API's messages as the real one does (initialDelivery, onReady, infoDelivery).
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from lectures.models import Lecture
from progress.models import Note, PacePlan, ReadingProgress, add_note

from .test_accessibility import serious_violations

LECTURE = "/lectures/design-doc/"  # Bonus 2: its own video, one reading item

FAKE_PLAYER = """<!doctype html>
<html><body><p id="state">waiting</p><p id="time">0</p>
<script>
const params = new URLSearchParams(location.search);
let id = null;
let time = Number(params.get("start") || 125);
const playing = 1;
function show() { document.getElementById("time").textContent = String(time); }
function send(message) {
  parent.postMessage(JSON.stringify(Object.assign({ id: id, channel: "widget" }, message)), params.get("origin"));
}
window.addEventListener("message", (event) => {
  const data = JSON.parse(event.data);
  id = data.id;
  if (data.event === "listening") {
    document.getElementById("state").textContent = "listening";
    send({ event: "initialDelivery", info: { currentTime: time, playerState: playing } });
    send({ event: "onReady", info: {} });
  } else if (data.event === "command" && data.func === "seekTo") {
    time = data.args[0];
    document.getElementById("state").textContent = "seeked";
    show();
    send({ event: "infoDelivery", info: { currentTime: time, playerState: playing } });
  }
});
// The test moves the video on, as playing would.
window.playOn = (seconds) => {
  time = seconds;
  show();
  send({ event: "infoDelivery", info: { currentTime: time, playerState: playing } });
};
show();
</script></body></html>"""


@pytest.fixture
def fake_player(page):
    """Stand in for the privacy-enhanced player; the list collects the addresses the page asked for."""
    asked = []

    def answer(route):
        asked.append(route.request.url)
        route.fulfill(body=FAKE_PLAYER, content_type="text/html")

    page.route("https://www.youtube-nocookie.com/**", answer)
    return asked


def player_frame(page):
    return next(frame for frame in page.frames if "youtube-nocookie.com" in frame.url)


def test_a_note_takes_the_videos_time_and_its_time_moves_the_player(learner_page, site, fake_player, console_errors):
    page = learner_page
    page.goto(site + LECTURE)
    page.evaluate("window.sameDocument = true")
    assert fake_player == []  # nothing from YouTube before play

    page.get_by_role("link", name="Play the recording: Bonus 2").click()
    [address] = fake_player
    query = parse_qs(urlsplit(address).query)
    # The player takes commands only because it was made on press, for this page's origin.
    assert (query["enablejsapi"], query["origin"], query["autoplay"]) == (["1"], [site], ["1"])
    player = page.frame_locator(".video__frame iframe")
    expect(player.locator("#state")).to_have_text("listening")
    expect(page.get_by_role("button", name="Use the video's time")).to_be_visible()

    # Writing while the video plays takes the player's time (125 s).
    page.get_by_label("Note", exact=True).fill("The **template** is on GitHub")
    expect(page.get_by_label("Time in the video")).to_have_value("2:05")
    page.get_by_role("button", name="Add note").click()

    note = page.locator(".notes__list .note").first
    expect(note).to_contain_text("The template is on GitHub")
    expect(note.locator("strong")).to_have_text("template")
    expect(page.locator("#notes-announcement")).to_have_text("Note added.")
    expect(page.get_by_label("Note", exact=True)).to_be_focused()  # ready for the next note
    assert Note.objects.get(user=page.learner).seconds == 125
    assert page.evaluate("window.sameDocument") is True

    # The video plays on; the note's time takes the player back to it.
    player_frame(page).evaluate("playOn(300)")
    expect(player.locator("#time")).to_have_text("300")
    page.get_by_role("link", name="Play from 2:05").click()
    expect(player.locator("#state")).to_have_text("seeked")
    expect(player.locator("#time")).to_have_text("125")
    assert page.url == site + LECTURE

    # "Use the video's time" takes it whenever asked.
    page.get_by_role("button", name="Use the video's time").click()
    expect(page.get_by_label("Time in the video")).to_have_value("2:05")
    assert console_errors == []


def test_a_notes_time_starts_the_player_there(learner_page, site, fake_player, console_errors):
    page = learner_page
    add_note(user=page.learner, lecture=Lecture.objects.get(slug="design-doc"), body="Risks", seconds=3750)
    page.goto(site + LECTURE)
    page.get_by_role("link", name="Play from 1:02:30").click()
    expect(page.frame_locator(".video__frame iframe").locator("#time")).to_have_text("3750")
    [address] = fake_player
    assert parse_qs(urlsplit(address).query)["start"] == ["3750"]
    assert console_errors == []


def test_notes_are_edited_and_deleted_in_place(learner_page, site, console_errors):
    page = learner_page
    add_note(user=page.learner, lecture=Lecture.objects.get(slug="training-data"), body="First draft", seconds=60)
    page.goto(site + "/lectures/training-data/")
    page.evaluate("window.sameDocument = true")

    page.get_by_role("link", name="Edit this note").click()
    text = page.locator(".note textarea")
    expect(text).to_be_focused()
    expect(text).to_have_value("First draft")
    text.fill("Second _draft_")
    page.locator(".note input[name='time']").fill("1:60")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".note")).to_contain_text("Seconds go up to 59")
    page.locator(".note input[name='time']").fill("1:59")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".note em")).to_have_text("draft")
    expect(page.locator(".note")).to_be_focused()
    expect(page.locator("#notes-announcement")).to_have_text("Note saved.")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete this note").click()
    expect(page.locator(".note")).to_have_count(0)
    expect(page.locator("#notes-announcement")).to_have_text("Note deleted.")
    expect(page.get_by_role("heading", name="Your notes")).to_be_focused()
    assert not Note.objects.exists()
    assert page.evaluate("window.sameDocument") is True
    # Chromium logs every 4xx answer; the 422 that brought the form back with its error was meant.
    assert [error for error in console_errors if "status of 422" not in error] == []


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_notes_work_without_javascript(learner_page, site):
    page = learner_page
    page.goto(site + "/lectures/training-data/")
    page.get_by_label("Time in the video").fill("3:05")
    page.get_by_label("Note", exact=True).fill("Plain form")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Add note").click()
    assert posted.value.status == 303
    expect(page.locator(".note")).to_contain_text("Plain form")
    page.get_by_role("link", name="Edit this note").click()
    page.locator(".note textarea").fill("Plain form, edited")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".note")).to_contain_text("Plain form, edited")
    page.get_by_role("button", name="Delete this note").click()
    expect(page.locator(".note")).to_have_count(0)


def test_a_reading_item_is_marked_read_in_place(learner_page, site, console_errors):
    page = learner_page
    page.goto(site + LECTURE)
    page.evaluate("window.sameDocument = true")
    toggle = page.get_by_role("button", name="Read: ML System Design Doc template")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#reading-count")).to_have_text("Optional: 0 of 1 read")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#reading-count")).to_have_text("Optional: 1 of 1 read")
    expect(page.locator("#reading-announcement")).to_contain_text("Marked as read")
    assert ReadingProgress.objects.filter(user=page.learner).count() == 1
    assert page.evaluate("window.sameDocument") is True
    assert console_errors == []


def test_a_learner_makes_a_plan_and_gets_a_calendar_link(learner_page, site, console_errors):
    page = learner_page
    page.goto(site + "/")
    page.get_by_role("link", name="Make a study plan").click()
    page.get_by_label("A number of lectures a week").check()
    page.get_by_label("Lectures a week", exact=True).fill("2")
    page.get_by_label("Saturday").check()
    page.get_by_role("button", name="Lay out the plan from today").click()
    expect(page.get_by_text("Your plan is laid out from today.")).to_be_visible()
    expect(page.locator(".plan-status")).to_contain_text("On track")
    plan = PacePlan.objects.get(user=page.learner)
    assert plan.weekday_set == {1, 3, 5}
    # The browser reported its time zone, and the plan is laid out in it.
    assert plan.time_zone == page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")

    page.get_by_role("button", name="Make a calendar link").click()
    link = page.get_by_role("textbox", name="Calendar link").input_value()
    feed = page.request.get(link)
    assert feed.status == 200
    assert feed.text().startswith("BEGIN:VCALENDAR")
    page.goto(site + "/progress/")
    expect(page.locator(".plan-status")).to_contain_text("On track")
    assert console_errors == []


def study_tools_in_use(page, site):
    """A plan, a note with its edit form open and a read item, as a learner has them."""
    page.goto(site + "/progress/plan/")
    page.get_by_role("button", name="Lay out the plan from today").click()
    page.get_by_role("button", name="Make a calendar link").click()
    add_note(user=page.learner, lecture=Lecture.objects.get(slug="design-doc"), body="**A** note", seconds=65)
    page.goto(site + LECTURE)
    page.get_by_role("button", name="Read: ML System Design Doc template").click()
    expect(page.locator("#reading-count")).to_have_text("Optional: 1 of 1 read")


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_study_tools_pass_axe(learner_page, site, fake_player, scheme, width):
    page = learner_page
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    study_tools_in_use(page, site)
    found = {}
    for path in [LECTURE, "/progress/plan/", "/", "/progress/"]:
        page.goto(site + path)
        found[path] = serious_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    # The player made and the note being edited.
    page.goto(site + LECTURE)
    page.get_by_role("link", name="Play the recording: Bonus 2").click()
    page.get_by_role("link", name="Edit this note").click()
    expect(page.locator(".note textarea")).to_be_focused()
    found["editing"] = serious_violations(page)
    assert found == {path: [] for path in found}


@pytest.mark.parametrize("width", [360, 1280])
def test_the_study_tools_targets_are_large_enough(learner_page, site, width):
    from .test_targets import SMALL_TARGETS

    page = learner_page
    page.set_viewport_size({"width": width, "height": 900})
    study_tools_in_use(page, site)
    for path in [LECTURE, "/progress/plan/", "/", "/progress/"]:
        page.goto(site + path)
        assert page.evaluate(SMALL_TARGETS) == [], path
