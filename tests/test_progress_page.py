import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.test import override_settings

from lectures.models import Lecture
from progress.models import ProgressEvent, set_watched

from .conftest import tags

pytestmark = pytest.mark.django_db

PAGES = ["/progress/", "/progress/export.json", "/progress/export.csv"]


def mark(user, slug, watched=True):
    set_watched(user=user, lecture=Lecture.objects.get(slug=slug), watched=watched)


@pytest.fixture
def history(learner, other_learner, course):
    mark(learner, "ml-in-practice")
    mark(learner, "training-data")
    mark(learner, "training-data", watched=False)
    mark(learner, "design-doc")
    mark(other_learner, "deployment")
    # Fixed times so the timezone test can read them back.
    ProgressEvent.objects.filter(user=learner, lecture__slug="ml-in-practice").update(
        at=datetime(2026, 3, 1, 21, 30, tzinfo=UTC)
    )
    learner.lecture_progress.filter(lecture__slug="ml-in-practice").update(
        watched_at=datetime(2026, 3, 1, 21, 30, tzinfo=UTC)
    )


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_it_is_never_cached(learner_client, history, url):
    response = learner_client.get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("url", PAGES)
def test_it_rejects_post(learner_client, url):
    assert learner_client.post(url).status_code == 405


def test_the_page_shows_the_learners_own_timeline(learner_client, history):
    html = learner_client.get("/progress/").content.decode()
    assert html.count('class="timeline__item') == 4
    assert html.count("Marked watched:") == 3
    assert html.count("Marked not watched:") == 1
    assert "Практическое применение машинного обучения" in html
    # Another learner's lecture is nowhere on the page.
    assert "Развертывание систем" not in html
    [bar] = tags(html, "div", role="progressbar")
    assert (bar["aria-valuenow"], bar["aria-valuemax"]) == ("1", "10")


def test_times_are_shown_in_the_learners_timezone(learner_client, history):
    # Exactly what static/js/portal.js writes: the name URL-encoded.
    learner_client.cookies["tz"] = "Europe%2FMoscow"
    html = learner_client.get("/progress/").content.decode()
    assert "Times are in Europe/Moscow" in html
    assert "2 March 2026, 00:30" in html  # 21:30 UTC is 00:30 the next day in Moscow


@pytest.mark.parametrize("cookie", ["Not%2FAZone", "America", "Etc", "Europe%2F..%2F..%2Fetc%2Fpasswd", "", "%ZZ"])
def test_a_time_zone_that_is_not_one_falls_back_to_utc(learner_client, history, cookie):
    learner_client.cookies["tz"] = cookie
    response = learner_client.get("/progress/")
    assert response.status_code == 200
    assert "Times are in UTC" in response.content.decode()
    assert "1 March 2026, 21:30" in response.content.decode()


def test_a_new_learner_sees_how_to_start(learner_client, course):
    html = learner_client.get("/progress/").content.decode()
    assert "You have not marked any lecture watched yet" in html


def test_json_export_holds_the_learners_data_only(learner_client, learner, history):
    response = learner_client.get("/progress/export.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my-progress.json"'
    data = json.loads(b"".join(response.streaming_content))
    assert data["learner"] == "learner@example.org"
    assert [row["lecture"] for row in data["watched"]] == ["ml-in-practice", "design-doc"]
    assert data["watched"][0]["watched_at"] == "2026-03-01T21:30:00+00:00"
    assert data["watched"][0]["title"] == "Практическое применение машинного обучения"
    assert len(data["events"]) == 4
    assert "deployment" not in json.dumps(data)


def test_csv_export_holds_the_learners_watched_lectures(learner_client, history):
    response = learner_client.get("/progress/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my-progress.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["lecture", "label", "title", "title_en", "watched_at", "source"]
    assert [row[0] for row in rows[1:]] == ["ml-in-practice", "design-doc"]
    assert rows[1][4] == "2026-03-01T21:30:00+00:00"


def test_csv_export_defuses_formulas(learner_client, learner, course):
    Lecture.objects.filter(slug="deployment").update(title_en='=HYPERLINK("https://evil.example.org")')
    mark(learner, "deployment")
    rows = list(
        csv.reader(io.StringIO(b"".join(learner_client.get("/progress/export.csv").streaming_content).decode()))
    )
    assert rows[1][3].startswith("'=")


def test_the_history_is_shown_fifty_changes_a_page(learner_client, learner, course):
    lecture = Lecture.objects.get(slug="training-data")
    ProgressEvent.objects.bulk_create(
        ProgressEvent(user=learner, lecture=lecture, action="marked" if n % 2 else "unmarked") for n in range(120)
    )
    html = learner_client.get("/progress/").content.decode()
    assert html.count('class="timeline__item') == 50
    assert "Page 1 of 3" in html
    assert tags(html, "a", rel="next", href="?page=2#history-title")
    assert learner_client.get("/progress/?page=3").content.decode().count('class="timeline__item') == 20
    # Page numbers that are not pages show the nearest page instead of an error.
    assert "Page 1 of 3" in learner_client.get("/progress/?page=first").content.decode()
    assert "Page 3 of 3" in learner_client.get("/progress/?page=99999999999999999999").content.decode()


@pytest.mark.parametrize("url", PAGES[1:])
def test_exports_stream(learner_client, history, url):
    assert learner_client.get(url).streaming


@override_settings(EXPORTS_PER_HOUR=2)
def test_exports_are_limited_per_learner(learner_client, other_client, history):
    assert learner_client.get("/progress/export.json").status_code == 200
    assert learner_client.get("/progress/export.csv").status_code == 200
    response = learner_client.get("/progress/export.json")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "several times this hour" in response.content.decode()
    assert other_client.get("/progress/export.json").status_code == 200
