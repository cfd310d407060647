"""The layout is rendered once per theme and kind of visitor; each response still has its own token, nonce and path."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client

from .conftest import client_for

pytestmark = pytest.mark.django_db

PAGES = ["/", "/lectures/training-data/"]


@pytest.fixture(autouse=True)
def syllabus_cache(settings):
    """As in production: one syllabus, and its memo store, serves request after request."""
    settings.SYLLABUS_CACHE = True
    settings.SYLLABUS_CHECK_SECONDS = 0  # its version is still checked on every request


def page_parts(response):
    html = response.content.decode()
    return {
        "tokens": set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html))
        | set(re.findall(r'"x-csrftoken": "([^"]*)"', html)),
        "nonces": set(re.findall(r'nonce="([^"]*)"', html)),
        "next": re.search(r'<input type="hidden" name="next" value="([^"]*)">', html).group(1),
        "html": html,
    }


@pytest.mark.parametrize("path", PAGES)
def test_every_response_has_its_own_token_and_nonce(learner, course, path):
    seen_tokens, seen_nonces = set(), set()
    for _ in range(3):
        client = client_for(learner)
        response = client.get(path)
        parts = page_parts(response)
        assert len(parts["nonces"]) == 1
        assert parts["nonces"] == {re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)}
        assert len(parts["tokens"]) == 1
        assert not parts["tokens"] & seen_tokens
        assert not parts["nonces"] & seen_nonces
        seen_tokens |= parts["tokens"]
        seen_nonces |= parts["nonces"]
        assert "\ue000" not in parts["html"]
        assert "\ue001" not in parts["html"]


def test_the_token_of_a_memoized_layout_is_accepted(learner, course):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    client.get("/")  # the layout is memoized from here on
    (token,) = page_parts(client.get("/"))["tokens"]
    response = client.post("/theme/", {"theme": "dark", "csrfmiddlewaretoken": token, "next": "/"})
    assert response.status_code == 303


def test_a_new_visitor_served_from_the_memo_gets_a_working_token(course):
    Client().get("/")  # another visitor fills the memo store
    client = Client(enforce_csrf_checks=True)
    response = client.get("/")
    assert "csrftoken" in response.cookies
    (token,) = page_parts(response)["tokens"]
    assert client.post("/theme/", {"theme": "dark", "csrfmiddlewaretoken": token}).status_code == 303


def test_the_theme_form_comes_back_to_this_page_escaped(client, course):
    client.get("/?from=first")
    parts = page_parts(client.get('/?q=<b>"x"&y=1'))
    assert parts["next"] == "/?q=%3Cb%3E%22x%22&amp;y=1"
    assert "first" not in parts["html"]


def test_the_layout_follows_the_visitor(client, learner, staff, course):
    assert "Sign in" in client.get("/").content.decode()
    learner_page = client_for(learner).get("/").content.decode()
    assert "Sign out" in learner_page
    assert ">Admin<" not in learner_page
    assert ">Admin<" in client_for(staff).get("/").content.decode()
    client.post("/theme/", {"theme": "dark"})
    assert '<html lang="en" data-theme="dark">' in client.get("/").content.decode()
    assert 'aria-current="page">Course<' in client.get("/").content.decode()
    assert 'aria-current="page">Course<' not in client.get("/lectures/training-data/").content.decode()


def render(source, **context):
    return Template("{% load lectures %}" + source).render(Context(context))


def test_a_hole_takes_each_requests_value_escaped():
    store = {}
    template = Template("{% load lectures %}{% memo key holes name %}<p>{{ key }} {{ name }}</p>{% endmemo %}")
    assert template.render(Context({"memo": store, "key": 1, "name": "<first>"})) == "<p>1 &lt;first&gt;</p>"
    assert template.render(Context({"memo": store, "key": 1, "name": "second"})) == "<p>1 second</p>"
    assert template.render(Context({"memo": store, "key": 2, "name": "third"})) == "<p>2 third</p>"
    assert len(store) == 2  # rendered once per key, filled in on every use


def test_without_a_store_the_block_renders_as_usual():
    source = "{% memo holes name %}{{ name }}{% endmemo %}"
    assert render(source, name="<x>") == "&lt;x&gt;"


def test_the_csrf_token_and_the_nonce_are_always_holes():
    store = {}
    template = Template("{% load lectures %}{% memo %}<i>{{ csrf_token }} {{ csp_nonce }}</i>{% endmemo %}")
    assert template.render(Context({"memo": store, "csrf_token": "one", "csp_nonce": "n1"})) == "<i>one n1</i>"
    assert template.render(Context({"memo": store, "csrf_token": "two", "csp_nonce": "n2"})) == "<i>two n2</i>"


def test_holes_are_filled_in_one_pass():
    template = Template("{% load lectures %}{% memo holes a b %}{{ a }}|{{ b }}{% endmemo %}")
    context = Context({"memo": {}, "a": "\ue000b\ue001", "b": "B"})
    assert template.render(context) == "\ue000b\ue001|B"


@pytest.mark.parametrize(
    "tag",
    [
        "{% memo key holes %}{% endmemo %}",
        "{% memo holes user.email %}{% endmemo %}",
        "{% memo holes page_path %}{{ page_path|urlencode }}{% endmemo %}",
        "{% memo %}{{ csrf_token|upper }}{% endmemo %}",
    ],
)
def test_holes_must_be_plain_names_output_as_they_are(tag):
    with pytest.raises(TemplateSyntaxError, match="hole"):
        render(tag)


def pressed(html):
    return re.search(r'id="watched-button"[^>]*aria-pressed="(\w+)"', html).group(1)


def test_memoized_lecture_pages_show_each_learner_their_own_state(learner, other_learner, course):
    first, second = client_for(learner), client_for(other_learner)
    page = "/lectures/training-data/"
    # The same count for both, a different lecture watched.
    first.post("/lectures/training-data/watched/", {"watched": "true"})
    second.post("/lectures/ml-in-practice/watched/", {"watched": "true"})
    for _ in range(2):  # the second round comes from the memo store
        mine, theirs = first.get(page).content.decode(), second.get(page).content.decode()
        assert pressed(mine) == "true"
        assert pressed(theirs) == "false"
        assert 'aria-valuenow="1"' in mine
        assert 'aria-valuenow="1"' in theirs
        assert page_parts(first.get(page))["tokens"].isdisjoint(page_parts(second.get(page))["tokens"])
    first.post("/lectures/training-data/watched/", {"watched": "false"})
    mine = first.get(page).content.decode()
    assert pressed(mine) == "false"
    assert 'aria-valuenow="0"' in mine
    # The next lecture's "Watched & next" form follows the lecture.
    assert 'name="next" value="/lectures/feature-engineering/"' in mine


def test_memoized_toggle_responses_are_each_learners_own(learner, other_learner, course):
    first, second = client_for(learner), client_for(other_learner)
    url, htmx = "/lectures/training-data/watched/", {"HTTP_HX_REQUEST": "true"}
    second.post("/lectures/ml-in-practice/watched/", {"watched": "true"})
    for _ in range(2):  # the second round comes from the memo store
        mine = first.post(url, {"watched": "true"}, **htmx).content.decode()
        theirs = second.post(url, {"watched": "false"}, **htmx).content.decode()
        assert pressed(mine) == "true"
        assert pressed(theirs) == "false"
        assert "Lecture 3 marked as watched" in mine
        assert "Lecture 3 marked as not watched" in theirs
        assert 'aria-valuenow="1"' in mine
        assert 'aria-valuenow="1"' in theirs
        (my_token,) = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', mine)
        (their_token,) = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', theirs)
        assert my_token != their_token
        assert len(my_token) == 64
        assert "\ue000" not in mine
