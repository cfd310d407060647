"""A password chosen by someone who never proved they own the address never opens the account.

The attack: sign up with another person's address and a password of your
choosing, then wait for the owner to verify the address (by an emailed
sign-in code, or by the confirmation link in the mail they did not ask for).
"""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.org"
PLANTED = "planted by someone else 123"
OWNERS = "the owner's own passphrase 9"


def plant_password(email=VICTIM):
    attacker = Client()
    attacker.post("/accounts/signup/", {"email": email, "password1": PLANTED, "password2": PLANTED})
    return attacker


def signs_in(email, password):
    browser = Client()
    browser.post("/accounts/login/", {"login": email, "password": password})
    return browser.get("/progress/").status_code == 200


def link_in(message):
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def sign_in_by_code(browser, email=VICTIM):
    response = browser.post("/accounts/login/code/", {"email": email})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.M).group(1)
    return browser.post(response["Location"], {"code": code})


def test_the_planted_password_fails_after_the_owner_signs_in_by_code(course):
    plant_password()
    owner = Client()
    sign_in_by_code(owner)
    assert owner.get("/progress/").status_code == 200
    assert User.objects.get(email=VICTIM).emailaddress_set.get().verified
    assert not signs_in(VICTIM, PLANTED)


def test_the_planted_password_fails_after_the_owner_confirms_the_unsolicited_mail(course):
    plant_password()
    owner = Client()
    owner.post(link_in(mail.outbox[0]))
    assert User.objects.get(email=VICTIM).emailaddress_set.get().verified
    assert not signs_in(VICTIM, PLANTED)
    # Not signed in by the link either: it was opened outside the browser that signed up.
    assert owner.get("/progress/").status_code == 302


def test_the_owner_is_asked_to_choose_their_own_password(course):
    plant_password()
    owner = Client()
    response = sign_in_by_code(owner)
    assert response["Location"] == "/accounts/password/set/"
    response = owner.post("/accounts/password/set/", {"password1": OWNERS, "password2": OWNERS})
    assert response.status_code == 302
    assert signs_in(VICTIM, OWNERS)
    assert not signs_in(VICTIM, PLANTED)


def test_confirming_in_the_browser_that_signed_up_keeps_the_password(course):
    newcomer = plant_password("newcomer@example.org")
    newcomer.post(link_in(mail.outbox[0]))
    assert newcomer.get("/progress/").status_code == 200
    assert signs_in("newcomer@example.org", PLANTED)


def test_a_password_reset_before_confirming_is_the_owners(course):
    plant_password()
    owner = Client()
    owner.post("/accounts/password/reset/", {"email": VICTIM})
    reset_url = owner.get(link_in(mail.outbox[-1])).url
    owner.post(reset_url, {"password1": OWNERS, "password2": OWNERS})
    # The address is still to be confirmed; the owner does it with the first mail, elsewhere.
    Client().post(link_in(mail.outbox[0]))
    assert signs_in(VICTIM, OWNERS)
    assert not signs_in(VICTIM, PLANTED)


def test_a_learner_who_signs_in_by_code_and_has_a_password_is_not_asked_for_one(client, learner, course):
    response = sign_in_by_code(client, learner.email)
    assert response["Location"] == "/"
    assert signs_in(learner.email, PASSWORD)
