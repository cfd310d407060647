"""Screenshots of the home and a lecture page, desktop and phone, light and dark: test artefacts for review."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PAGES = {"home": "/", "lecture": "/lectures/design-doc/"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_screenshot(learner_page, site, name, size, scheme):
    page = learner_page
    page.set_viewport_size(SIZES[size])
    page.emulate_media(color_scheme=scheme)
    page.goto(site + PAGES[name])
    expect(page.locator("h1")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}-{size}-{scheme}.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 10_000
