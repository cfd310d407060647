import pytest
from playwright.sync_api import expect

from accounts.models import User

DARK_BACKGROUND = "rgb(21, 23, 27)"
LIGHT_BACKGROUND = "rgb(251, 250, 247)"


def background(page):
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


@pytest.mark.browser_context_args(color_scheme="dark")
def test_it_follows_a_dark_system(page, site):
    page.goto(site + "/")
    assert background(page) == DARK_BACKGROUND


@pytest.mark.browser_context_args(color_scheme="light")
def test_it_follows_a_light_system(page, site):
    page.goto(site + "/")
    assert background(page) == LIGHT_BACKGROUND


@pytest.mark.browser_context_args(color_scheme="light")
def test_the_switch_changes_the_theme_at_once_and_remembers_it(page, site, console_errors):
    page.goto(site + "/lectures/training-data/")
    page.evaluate("window.__sameDocument = true")
    page.get_by_text("Theme", exact=True).click()
    page.get_by_role("button", name="Dark", exact=True).click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    # The menu closes and gives focus back to its summary; reopened, it marks the choice.
    expect(page.locator(".theme-menu summary")).to_be_focused()
    page.get_by_text("Theme", exact=True).click()
    expect(page.get_by_role("button", name="Dark", exact=True)).to_have_attribute("aria-pressed", "true")
    assert background(page) == DARK_BACKGROUND
    assert page.evaluate("window.__sameDocument") is True

    # On the next page the server renders the theme into the HTML itself: no flash of light.
    response = page.goto(site + "/")
    assert '<html lang="en" data-theme="dark">' in response.text()
    assert background(page) == DARK_BACKGROUND
    assert console_errors == []


@pytest.mark.browser_context_args(color_scheme="dark")
def test_a_learner_choice_follows_them_to_another_browser(learner_page, site, browser):
    page = learner_page
    page.goto(site + "/")
    page.get_by_text("Theme", exact=True).click()
    page.get_by_role("button", name="Light", exact=True).click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert User.objects.get(pk=page.learner.pk).theme == "light"


@pytest.mark.browser_context_args(java_script_enabled=False, color_scheme="light")
def test_the_switch_works_without_javascript(page, site):
    page.goto(site + "/lectures/training-data/")
    page.get_by_text("Theme", exact=True).click()
    page.get_by_role("button", name="Dark", exact=True).click()
    expect(page).to_have_url(site + "/lectures/training-data/")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
