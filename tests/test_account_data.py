"""A learner's own data: download all of it, or delete the account and everything with it."""

import base64
import hashlib
import json
import logging
import pickle
from datetime import time, timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone, translation

from accounts.data import related_models
from accounts.models import User
from lectures.models import Lecture
from progress.models import (
    PacePlan,
    PlanChoice,
    ProgressEvent,
    add_note,
    lay_out_plan,
    record_visit,
    set_feed,
    set_read,
    set_watched,
)

from .conftest import PASSWORD, make_user, totp_code

pytestmark = pytest.mark.django_db


TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def signed_in(user):
    """A browser that signed in (password, and code if asked) and then confirmed the password again."""
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    if response["Location"] == "/accounts/2fa/authenticate/":
        browser.post("/accounts/2fa/authenticate/", {"code": totp_code(TOTP_SECRET)})
    browser.post("/accounts/reauthenticate/", {"password": PASSWORD})
    return browser


@pytest.fixture
def busy_learner(course):
    """A learner with some of everything: progress, events, a visit, two sessions, an extra address, a second factor."""
    learner = make_user("busy@example.org")
    learner.emailaddress_set.create(email="busy.second@example.org", verified=False)
    for slug in ["ml-in-practice", "training-data"]:
        set_watched(user=learner, lecture=Lecture.objects.get(slug=slug), watched=True)
    set_watched(user=learner, lecture=Lecture.objects.get(slug="training-data"), watched=False)
    record_visit(user=learner, lecture=Lecture.objects.get(slug="design-doc"))
    # And the study tools: a note, a read item, a pace plan with its calendar link.
    design_doc = Lecture.objects.get(slug="design-doc")
    add_note(user=learner, lecture=design_doc, body="A private *thought*", seconds=125)
    set_read(user=learner, item=design_doc.reading_items.first(), read=True)
    choice = PlanChoice(mode="weekly", weekdays=frozenset({0, 3}), study_time=time(19), per_week=2)
    published = list(Lecture.objects.published().in_course_order())
    lay_out_plan(user=learner, lectures=published, watched=set(), zone_name="Europe/Moscow", choice=choice)
    set_feed(user=learner, feed="on")
    return learner


def add_totp(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})


def exported(browser):
    response = browser.get("/accounts/data/export.json")
    assert response.status_code == 200
    return response, json.loads(b"".join(response.streaming_content))


@pytest.mark.parametrize("url", ["/accounts/data/", "/accounts/data/export.json", "/accounts/delete/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/accounts/data/", "/accounts/data/export.json"])
def test_it_rejects_post(learner_client, url):
    assert learner_client.post(url).status_code == 405


def test_the_export_holds_everything_stored_about_the_learner(busy_learner, other_learner):
    add_totp(busy_learner)
    browser = signed_in(busy_learner)
    response, data = exported(browser)
    assert "no-store" in response["Cache-Control"]
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert data["account"]["email"] == "busy@example.org"
    assert data["account"]["theme"] == "system"
    assert {row["email"] for row in data["email addresses"]} == {"busy@example.org", "busy.second@example.org"}
    assert len(data["watched lectures"]) == 1
    assert len(data["progress events"]) == 3
    assert len(data["last visits"]) == 1
    assert len(data["user sessions"]) == 1
    assert data["user sessions"][0]["ip"] == "127.0.0.1"
    assert [row["type"] for row in data["authenticators"]] == ["totp"]
    [note] = data["notes"]
    assert (note["body"], note["seconds"], note["lecture"]["name"]) == (
        "A private *thought*",
        125,
        "Bonus 2: Детально о работе с дизайн-доком",
    )
    assert len(data["read items"]) == 1
    [plan] = data["pace plans"]
    assert (plan["mode"], plan["per_week"], plan["time_zone"]) == ("weekly", 2, "Europe/Moscow")
    assert len(data["planned lectures"]) == 12
    # Every kind of row that belongs to a user has its place, even when empty.
    for model, _ in related_models():
        with translation.override("en"):
            assert str(model._meta.verbose_name_plural) in data
    text = json.dumps(data)
    # Nothing that would open the account: no password hash, session key or second factor's secret.
    assert busy_learner.password not in text
    assert TOTP_SECRET not in text
    assert browser.cookies["sessionid"].value not in text
    # Nor the calendar link's secret, which would let anyone read the plan.
    assert "feed_token" not in plan
    assert PacePlan.objects.get(user=busy_learner).feed_token not in text
    assert "other@example.org" not in text


