"""Russian and English: who sees which, the switcher, every page in both, Russian grammar and content in both."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from lectures.models import Lecture
from lectures.templatetags.lectures import duration

from .conftest import HTMX, client_for, make_user, tags, text

pytestmark = pytest.mark.django_db

RUSSIAN = {"HTTP_ACCEPT_LANGUAGE": "ru"}
# Words of the English interface. None may show on a Russian page (course content aside).
ENGLISH_INTERFACE = [
    "Sign in",
    "Sign out",
    "Sign up",
    "Syllabus",
    "Your progress",
    "Start learning",
    "lectures watched",
    "Video time left",
    "Not started",
    "In progress",
    "Coming soon",
    "Not published",
    "Announced by the organisers",
    "Continue:",
    "Start:",
    "Watched",
    "Reading list",
    "Lecturer",
    "Not known yet",
    "Video length",
    "Open the slides",
    "Play the",
    "About this lecture",
    "Topics",
    "Required",
    "Optional",
    "Keyboard shortcuts",
    "Previous",
    "Next ·",
    "Follow the system",
    "Theme",
    "Skip to content",
    "Your timeline",
    "Download",
    "History",
    "Page not found",
    "Slow down",
    "Go to the syllabus",
    "Lectures are in Russian",
    "Email address",
    "Password",
    "Forgot",
    "Remember",
    "Your notes",
    "Add note",
    "Time in the video",
    "study plan",
    "Make a plan",
    "Lay out the plan",
    "To be planned",
    "Study days",
]
# And words of the Russian one, none of which may show on an English page.
RUSSIAN_INTERFACE = [
    "Войти",
    "Выйти",
    "Программа курса",
    "Ваш прогресс",
    "Просмотрена",
    "Что почитать",
    "Лектор",
    "Тема",
]


def page_language(response):
    [html] = tags(response.content, "html")
    return html["lang"]


def interface_words(response, words):
    """The words of `words` on the page, leaving out the course's own texts (marked with their lang)."""
    page = text(response.content)
    return [word for word in words if word in page]


