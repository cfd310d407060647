"""The Russian interface in a real browser: clean and axe-clean pages, the switcher, shortcuts on a Russian layout."""

import pytest
from playwright.sync_api import expect

from progress.models import LectureProgress

from .test_accessibility import serious_violations

RUSSIAN = {"locale": "ru-RU"}
PUBLIC = ["/", "/lectures/ml-in-practice/", "/lectures/design-doc/", "/accounts/login/", "/accounts/signup/"]
SIGNED_IN = ["/", "/lectures/training-data/", "/progress/", "/accounts/email/"]


def key(page, key, code, shift=False):
    """A key as a Russian layout types it: the character it makes, on the physical key it sits on."""
    page.evaluate(
        "([key, code, shiftKey]) => (document.activeElement || document.body).dispatchEvent("
        "new KeyboardEvent('keydown', {key, code, shiftKey, bubbles: true, cancelable: true}))",
        [key, code, shift],
    )


@pytest.mark.browser_context_args(**RUSSIAN)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_in_russian_are_clean_and_pass_axe(page, site, console_errors, path, scheme):
    page.emulate_media(color_scheme=scheme)
    assert page.goto(site + path).status == 200
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_have_count(1)
    assert serious_violations(page) == []
    assert console_errors == []


@pytest.mark.browser_context_args(**RUSSIAN)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", SIGNED_IN)
def test_signed_in_pages_in_russian_are_clean_and_pass_axe(learner_page, site, console_errors, path, scheme):
    page = learner_page
    page.emulate_media(color_scheme=scheme)
    assert page.goto(site + path).status == 200
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert serious_violations(page) == []
    assert console_errors == []


@pytest.mark.browser_context_args(**RUSSIAN)
def test_the_toggle_speaks_russian(learner_page, site):
    page = learner_page
    page.goto(site + "/lectures/training-data/")
    page.get_by_role("button", name="Просмотрена", exact=True).click()
    expect(page.locator("#watched-announcement")).to_have_text("Лекция 3 отмечена как просмотренная")
    expect(page.get_by_text("Просмотрено 1 из 10 лекций")).to_be_visible()


@pytest.mark.browser_context_args(**RUSSIAN)
def test_m_on_a_russian_layout_marks_the_lecture_watched(learner_page, site):
    page = learner_page
    page.goto(site + "/lectures/training-data/")
    toggle = page.get_by_role("button", name="Просмотрена", exact=True)
    key(page, "ь", "KeyM")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert LectureProgress.objects.filter(user=page.learner, lecture__slug="training-data").exists()


@pytest.mark.browser_context_args(**RUSSIAN)
def test_n_p_and_question_mark_on_a_russian_layout(page, site):
    page.goto(site + "/lectures/training-data/")
    key(page, ",", "Slash", shift=True)  # where ? is on an English layout
    dialog = page.get_by_role("dialog", name="Горячие клавиши")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("ь")
    page.keyboard.press("Escape")
    key(page, "т", "KeyN")
    expect(page).to_have_url(site + "/lectures/feature-engineering/")
    page.wait_for_load_state()
    key(page, "з", "KeyP")
    expect(page).to_have_url(site + "/lectures/training-data/")


@pytest.mark.browser_context_args(**RUSSIAN)
def test_the_switcher_keeps_the_learner_on_the_page(page, site, console_errors):
    page.goto(site + "/lectures/training-data/")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(site + "/lectures/training-data/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert console_errors == []


@pytest.mark.browser_context_args(java_script_enabled=False, **RUSSIAN)
def test_the_switcher_works_without_javascript(page, site):
    page.goto(site + "/progress/")
    page.goto(site + "/lectures/design-doc/")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(site + "/lectures/design-doc/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
