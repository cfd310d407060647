"""Staff open the admin only with a second factor, when DJANGO_ADMIN_REQUIRES_MFA says so (production's default)."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import override_settings

from .conftest import text

pytestmark = pytest.mark.django_db


@override_settings(ADMIN_REQUIRES_MFA=True)
def test_staff_without_a_second_factor_are_sent_to_set_one_up(staff_client, course):
    response = staff_client.get("/admin/lectures/lecture/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"
    page = text(staff_client.get(response["Location"]).content)
    assert "The admin needs a second factor." in page
    assert "Authenticator App" in page


@override_settings(ADMIN_REQUIRES_MFA=True)
def test_staff_with_a_second_factor_open_the_admin(staff_client, staff, course):
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    assert staff_client.get("/admin/").status_code == 200
    assert staff_client.get("/admin/lectures/lecture/").status_code == 200


@override_settings(ADMIN_REQUIRES_MFA=True)
def test_learners_and_visitors_are_still_refused_as_before(client, learner_client, course):
    assert learner_client.get("/admin/").status_code == 302
    assert learner_client.get("/admin/login/").status_code == 403
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


@override_settings(ADMIN_REQUIRES_MFA=False)
def test_without_the_requirement_staff_open_the_admin_as_before(staff_client, course):
    assert staff_client.get("/admin/").status_code == 200
