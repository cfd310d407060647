from playwright.sync_api import expect

from progress.models import LectureProgress


def test_m_marks_and_unmarks_the_lecture(learner_page, site):
    page = learner_page
    page.goto(site + "/lectures/training-data/")
    toggle = page.get_by_role("button", name="Watched", exact=True)
    page.keyboard.press("m")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("status").filter(has_text="Lecture 3 marked as watched")).to_have_count(1)
    page.keyboard.press("m")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#watched-announcement")).to_have_text("Lecture 3 marked as not watched")
    assert not LectureProgress.objects.filter(user=page.learner).exists()


def test_n_and_p_go_to_the_next_and_previous_lecture(page, site):
    page.goto(site + "/lectures/training-data/")
    page.keyboard.press("n")
    expect(page).to_have_url(site + "/lectures/feature-engineering/")
    page.wait_for_load_state()
    page.keyboard.press("p")
    expect(page).to_have_url(site + "/lectures/training-data/")
    page.wait_for_load_state()
    page.keyboard.press("p")
    expect(page).to_have_url(site + "/lectures/design-foundations/")


def test_question_mark_opens_the_help_and_escape_closes_it(page, site):
    page.goto(site + "/lectures/training-data/")
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Next lecture")
    # Shortcuts rest while the help is open.
    page.keyboard.press("n")
    expect(page).to_have_url(site + "/lectures/training-data/")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_shortcuts_never_fire_while_typing(page, site):
    page.goto(site + "/lectures/training-data/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('afterbegin', '<label>Note <input id=note></label>')"
    )
    page.locator("#note").type("mnp?")
    expect(page.locator("#note")).to_have_value("mnp?")
    expect(page).to_have_url(site + "/lectures/training-data/")
    expect(page.get_by_role("dialog")).to_be_hidden()


def test_shortcuts_leave_browser_keys_alone(page, site):
    page.goto(site + "/lectures/training-data/")
    page.keyboard.press("Control+n")
    page.keyboard.press("Alt+p")
    expect(page).to_have_url(site + "/lectures/training-data/")


def test_everything_is_reachable_with_tab(learner_page, site):
    page = learner_page
    page.goto(site + "/lectures/training-data/")
    reached = []
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    for target in ["Skip to content", "watched-button", "Keyboard shortcuts ?"]:
        assert target in reached, target
    assert any(text.startswith("Next · Lecture 4") for text in reached)
    # The skip link comes first and takes focus into the main content.
    page.goto(site + "/lectures/training-data/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


def test_focus_stays_on_the_toggle_after_the_swap(learner_page, site):
    page = learner_page
    page.goto(site + "/lectures/training-data/")
    toggle = page.locator("#watched-button")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(toggle).to_be_focused()
