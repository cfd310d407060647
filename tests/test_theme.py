import json

import pytest
from django.test import Client

from .conftest import client_for, tags

pytestmark = pytest.mark.django_db


def page_theme(response):
    """The theme the server rendered into the page: None when it follows the system."""
    [html] = tags(response.content, "html")
    return html.get("data-theme")


def test_pages_follow_the_system_theme_by_default(client, course):
    assert page_theme(client.get("/")) is None


def test_a_visitor_choice_is_kept_in_a_cookie(client, course):
    response = client.post("/theme/", {"theme": "dark", "next": "/lectures/training-data/"})
    assert response.status_code == 303
    assert response["Location"] == "/lectures/training-data/"
    cookie = response.cookies["theme"]
    assert cookie.value == "dark"
    assert cookie["max-age"] == 31536000
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # Rendered by the server into the page, so there is no flash of the other theme.
    assert page_theme(client.get("/")) == "dark"


def test_a_learner_choice_is_kept_on_the_account(learner, learner_client, course):
    learner_client.post("/theme/", {"theme": "light"})
    learner.refresh_from_db()
    assert learner.theme == "light"
    # Another browser, no cookie: the account decides.
    elsewhere = client_for(learner)
    assert page_theme(elsewhere.get("/")) == "light"


def test_following_the_system_again(client, course):
    client.post("/theme/", {"theme": "dark"})
    client.post("/theme/", {"theme": "system"})
    assert page_theme(client.get("/")) is None


def test_htmx_changes_the_theme_without_a_reload(client, course):
    response = client.post("/theme/", {"theme": "dark"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert json.loads(response["HX-Trigger"]) == {"themeChanged": {"theme": "dark"}}
    assert response.cookies["theme"].value == "dark"


def test_the_menu_marks_the_current_choice(client, course):
    client.post("/theme/", {"theme": "dark"})
    html = client.get("/").content.decode()
    pressed = {button["value"]: button["aria-pressed"] for button in tags(html, "button", name="theme")}
    assert pressed == {"system": "false", "light": "false", "dark": "true"}


@pytest.mark.parametrize("value", ["", "blue", "DARK"])
def test_an_unknown_theme_is_400(client, value):
    assert client.post("/theme/", {"theme": value}).status_code == 400


def test_a_forged_cookie_falls_back_to_the_system(client, course):
    client.cookies["theme"] = '"><script>alert(1)</script>'
    assert page_theme(client.get("/")) is None


def test_it_rejects_get_and_needs_a_csrf_token(client, course):
    assert client.get("/theme/").status_code == 405
    assert Client(enforce_csrf_checks=True).post("/theme/", {"theme": "dark"}).status_code == 403


def test_it_ignores_an_unsafe_next(client, course):
    response = client.post("/theme/", {"theme": "dark", "next": "https://evil.example.org/"})
    assert response["Location"] == "/"
