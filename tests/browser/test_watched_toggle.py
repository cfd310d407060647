import pytest
from playwright.sync_api import expect

from progress.models import LectureProgress


def progressbar(page):
    return page.get_by_role("progressbar")


def test_the_toggle_swaps_in_place_and_updates_the_bar(learner_page, site, console_errors):
    page = learner_page
    page.goto(site + "/lectures/training-data/")
    # A marker on the window survives only if the page is never reloaded.
    page.evaluate("window.__sameDocument = true")
    toggle = page.get_by_role("button", name="Watched", exact=True)
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(progressbar(page)).to_have_attribute("aria-valuenow", "0")

    toggle.click()

    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(progressbar(page)).to_have_attribute("aria-valuenow", "1")
    expect(page.get_by_text("1 of 10", exact=False)).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    assert LectureProgress.objects.filter(user=page.learner, lecture__slug="training-data").exists()

    toggle.click()

    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(progressbar(page)).to_have_attribute("aria-valuenow", "0")
    assert page.evaluate("window.__sameDocument") is True
    assert not LectureProgress.objects.filter(user=page.learner).exists()
    assert console_errors == []


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_the_toggle_works_without_javascript(learner_page, site):
    page = learner_page
    page.goto(site + "/lectures/training-data/")
    assert page.evaluate("typeof window.htmx") == "undefined"  # no page script ran
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Watched", exact=True).click()
    assert posted.value.status == 303
    # The plain form posted and the server redirected back (303) to the lecture.
    expect(page).to_have_url(site + "/lectures/training-data/")
    expect(page.get_by_role("button", name="Watched", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(progressbar(page)).to_have_attribute("aria-valuenow", "1")

    page.get_by_role("button", name="Watched & next").click()
    expect(page).to_have_url(site + "/lectures/feature-engineering/")
    expect(progressbar(page)).to_have_attribute("aria-valuenow", "1")
