"""The staff pages in Chromium: axe finds nothing serious in either theme, the CSP holds, and a screenshot of each."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User

from .conftest import sign_in
from .test_accessibility import serious_violations

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def staff_page(site, context, page):
    from ..conftest import make_user

    # Some learners to count, with the drop-off the seed gives them.
    call_command("seed_learners", "--learners", "300", "--seed", "16", stdout=None, stderr=None)
    sign_in(context, site, make_user("browser-staff@example.org", is_staff=True, is_superuser=True))
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def look(page, name, scheme):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-desktop-{scheme}.png", full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_analytics_page_passes_axe(staff_page, site, scheme, console_errors):
    page = staff_page
    page.emulate_media(color_scheme=scheme)
    page.goto(site + "/admin/analytics/?period=all")
    expect(page.get_by_role("heading", name="The funnel, in course order")).to_be_visible()
    # The charts are images with the numbers in words, and a table behind each.
    chart = page.get_by_role("img", name="Watched changes per week")
    expect(chart).to_be_visible()
    page.get_by_text("The numbers as a table").first.click()
    expect(page.get_by_role("table").nth(3)).to_be_visible()
    # The figures say when they were counted, and staff can count them now: the page comes back.
    page.get_by_role("button", name="Count now").click()
    expect(page).to_have_url(site + "/admin/analytics/?period=all")
    expect(page.get_by_text("Counted at")).to_contain_text("0 minutes ago")
    assert serious_violations(page) == []
    assert console_errors == []
    look(page, "analytics", scheme)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_learners_timeline_passes_axe(staff_page, site, scheme, console_errors):
    page = staff_page
    page.emulate_media(color_scheme=scheme)
    learner = User.objects.filter(email__endswith="@learners.invalid", lecture_progress__isnull=False).first()
    page.goto(site + f"/admin/analytics/learners/{learner.pk}/")
    # Support marks a lecture for the learner: the page comes back saying so, and the timeline shows it.
    page.get_by_role("button", name="Mark not watched").first.click()
    expect(page.locator(".messagelist")).to_contain_text("not watched for the learner")
    expect(page.locator(".timeline__item").first).to_contain_text("staff")
    assert serious_violations(page) == []
    assert console_errors == []
    look(page, "timeline", scheme)


def test_the_course_file_preview_passes_axe(staff_page, site, console_errors, tmp_path):
    page = staff_page
    text = (Path(__file__).resolve().parents[2] / "lectures/data/ml-system-design-2022.yaml").read_text()
    upload = tmp_path / "course.yaml"
    upload.write_text(text.replace("title_en: Deploying ML systems", "title_en: Deploying machine learning systems"))
    page.goto(site + "/admin/lectures/course/import/")
    page.locator("#id_file").set_input_files(upload)
    page.get_by_role("button", name="Preview the changes").click()
    expect(page.get_by_text('"Deploying machine learning systems"')).to_be_visible()
    assert serious_violations(page) == []
    look(page, "course-file-preview", "light")
    page.get_by_role("button", name="Apply these changes").click()
    expect(page.locator(".messagelist")).to_contain_text("Imported the course file course.yaml")
    assert console_errors == []
