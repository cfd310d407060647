from playwright.sync_api import expect


def test_home_and_a_lecture_page_load_in_a_real_browser(page, site, console_errors):
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Дизайн систем машинного обучения")
    expect(page.locator("li.lecture-row")).to_have_count(16)

    page.get_by_role("link", name="Детально о работе с дизайн-доком").click()
    expect(page).to_have_url(site + "/lectures/design-doc/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Детально о работе с дизайн-доком")
    # htmx loaded from our own origin, under the strict CSP.
    assert page.evaluate("typeof window.htmx") == "object"
    assert console_errors == []
