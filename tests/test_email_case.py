"""One address, one spelling: email addresses are lowercased wherever they enter, and case never splits an account."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.models import User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_address_made_by_createsuperuser_with_capitals_signs_in(monkeypatch, course):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", email="Staff.Member@Example.ORG", interactive=False, verbosity=0)
    user = User.objects.get()
    assert user.email == "staff.member@example.org"
    user.emailaddress_set.create(email=user.email, primary=True, verified=True)
    for typed in ["Staff.Member@Example.ORG", "staff.member@example.org"]:
        browser = Client()
        response = browser.post("/accounts/login/", {"login": typed, "password": PASSWORD})
        assert response.status_code == 302, typed
        assert browser.get("/admin/").status_code == 200


def test_createsuperuser_refuses_an_address_taken_in_another_case(monkeypatch, staff, capsys):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    with pytest.raises(Exception, match="already taken"):
        call_command("createsuperuser", email="STAFF@example.org", interactive=False, verbosity=0)
    assert User.objects.count() == 1


def test_the_admin_lowercases_a_new_address_and_refuses_a_duplicate_in_another_case(staff_client, learner):
    form = {"email": "New.Learner@Example.org", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD}
    response = staff_client.post("/admin/accounts/user/add/", form)
    assert response.status_code == 302
    assert User.objects.filter(email="new.learner@example.org").exists()
    response = staff_client.post("/admin/accounts/user/add/", form | {"email": "LEARNER@example.org"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email__iexact="learner@example.org").count() == 1


def test_the_admin_lowercases_a_changed_address(staff_client, learner):
    response = staff_client.post(
        f"/admin/accounts/user/{learner.pk}/change/",
        {"email": "Renamed@Example.org", "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"},
    )
    assert response.status_code == 302, response.content.decode()
    learner.refresh_from_db()
    assert learner.email == "renamed@example.org"


def test_sign_up_with_capitals_stores_the_address_lowercased(client, course):
    client.post("/accounts/signup/", {"email": "Mixed.Case@Example.org", "password1": PASSWORD, "password2": PASSWORD})
    user = User.objects.get()
    assert user.email == "mixed.case@example.org"
    assert user.emailaddress_set.get().email == "mixed.case@example.org"


def test_the_database_refuses_an_address_with_capitals(db):
    # Whatever path writes a user (a raw update, a fixture), the table holds lowercase addresses only.
    user = User.objects.create_user(email="plain@example.org", password=PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(email="Plain@example.org")


@pytest.mark.django_db(transaction=True)
def test_the_migration_lowercases_addresses_stored_before(django_db_blocker):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("accounts", "0004_user_language")], [("accounts", "0005_email_lowercase")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldUser = executor.loader.project_state(before).apps.get_model("accounts", "User")
    OldUser.objects.create(email="Old.Staff@Example.org", password="!")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(User.objects.values_list("email", flat=True)) == ["old.staff@example.org"]
