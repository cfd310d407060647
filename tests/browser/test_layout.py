"""Small things people see at once: spacing, the phone's header, the keyboard hint, the syllabus beside a lecture."""

import pytest
from playwright.sync_api import expect

# The gap between the end of an element's first text and the left edge of another element.
GAP_SCRIPT = """([text, other]) => {
    const range = document.createRange();
    range.selectNodeContents(text.firstChild);
    return other.getBoundingClientRect().left - range.getBoundingClientRect().right;
}"""


def gap(page, text, other):
    return page.evaluate(GAP_SCRIPT, [text.element_handle(), other.element_handle()])


def test_the_site_name_and_the_year_are_apart(page, site):
    page.goto(site + "/")
    name = page.locator(".site-name")
    assert gap(page, name, name.locator("span")) >= 3


def test_an_address_and_its_badges_are_apart(learner_page, site):
    learner_page.goto(site + "/accounts/email/")
    label = learner_page.locator(".field--checkbox label").first
    expect(label).to_contain_text("browser-learner@example.org")
    assert gap(learner_page, label, label.locator(".badge").first) >= 3


@pytest.mark.parametrize("width", [360, 390])
def test_the_signed_in_header_takes_two_rows_on_a_phone(learner_page, site, width):
    learner_page.set_viewport_size({"width": width, "height": 800})
    learner_page.goto(site + "/")
    header = learner_page.locator(".site-header").bounding_box()
    # A row is a 44 px target: two rows and the padding around them.
    assert header["height"] <= 2 * 44 + 24, header
    assert learner_page.evaluate("document.documentElement.scrollWidth") <= width
    # The theme menu keeps its name for screen readers when only its icon shows.
    expect(learner_page.locator(".theme-menu summary")).to_have_accessible_name("Theme")


@pytest.mark.browser_context_args(has_touch=True, is_mobile=True, viewport={"width": 390, "height": 800})
def test_touch_only_devices_get_no_keyboard_hint(page, site):
    page.goto(site + "/lectures/design-doc/")
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_hidden()


def test_keyboards_get_the_keyboard_hint(page, site):
    page.goto(site + "/lectures/design-doc/")
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_visible()


@pytest.mark.parametrize("slug", ["design-doc", "ml-in-business-processes", "ml-in-practice"])
def test_the_syllabus_beside_a_lecture_shows_the_current_one(page, site, slug):
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(site + f"/lectures/{slug}/")
    aside = page.locator(".syllabus-aside").bounding_box()
    current = page.locator(".syllabus-aside [aria-current='page']").bounding_box()
    assert aside["y"] <= current["y"]
    assert current["y"] + current["height"] <= aside["y"] + aside["height"]