@override_settings(EXPORTS_PER_HOUR=1)
def test_the_export_is_limited_per_learner(learner_client):
    assert learner_client.get("/accounts/data/export.json").status_code == 200
    assert learner_client.get("/accounts/data/export.json").status_code == 429


def test_deletion_asks_to_sign_in_again(learner_client, learner):
    # A session that signed in long ago (or was handed over) must show the password first.
    response = learner_client.get("/accounts/delete/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    response = learner_client.post(response["Location"], {"password": PASSWORD})
    assert response["Location"] == "/accounts/delete/"
    html = learner_client.get("/accounts/delete/").content.decode()
    assert "learner@example.org" in html
    assert User.objects.filter(pk=learner.pk).exists()


def test_the_confirmation_states_what_goes(busy_learner):
    add_totp(busy_learner)
    html = signed_in(busy_learner).get("/accounts/delete/").content.decode()
    for line in [
        "Email addresses: 2",
        "Watched lectures: 1",
        "Progress events: 3",
        "Last visits: 1",
        "Authenticators: 1",
        "Notes: 1",
        "Read items: 1",
        "Pace plans: 1",
        "Planned lectures: 12",
    ]:
        assert line in html, line


def test_deletion_needs_the_box_ticked(learner):
    browser = signed_in(learner)
    assert browser.post("/accounts/delete/").status_code == 400
    assert User.objects.filter(pk=learner.pk).exists()


def rows_left_of(pk):
    """Rows in any table with a foreign key to the user model that still point at the deleted user."""
    left = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                count = model._base_manager.filter(**{field.attname: pk}).count()
                if count:
                    left[f"{model._meta.label}.{field.name}"] = count
    return left


def cache_entries_of(pk, email):
    """Entries of the database cache whose key or value names the user (by id, address or its hash).

    Except allauth's sign-in counts that expire within five minutes: they hold only times, and
    they are left to run out, since those counted per address are not the account's to wipe.
    """
    marks = [f":{pk}:", hashlib.sha256(email.encode()).hexdigest()]
    soon = connection.ops.adapt_datetimefield_value(timezone.now() + timedelta(minutes=5))
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value, expires <= %s FROM portal_cache", [soon])
        for stored_key, value, expires_soon in cursor.fetchall():
            key = stored_key.split(":", 2)[2]  # without the cache's ":version:" prefix
            if key.startswith("allauth:rl:") and expires_soon:
                continue
            content = repr(pickle.loads(base64.b64decode(value)))  # noqa: S301 - our own cache table
            named = any(mark in key for mark in marks) or key.endswith(f":{pk}")
            if named or email in content or f"'_auth_user_id': '{pk}'" in content:
                found.append(key)
    return found


def test_deletion_leaves_nothing_behind(busy_learner, other_learner, caplog):
    pk, email = busy_learner.pk, busy_learner.email
    calendar = f"/calendar/{PacePlan.objects.get(user=busy_learner).feed_token}.ics"
    assert Client().get(calendar).status_code == 200
    elsewhere = signed_in(busy_learner)
    add_totp(busy_learner)  # and the second browser signs in with a code
    here = signed_in(busy_learner)
    here.post("/lectures/ml-in-practice/watched/", {"watched": "true"})  # a count in the cache
    # and one of each study tool's changes
    here.post("/lectures/design-doc/notes/", {"body": "another"})
    item = Lecture.objects.get(slug="design-doc").reading_items.first()
    here.post(f"/lectures/design-doc/reading/{item.pk}/read/", {"read": "false"})
    here.post("/progress/plan/replan/")
    here.get("/progress/export.csv")  # and another
    here.post("/accounts/password/change/", {"oldpassword": "wrong", "password1": "x", "password2": "x"})
    assert cache_entries_of(pk, email)
    with caplog.at_level(logging.INFO, logger="accounts.data"):
        response = here.post("/accounts/delete/", {"confirm": "delete"})
    assert response.status_code == 303
    assert response["Location"] == "/"
    assert rows_left_of(pk) == {}
    assert cache_entries_of(pk, email) == []
    assert cache.get(f"watched-changes:{pk}") is None
    assert Client().get(calendar).status_code == 404
    # Both browsers are signed out, and the other learner keeps everything.
    assert here.get("/progress/").status_code == 302
    assert elsewhere.get("/progress/").status_code == 302
    assert ProgressEvent.objects.filter(user=other_learner).count() == 0
    assert User.objects.filter(pk=other_learner.pk).exists()
    # The log says an account went, and nothing about whose.
    [record] = [record for record in caplog.records if record.name == "accounts.data"]
    assert record.getMessage().startswith("An account was deleted by its owner: ")
    assert "2 usersessions.UserSession" in record.getMessage()
    assert email not in record.getMessage()
    assert "busy" not in record.getMessage()


def test_staff_deleting_a_learner_in_the_admin_leaves_nothing_behind(busy_learner, staff_client, caplog):
    pk, email = busy_learner.pk, busy_learner.email
    elsewhere = signed_in(busy_learner)
    add_totp(busy_learner)
    html = staff_client.get(f"/admin/accounts/user/{pk}/delete/").content.decode()
    assert "permission to delete" not in html  # the learner's events go with the account
    with caplog.at_level(logging.INFO, logger="accounts.data"):
        response = staff_client.post(f"/admin/accounts/user/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert rows_left_of(pk) == {}
    assert cache_entries_of(pk, email) == []
    assert elsewhere.get("/progress/").status_code == 302
    [record] = [record for record in caplog.records if record.name == "accounts.data"]
    assert record.getMessage().startswith("An account was deleted by staff: ")


def test_staff_deleting_learners_in_bulk_deletes_each_whole(staff_client, learner, other_learner):
    response = staff_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [learner.pk, other_learner.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert rows_left_of(learner.pk) == {}
    assert rows_left_of(other_learner.pk) == {}


def test_a_deletion_leaves_the_failed_sign_ins_counted_against_the_address(staff_client):
    # Every browser here comes from the same address, as a learner's and an attacker's
    # browsers on one network do: deleting a throwaway account must not wipe the
    # address's failed sign-ins and let the guessing start afresh.
    throwaway = signed_in(make_user("throwaway@example.org"))
    guesser = Client(HTTP_ACCEPT_LANGUAGE="en")
    for attempt in range(10):
        guess = {"login": f"guess{attempt}@example.org", "password": "not the password!"}
        assert "Too many failed login attempts" not in guesser.post("/accounts/login/", guess).content.decode()
    refused = {"login": "guess@example.org", "password": "not the password!"}
    assert "Too many failed login attempts" in guesser.post("/accounts/login/", refused).content.decode()
    assert throwaway.post("/accounts/delete/", {"confirm": "delete"}).status_code == 303
    # Nor does staff deleting an account from the same address.
    other = make_user("other.throwaway@example.org")
    assert staff_client.post(f"/admin/accounts/user/{other.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not User.objects.filter(email__in=["throwaway@example.org", "other.throwaway@example.org"]).exists()
    assert "Too many failed login attempts" in guesser.post("/accounts/login/", refused).content.decode()


def test_a_learner_deleted_outside_the_portals_pages_leaves_no_counts_either(learner, learner_client, course):
    # As a shell or a script deletes an account: no page, only the database.
    pk, email = learner.pk, learner.email
    assert learner_client.get("/accounts/data/export.json").status_code == 200
    assert learner_client.post("/lectures/ml-in-practice/watched/", {"watched": "true"}).status_code == 303
    counted = [key.split(":")[0] for key in cache_entries_of(pk, email) if f":{pk}:" in key]
    assert sorted(counted) == ["exports", "watched-changes"]
    User.objects.filter(pk=pk).delete()
    assert [key for key in cache_entries_of(pk, email) if f":{pk}:" in key] == []


def test_the_export_holds_a_social_account_without_its_tokens(learner):
    from allauth.socialaccount.models import SocialAccount, SocialToken

    account = SocialAccount.objects.create(user=learner, provider="github", uid="4242", extra_data={"login": "ada"})
    SocialToken.objects.create(account=account, token="gho_access-token", token_secret="refresh-secret")
    _, data = exported(signed_in(learner))
    [row] = data["social accounts"]
    assert (row["provider"], row["uid"]) == ("github", "4242")
    # The tokens would let whoever holds the file act as the learner on GitHub: they are not
    # rows of the learner's own, only of the social account, so the export never reads them.
    text = json.dumps(data)
    assert "gho_access-token" not in text
    assert "refresh-secret" not in text
