"""Second factors in Chromium: an authenticator app and a passkey, set up and used to sign in."""

import time

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD, make_user, totp_code


def sign_in_with_password(page, site, email):
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()


def confirm_password_if_asked(page):
    if "/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()


def sign_out(page, site):
    page.goto(site + "/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def next_code(secret):
    """A code from the next 30-second step: the one just used is never accepted twice."""
    step = 30 - time.time() % 30
    time.sleep(step + 0.5)
    return totp_code(secret)


def test_a_learner_sets_up_an_authenticator_app_and_signs_in_with_it(page, site, console_errors):
    make_user("totp@example.org")
    sign_in_with_password(page, site, "totp@example.org")
    page.goto(site + "/accounts/2fa/totp/activate/")
    confirm_password_if_asked(page)
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    expect(page.get_by_role("img")).to_be_visible()  # the QR code
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Authenticator app activated.")).to_be_visible()

    sign_out(page, site)
    sign_in_with_password(page, site, "totp@example.org")
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_label("Code").fill(next_code(secret))
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page).to_have_url(site + "/")
    expect(page.get_by_role("link", name="Progress")).to_be_visible()
    assert console_errors == []


@pytest.fixture
def authenticator(page):
    """Chromium's virtual authenticator: a passkey store with a PIN or fingerprint that always says yes."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    added = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return session, added["authenticatorId"]


def test_a_learner_adds_a_passkey_and_signs_in_with_it_alone(page, site, authenticator, console_errors):
    make_user("passkey@example.org")
    assert site.startswith("http://localhost:")  # WebAuthn needs a secure context: localhost is one
    sign_in_with_password(page, site, "passkey@example.org")
    page.goto(site + "/accounts/2fa/webauthn/add/?passwordless=1")
    confirm_password_if_asked(page)
    page.get_by_label("Name").fill("Laptop")
    page.get_by_label("Passwordless").check()
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Security key added.")).to_be_visible()
    session, authenticator_id = authenticator
    credentials = session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert [credential["isResidentCredential"] for credential in credentials] == [True]

    sign_out(page, site)
    page.goto(site + "/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page).to_have_url(site + "/")
    expect(page.get_by_role("link", name="Progress")).to_be_visible()
    assert console_errors == []