@pytest.mark.parametrize(
    ("accept", "language"),
    [(None, "ru"), ("ru", "ru"), ("ru-RU,ru;q=0.9", "ru"), ("en", "en"), ("en-GB,en;q=0.9", "en"), ("de", "ru")],
)
def test_the_browser_language_decides_without_a_choice(course, accept, language):
    browser = Client(**({"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}))
    response = browser.get("/")
    assert page_language(response) == language
    assert response["Content-Language"] == language
    # A cache or proxy must not hand this page to a visitor of the other language.
    assert {"Accept-Language", "Cookie"} <= {part.strip() for part in response["Vary"].split(",")}


def test_the_switcher_keeps_the_learner_on_the_page(course):
    browser = Client(**RUSSIAN)
    page = browser.get("/lectures/training-data/")
    [switch] = tags(page.content, "form", **{"class": "language-switch"})
    [button] = tags(page.content, "button", name="language")
    assert (switch["method"], switch["action"], button["value"], button["lang"]) == ("post", "/language/", "en", "en")
    assert tags(page.content, "input", name="next", value="/lectures/training-data/")

    response = browser.post("/language/", {"language": "en", "next": "/lectures/training-data/"})
    assert response.status_code == 303
    assert response["Location"] == "/lectures/training-data/"
    # The browser still asks for Russian; the choice wins.
    assert page_language(browser.get("/lectures/training-data/")) == "en"


@pytest.mark.parametrize("next_page", ["https://evil.example.org/", "//evil.example.org/"])
def test_the_switcher_never_leaves_the_site(client, course, next_page):
    response = client.post("/language/", {"language": "ru", "next": next_page})
    assert response["Location"] == "/"


@pytest.mark.parametrize("value", ["", "de", "RU", "english"])
def test_an_unknown_language_is_400(client, value):
    assert client.post("/language/", {"language": value}).status_code == 400


def test_the_switcher_takes_only_a_post(client):
    response = client.get("/language/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "This address does not take that request" in text(response.content)


def test_a_signed_in_choice_is_kept_on_the_account(learner, course):
    browser = client_for(learner, **RUSSIAN)
    browser.post("/language/", {"language": "en"})
    learner.refresh_from_db()
    assert learner.language == "en"
    # Another browser that asks for Russian: the account decides.
    assert page_language(client_for(learner, **RUSSIAN).get("/")) == "en"


def test_the_choice_survives_sign_out(learner, course):
    browser = client_for(learner, **RUSSIAN)
    browser.post("/language/", {"language": "en"})
    browser.post("/accounts/logout/")
    assert page_language(browser.get("/")) == "en"


def test_a_choice_made_before_signing_in_is_kept_on_the_account(learner, course):
    from .conftest import PASSWORD

    browser = Client(**RUSSIAN)
    browser.post("/language/", {"language": "en"})
    browser.post("/accounts/login/", {"login": learner.email, "password": PASSWORD})
    learner.refresh_from_db()
    assert learner.language == "en"
    assert page_language(client_for(learner, **RUSSIAN).get("/progress/")) == "en"


def test_on_a_shared_browser_each_account_keeps_its_own_language(course):
    from .conftest import PASSWORD

    first = make_user("first@example.org", language="en")
    second = make_user("second@example.org", language="ru")
    browser = Client(**RUSSIAN)
    browser.post("/accounts/login/", {"login": first.email, "password": PASSWORD})
    assert page_language(browser.get("/")) == "en"
    browser.post("/accounts/logout/")
    # The cookie still says English, from the first account, not from a choice of the second's.
    browser.post("/accounts/login/", {"login": second.email, "password": PASSWORD})
    second.refresh_from_db()
    assert second.language == "ru"
    response = browser.get("/")
    assert page_language(response) == "ru"
    assert interface_words(response, ENGLISH_INTERFACE) == []
    first.refresh_from_db()
    assert first.language == "en"


def test_an_account_language_reaches_a_new_browser_and_stays_after_sign_out(learner, course):
    learner.language = "en"
    learner.save()
    browser = client_for(learner, **RUSSIAN)
    assert page_language(browser.get("/")) == "en"
    browser.post("/accounts/logout/")
    assert page_language(browser.get("/")) == "en"


PAGES = {
    "anonymous": ["/", "/lectures/design-doc/", "/lectures/ml-in-practice/", "/accounts/login/", "/accounts/signup/"],
    "learner": [
        *("/", "/lectures/training-data/", "/lectures/design-doc/", "/progress/", "/progress/plan/"),
        *("/accounts/email/", "/accounts/password/change/"),
    ],
    "staff": ["/", "/lectures/lecture-11/", "/admin/", "/admin/lectures/lecture/"],
}


@pytest.fixture
def visitors(learner, staff):
    return {
        "anonymous": lambda language: Client(HTTP_ACCEPT_LANGUAGE=language),
        "learner": lambda language: client_for(learner, HTTP_ACCEPT_LANGUAGE=language),
        "staff": lambda language: client_for(staff, HTTP_ACCEPT_LANGUAGE=language),
    }


@pytest.mark.parametrize("who", PAGES)
def test_every_page_speaks_russian(visitors, course, learner, who):
    from progress.models import set_watched

    set_watched(user=learner, lecture=Lecture.objects.get(slug="ml-in-practice"), watched=True)
    browser = visitors[who]("ru")
    for url in PAGES[who]:
        response = browser.get(url)
        assert response.status_code == 200, url
        assert page_language(response) == "ru", url
        assert interface_words(response, ENGLISH_INTERFACE) == [], url


@pytest.mark.parametrize("who", PAGES)
def test_every_page_speaks_english(visitors, course, who):
    browser = visitors[who]("en")
    for url in PAGES[who]:
        response = browser.get(url)
        assert response.status_code == 200, url
        assert page_language(response) == "en", url
        assert interface_words(response, RUSSIAN_INTERFACE) == [], url


def test_the_toggle_fragment_speaks_the_learners_language(learner, course):
    url = "/lectures/training-data/watched/"
    russian = client_for(learner, **RUSSIAN).post(url, {"watched": "true"}, **HTMX)
    assert "Лекция 3 отмечена как просмотренная" in text(russian.content)
    assert "Просмотрено 1 из 10 лекций" in text(russian.content)
    english = client_for(learner).post(url, {"watched": "false"}, **HTMX)
    assert "Lecture 3 marked as not watched" in text(english.content)


@pytest.mark.parametrize(
    ("url", "status", "russian"),
    [
        ("/no-such-page/", 404, "Такой страницы здесь нет"),
        ("/lectures/training-data/watched/", 405, "Этот адрес не принимает такой запрос"),
    ],
)
def test_error_pages_come_in_russian(client, course, url, status, russian):
    response = Client(**RUSSIAN).get(url)
    assert response.status_code == status
    assert russian in text(response.content)
    assert page_language(response) == "ru"


def test_the_throttle_page_comes_in_russian(learner, course, settings):
    settings.WATCHED_CHANGES_PER_MINUTE = 1
    browser = client_for(learner, **RUSSIAN)
    browser.post("/lectures/training-data/watched/", {"watched": "true"})
    response = browser.post("/lectures/training-data/watched/", {"watched": "false"})
    assert response.status_code == 429
    assert "Чуть помедленнее" in text(response.content)


def test_allauth_and_the_admin_come_in_russian(staff, course):
    login = Client(**RUSSIAN).get("/accounts/login/")
    assert "Войти" in text(login.content)
    assert "Пришлите мне код для входа" in text(login.content)  # allauth's own catalogue
    admin = client_for(staff, **RUSSIAN).get("/admin/")
    assert "Курс и слушатели" in text(admin.content)
    assert "Последние действия" in text(admin.content)  # Django's own catalogue


# Russian has three plural forms: 1, 21 (one); 2, 22 (few); 0, 5, 11, 25 (many).
PLURALS = {0: "many", 1: "one", 2: "few", 5: "many", 11: "many", 21: "one", 22: "few", 25: "many"}


@pytest.mark.parametrize("count", PLURALS)
def test_lecture_counts_agree_in_russian(count):
    forms = {"one": "лекция", "few": "лекции", "many": "лекций"}
    progress = SimpleNamespace(main_watched=0, main_published=count, main_coming=count, main_announced=0)
    with translation.override("ru"):
        html = render_to_string("progress/home.html#course-progress", {"progress": progress})
    # "N of M" wants the genitive: из 1 лекции, из 2 лекций, из 21 лекции.
    genitive = {"one": "лекции", "few": "лекций", "many": "лекций"}[PLURALS[count]]
    assert f"Просмотрено 0 из {count} {genitive}" in text(html)
    if count:
        assert f"ещё {count} {forms[PLURALS[count]]} скоро" in text(html)


@pytest.mark.parametrize("count", PLURALS)
def test_hours_and_minutes_agree_in_russian(count):
    hours = {"one": "час", "few": "часа", "many": "часов"}[PLURALS[count]]
    minutes = {"one": "минута", "few": "минуты", "many": "минут"}[PLURALS[count]]
    with translation.override("ru"):
        assert duration(timedelta(minutes=count)) == f"{count}\u00a0{minutes}"
        if count:
            assert duration(timedelta(hours=count)) == f"{count}\u00a0{hours}"
            assert duration(timedelta(hours=count, minutes=count)) == f"{count}\u00a0{hours} {count}\u00a0{minutes}"


def test_dates_and_durations_read_in_russian(course):
    Lecture.objects.filter(slug="failure-diagnosis").update(date=date(2022, 11, 14), duration=timedelta(minutes=92))
    page = text(Client(**RUSSIAN).get("/lectures/failure-diagnosis/").content)
    assert "14 ноября 2022" in page
    assert "1 час 32 минуты" in page
    english = text(Client(HTTP_ACCEPT_LANGUAGE="en").get("/lectures/failure-diagnosis/").content)
    assert "14 November 2022" in english
    assert "1 h 32 min" in english


def test_russian_shows_russian_content_and_english_shows_both_titles(course):
    russian = Client(**RUSSIAN).get("/lectures/ml-in-practice/")
    assert "Практическое применение машинного обучения" in text(russian.content)
    assert "Machine learning in practice" not in text(russian.content)
    assert "Что такое дизайн ML-систем" in text(russian.content)  # topics
    assert "Подобрано порталом" in text(russian.content)  # the reading note
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/lectures/ml-in-practice/")
    [title] = tags(english.content, "h1")
    assert title["lang"] == "ru"  # the Russian original title, as it is
    assert tags(english.content, "p", lang="en", **{"class": "subtitle"})
    assert "What ML system design is" in text(english.content)
    assert "Suggested by the portal" in text(english.content)


def test_a_missing_translation_falls_back_marked_with_its_language(course):
    Lecture.objects.filter(slug="ml-in-practice").update(summary="", topics_en="")
    russian = Client(**RUSSIAN).get("/lectures/ml-in-practice/").content
    # No Russian summary: the English one, marked as English.
    assert tags(russian, "p", lang="en")
    assert "What ML system design is, and why" in text(russian)
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/lectures/ml-in-practice/").content
    # No English topics: the Russian ones, marked as Russian, never an empty list.
    assert tags(english, "ul", lang="ru", **{"class": "topics"})
    assert "Что такое дизайн ML-систем" in text(english)


def test_the_learners_own_account_in_russian_uses_no_cookie_from_elsewhere(course):
    # A learner who never chose: their browser's language, each time.
    learner = make_user("someone@example.org")
    assert page_language(client_for(learner, **RUSSIAN).get("/")) == "ru"
    assert page_language(client_for(learner, HTTP_ACCEPT_LANGUAGE="en").get("/")) == "en"
