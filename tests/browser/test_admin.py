import pytest
from playwright.sync_api import expect

from lectures.models import Lecture

from .conftest import sign_in


def test_the_admin_works_under_the_strict_csp(site, context, page, console_errors):
    from ..conftest import make_user

    sign_in(context, site, make_user("browser-staff@example.org", is_staff=True, is_superuser=True))
    lecture = Lecture.objects.get(slug="failure-diagnosis")
    for path in ["/admin/", "/admin/lectures/lecture/", f"/admin/lectures/lecture/{lecture.pk}/change/"]:
        page.goto(site + path)
        expect(page.locator("#content")).to_be_visible()
    # The inline formset's "Add another" link is built by the admin's JavaScript.
    expect(page.get_by_text("Add another Reading item")).to_be_visible()
    assert console_errors == []


@pytest.fixture
def staff_page(site, context, page):
    from ..conftest import make_user

    sign_in(context, site, make_user("browser-staff@example.org", is_staff=True, is_superuser=True))
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def test_the_reading_list_fits_the_lecture_form(staff_page, site):
    lecture = Lecture.objects.get(slug="failure-diagnosis")
    staff_page.goto(site + f"/admin/lectures/lecture/{lecture.pk}/change/")
    inline = staff_page.locator("#reading_items-group").bounding_box()
    column = staff_page.locator("#content-main").bounding_box()
    assert inline["x"] + inline["width"] <= column["x"] + column["width"]
    assert staff_page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_the_lecture_list_reads_on_one_line_a_lecture(staff_page, site):
    staff_page.goto(site + "/admin/lectures/lecture/")
    rows = staff_page.locator("#result_list tbody tr")
    expect(rows).to_have_count(16)
    heights = [rows.nth(index).bounding_box()["height"] for index in range(16)]
    # A row of one line of text is about 35 px high; a wrapped title makes it 50 or more.
    assert max(heights) < 45, heights
    assert staff_page.evaluate("document.documentElement.scrollWidth") <= 1280
