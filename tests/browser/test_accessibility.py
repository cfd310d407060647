"""axe-core in Chromium: no serious or critical violation, in either theme."""

import pytest
from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
PAGES = ["/", "/lectures/training-data/", "/lectures/design-doc/", "/accounts/login/", "/accounts/signup/"]


def serious_violations(page):
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_public_pages_pass_axe(page, site, path, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(site + path)
    assert serious_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/", "/lectures/training-data/", "/progress/"])
def test_signed_in_pages_pass_axe(learner_page, site, path, scheme):
    page = learner_page
    page.emulate_media(color_scheme=scheme)
    page.goto(site + "/lectures/training-data/")
    page.get_by_role("button", name="Watched", exact=True).click()  # some progress to show
    page.goto(site + path)
    assert serious_violations(page) == []


def test_the_help_overlay_passes_axe(page, site):
    page.goto(site + "/lectures/training-data/")
    page.keyboard.press("?")
    assert serious_violations(page) == []


def test_the_check_itself_catches_a_violation(page, site):
    # Proves the axe run above is real: a button without a name is a critical violation.
    page.goto(site + "/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<button></button>')")
    assert any(line.startswith("button-name (critical)") for line in serious_violations(page))


ACCOUNT_PAGES = [
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/webauthn/add/",
    "/accounts/sessions/",
    "/accounts/data/",
    "/accounts/delete/",
    "/accounts/reauthenticate/",
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_second_factor_session_and_data_pages_pass_axe(learner_page, site, scheme):
    from ..conftest import PASSWORD

    page = learner_page
    page.emulate_media(color_scheme=scheme)
    page.goto(site + "/accounts/reauthenticate/?next=/accounts/data/")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    found = {}
    for path in ACCOUNT_PAGES:
        page.goto(site + path)
        assert "/reauthenticate/" not in page.url or path == "/accounts/reauthenticate/", path
        found[path] = serious_violations(page)
    assert found == {path: [] for path in ACCOUNT_PAGES}
