from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from progress.models import LectureProgress


@pytest.mark.browser_context_args(timezone_id="Europe/Moscow")
def test_times_are_shown_in_the_browsers_time_zone(learner_page, site):
    page = learner_page
    # The first page the browser loads reports its zone; the next one uses it.
    page.goto(site + "/lectures/training-data/")
    page.get_by_role("button", name="Watched", exact=True).click()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "1")
    LectureProgress.objects.filter(user=page.learner).update(watched_at=datetime(2026, 3, 1, 21, 30, tzinfo=UTC))
    page.goto(site + "/progress/")
    expect(page.get_by_text("Times are in Europe/Moscow")).to_be_visible()
    # 21:30 UTC is 00:30 the next day in Moscow.
    expect(page.get_by_role("row", name="Lecture 3")).to_contain_text("2 March 2026, 00:30")
