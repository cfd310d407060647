from playwright.sync_api import expect

from ..conftest import PASSWORD, make_user


def test_a_learner_signs_in_and_lands_on_their_progress(page, site, console_errors):
    make_user("reader@example.org")
    page.goto(site + "/lectures/training-data/")
    page.get_by_role("link", name="Sign in", exact=True).last.click()
    page.get_by_label("Email").fill("reader@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    # Back on the lecture the learner came from, with the toggle now there.
    expect(page).to_have_url(site + "/lectures/training-data/")
    expect(page.get_by_role("button", name="Watched", exact=True)).to_be_visible()
    page.goto(site + "/")
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    assert console_errors == []


def test_a_wrong_password_is_explained(page, site):
    make_user("reader@example.org")
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill("reader@example.org")
    page.get_by_label("Password").fill("not the right one")
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_text("The email address and/or password you specified are not correct.")).to_be_visible()
