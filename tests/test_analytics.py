"""Staff analytics: who may see them, and their numbers against a data set built by hand."""

import csv
import io
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from lectures.models import Lecture
from progress.analytics import course_figures
from progress.models import ProgressEvent, set_watched

from .conftest import client_for, make_user, tags, text

pytestmark = pytest.mark.django_db

MAIN = [
    "ml-in-practice",
    "design-foundations",
    "training-data",
    "feature-engineering",
    "model-development",
    "model-evaluation",
    "deployment",
    "failure-diagnosis",
    "streaming-data",
    "model-lifecycle",
]  # the published main lectures of the bundled course, in course order
BONUS = ["ml-in-business-processes", "design-doc"]
URLS = ["/admin/analytics/", "/admin/analytics/export.csv", "/admin/analytics/lectures.csv"]


def ago(days):
    return timezone.now() - timedelta(days=days)


def watch(user, slug, days_ago, watched=True):
    """The learner marked the lecture watched (or not) that many days ago, through the toggle's own write."""
    lecture = Lecture.objects.get(slug=slug)
    with mock.patch("django.utils.timezone.now", return_value=ago(days_ago)):
        set_watched(user=user, lecture=lecture, watched=watched)


def unwatch(user, slug, days_ago):
    watch(user, slug, days_ago, watched=False)


def staff_with(*codenames, email="analyst@example.org"):
    """A member of staff who holds only the permissions named (progress and accounts codenames)."""
    user = make_user(email, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def analyst(db):
    return staff_with("view_lectureprogress")


@pytest.fixture
def cohort(course, staff):
    """Seven learners and a member of staff, each with a story; times are days before now."""
    alice = make_user("alice@example.org")  # three lectures in the last three days
    for slug, days in zip(MAIN[:3], [3, 2, 1], strict=True):
        watch(alice, slug, days)
    bob = make_user("bob@example.org")  # two lectures more than a month ago, then nothing
    watch(bob, MAIN[0], 40)
    watch(bob, MAIN[1], 35)
    carol = make_user("carol@example.org")  # marked the first lecture, took it back, watched the second
    watch(carol, MAIN[0], 12)
    unwatch(carol, MAIN[0], 11)
    watch(carol, MAIN[1], 10)
    dave = make_user("dave@example.org")  # the whole main course, two days a lecture, and a bonus lecture
    for rank, slug in enumerate(MAIN):
        watch(dave, slug, 23 - 2 * rank)
    watch(dave, BONUS[0], 4)
    erin = make_user("erin@example.org")  # bonus lectures only
    watch(erin, BONUS[1], 60)
    watch(erin, BONUS[0], 5)
    make_user("frank@example.org")  # signed up, nothing else
    User.objects.create_user(email="gina@example.org", password="x" * 12)  # never verified her address
    watch(staff, MAIN[0], 1)  # staff trying the site out: not a learner
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "erin": erin}


# Access: a learner gets the admin's sign-in page, staff without the permission a 403.


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, course, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", URLS)
def test_learners_are_sent_to_sign_in_and_see_no_data(learner_client, cohort, url):
    response = learner_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert b"alice@example.org" not in response.content


@pytest.mark.parametrize("url", URLS)
def test_staff_without_the_view_permission_are_refused(course, url):
    response = client_for(staff_with("view_lecture")).get(url)
    assert response.status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_staff_with_the_view_permission_get_it(analyst, course, url):
    assert client_for(analyst).get(url).status_code == 200


@pytest.mark.parametrize("url", URLS)
def test_it_answers_get_only(staff_client, course, url):
    assert staff_client.post(url).status_code == 405


def test_the_admin_index_links_to_it_for_those_who_may_see_it(staff_client, course):
    assert tags(staff_client.get("/admin/").content, "a", href="/admin/analytics/")
    someone = client_for(staff_with("view_lecture", email="editor@example.org"))
    assert not tags(someone.get("/admin/").content, "a", href="/admin/analytics/")


# The numbers.


def steps(figures):
    return {step.lecture.slug: step for step in figures.steps}


def test_it_counts_learners_verified_and_active(cohort, course):
    figures = course_figures(course=course, period="30")
    # alice, bob, carol, dave, erin, frank, gina; not the member of staff.
    assert figures.learners == 7
    assert figures.verified == 6  # all but gina
    assert figures.joined == 7
    assert figures.active_week == 3  # alice, dave, erin
    assert figures.active_month == 4  # and carol; bob's last change is 35 days old


def test_opening_a_lecture_is_activity_too(cohort, course):
    # Bob comes back and opens a lecture, without marking anything.
    client_for(cohort["bob"]).get(f"/lectures/{MAIN[2]}/")
    figures = course_figures(course=course, period="30")
    assert (figures.active_week, figures.active_month) == (4, 5)


def test_the_funnel_counts_what_was_watched_in_the_period(cohort, course):
    figures = course_figures(course=course, period="30")
    by_slug = steps(figures)
    # Carol took the first lecture back; bob watched it before the period; the staff member does not count.
    assert [by_slug[slug].watched for slug in MAIN] == [2, 3, 2, 1, 1, 1, 1, 1, 1, 1]
    # Carol reached the second lecture without the first: reached counts her at the first one too.
    assert [by_slug[slug].reached for slug in MAIN] == [3, 3, 2, 1, 1, 1, 1, 1, 1, 1]
    assert [by_slug[slug].drop for slug in MAIN] == [None, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    assert figures.started == 3
    assert {step.lecture.slug: step.watched for step in figures.bonus} == {BONUS[0]: 2, BONUS[1]: 0}


def test_the_funnel_is_monotonic_whatever_learners_skip(cohort, course):
    for period in ["7", "30", "90", "all"]:
        reached = [step.reached for step in course_figures(course=course, period=period).steps]
        assert reached == sorted(reached, reverse=True), period


def test_all_time_counts_everything_watched(cohort, course):
    figures = course_figures(course=course, period="all")
    by_slug = steps(figures)
    assert [by_slug[slug].watched for slug in MAIN] == [3, 4, 2, 1, 1, 1, 1, 1, 1, 1]
    assert [by_slug[slug].reached for slug in MAIN] == [4, 4, 2, 1, 1, 1, 1, 1, 1, 1]
    assert {step.lecture.slug: step.watched for step in figures.bonus} == {BONUS[0]: 2, BONUS[1]: 1}


def test_it_shows_where_learners_stall_and_how_long_ago(cohort, course):
    by_slug = steps(course_figures(course=course, period="all"))
    # Stopped at the second lecture: carol ten days ago, bob 35 days ago.
    assert by_slug[MAIN[1]].stopped == [0, 1, 1]
    assert by_slug[MAIN[2]].stopped == [1, 0, 0]  # alice, yesterday
    assert by_slug[MAIN[-1]].stopped == [1, 0, 0]  # dave finished five days ago
    assert sum(step.stopped_here for step in by_slug.values()) == 4


def test_it_counts_completions_per_week_and_changes_per_week(cohort, course):
    figures = course_figures(course=course, period="30")
    assert figures.completed == 1  # dave
    [week] = [week for week in figures.weeks if week.completed]
    finished = ago(5).astimezone(UTC).date()
    assert week.start <= finished < week.start + timedelta(weeks=1)
    # Every change since the Monday the period's first week starts on, but the staff member's.
    monday = figures.weeks[0].start
    events = ProgressEvent.objects.filter(at__date__gte=monday).exclude(user__is_staff=True)
    assert sum(week.marked for week in figures.weeks) == events.filter(action="marked").count()
    assert sum(week.unmarked for week in figures.weeks) == 1  # carol's
    assert figures.weeks[-1].start <= timezone.now().date()


def test_the_pace_is_the_median_of_days_per_lecture(cohort, course):
    figures = course_figures(course=course, period="30")
    # alice: a day a lecture; dave: two. Carol watched one lecture in the period, bob none.
    assert (figures.pace_days, figures.pace_learners) == (1.5, 2)


def test_a_pace_halfway_between_tenths_of_a_day_rounds_up_on_every_database(course):
    hana = make_user("hana@example.org")  # two lectures six hours apart, to the microsecond: 0.25 days a lecture
    first = ago(2)
    for slug, at in [(MAIN[0], first), (MAIN[1], first + timedelta(hours=6))]:
        with mock.patch("django.utils.timezone.now", return_value=at):
            set_watched(user=hana, lecture=Lecture.objects.get(slug=slug), watched=True)
    assert course_figures(course=course, period="30").pace_days == 0.3


def test_changes_made_by_staff_are_not_activity(cohort, course, staff):
    before = course_figures(course=course, period="30")
    set_watched(user=cohort["bob"], lecture=Lecture.objects.get(slug=MAIN[2]), watched=True, source="staff", by=staff)
    after = course_figures(course=course, period="30")
    assert after.active_week == before.active_week == 3  # bob did nothing himself
    assert [week.marked for week in after.weeks] == [week.marked for week in before.weeks]
    # The lecture is watched all the same.
    assert steps(after)[MAIN[2]].watched == steps(before)[MAIN[2]].watched + 1


def test_an_empty_course_has_empty_figures(course):
    figures = course_figures(course=course, period="all")
    assert (figures.learners, figures.started, figures.weeks, figures.pace_days) == (0, 0, [], None)
    assert all(step.reached == 0 for step in figures.steps)


def test_the_page_shows_the_numbers_and_the_charts(staff_client, cohort):
    response = staff_client.get("/admin/analytics/?period=30")
    page = text(response.content)
    assert "Course analytics" in page
    assert "3 learners watched a main lecture in the period" in page
    # The charts are SVG the server drew, with the numbers in words and in a table behind them.
    charts = tags(response.content, "svg", role="img")
    assert len(charts) == 2
    assert "1 learner completed the course" in page
    assert tags(response.content, "a", href="?period=30", aria_current="page")
    assert "style=" not in response.content.decode()


# The page shows the figures as last counted; staff can have them counted now.

RECOUNT = "/admin/analytics/count/"


def started(response):
    """How many learners the page says watched a main lecture in the period."""
    page = text(response.content)
    return int(page.split(" learners watched a main lecture in the period")[0].rsplit(" ", 1)[1])


def test_the_page_shows_the_figures_as_counted_until_staff_count_them_again(staff_client, cohort):
    first = staff_client.get("/admin/analytics/?period=30")
    assert started(first) == 3
    assert "Counted at " in text(first.content)
    newcomer = make_user("newcomer@example.org")
    watch(newcomer, MAIN[0], 0)
    again = staff_client.get("/admin/analytics/?period=30")
    assert started(again) == 3  # as counted a moment ago
    response = staff_client.post(RECOUNT, {"period": "30"})
    assert response.status_code == 303
    assert response["Location"] == "/admin/analytics/?period=30"
    assert started(staff_client.get("/admin/analytics/?period=30")) == 4
    # Each period is counted on its own, when first shown: alice, dave and the newcomer in the last 7 days.
    assert started(staff_client.get("/admin/analytics/?period=7")) == 3


def test_the_page_offers_to_count_now_for_its_period(staff_client, cohort):
    html = staff_client.get("/admin/analytics/?period=90").content.decode()
    form = html[html.index('<form class="counted"') :]
    form = form[: form.index("</form>")]
    assert tags(form, "form", action=RECOUNT, method="post")
    assert tags(form, "input", type="hidden", name="period", value="90")
    assert tags(form, "input", type="hidden", name="csrfmiddlewaretoken")
    assert tags(form, "button", type="submit")


def test_the_counting_speaks_russian_too(staff, cohort):
    page = text(client_for(staff, HTTP_ACCEPT_LANGUAGE="ru").get("/admin/analytics/").content)
    assert "Посчитано " in page
    assert "0 минут назад. Страница посчитает заново, когда цифрам будет больше 10 минут." in page
    assert "Посчитать сейчас" in page


def test_figures_older_than_ten_minutes_are_counted_again(staff_client, cohort):
    staff_client.get("/admin/analytics/?period=30")
    watch(make_user("newcomer@example.org"), MAIN[0], 0)
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(minutes=9)):
        assert started(staff_client.get("/admin/analytics/?period=30")) == 3
    later = now + timedelta(minutes=11)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = staff_client.get("/admin/analytics/?period=30")
    assert started(response) == 4
    assert f"Counted at {later:%-d %b %Y, %H:%M} UTC, 0 minutes ago." in text(response.content)


def test_figures_as_counted_name_the_lectures_as_they_are_now(staff_client, cohort):
    staff_client.get("/admin/analytics/?period=30")
    Lecture.objects.filter(slug=MAIN[0]).update(title="A better title")
    response = staff_client.get("/admin/analytics/?period=30")
    assert started(response) == 3
    assert "Lecture 1: A better title" in text(response.content)
    # A lecture deleted since: the figures are counted again, without it.
    Lecture.objects.filter(slug=BONUS[1]).delete()
    assert "Bonus 2" not in text(staff_client.get("/admin/analytics/?period=30").content)


def test_figures_kept_by_code_with_other_fields_are_counted_again(staff_client, cohort, course):
    cache.set(f"analytics:{course.pk}:30", {"period": "30", "a_field_no_more": 1})
    response = staff_client.get("/admin/analytics/?period=30")
    assert started(response) == 3


def test_an_unknown_period_counts_the_default_one(staff_client, cohort):
    response = staff_client.post(RECOUNT, {"period": "nonsense"})
    assert response["Location"] == "/admin/analytics/?period=30"


def test_counting_now_needs_the_view_permission_and_a_post_with_its_token(client, learner_client, analyst, cohort):
    assert client.post(RECOUNT)["Location"].startswith("/admin/login/")
    assert learner_client.post(RECOUNT)["Location"].startswith("/admin/login/")
    assert client_for(staff_with("view_lecture", email="editor@example.org")).post(RECOUNT).status_code == 403
    assert client_for(analyst).get(RECOUNT).status_code == 405
    checked = client_for(analyst, enforce_csrf_checks=True)
    assert checked.post(RECOUNT, {"period": "7"}).status_code == 403
    assert client_for(analyst).post(RECOUNT, {"period": "7"}).status_code == 303


def test_counting_now_without_a_course_is_not_found(staff_client):
    assert staff_client.post(RECOUNT, {"period": "7"}).status_code == 404


def test_count_analytics_counts_every_period_for_the_page(staff_client, cohort):
    quiet, told = io.StringIO(), io.StringIO()
    call_command("count_analytics", stdout=quiet)
    assert quiet.getvalue() == ""  # for a timer: nothing to mail
    watch(make_user("newcomer@example.org"), MAIN[0], 0)
    assert started(staff_client.get("/admin/analytics/?period=7")) == 2  # alice and dave, as the command counted
    call_command("count_analytics", verbosity=2, stdout=told)
    assert started(staff_client.get("/admin/analytics/?period=7")) == 3
    assert [line.split(":")[0] for line in told.getvalue().splitlines()] == [
        "Period 7", "Period 30", "Period 90", "Period all",
    ]  # fmt: skip


def test_count_analytics_without_a_course_says_so(db):
    err = io.StringIO()
    call_command("count_analytics", stdout=io.StringIO(), stderr=err)
    assert "There is no course" in err.getvalue()


@pytest.mark.parametrize("period", ["7", "90", "all", "nonsense"])
def test_every_period_renders(staff_client, cohort, period):
    response = staff_client.get(f"/admin/analytics/?period={period}")
    assert response.status_code == 200
    expected = "30" if period == "nonsense" else period
    assert tags(response.content, "a", href=f"?period={expected}", aria_current="page")


# The exports.


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_learners_export_streams_one_row_per_learner(staff_client, cohort):
    response = staff_client.get("/admin/analytics/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == 'attachment; filename="learners.csv"'
    header, *rows = read_csv(response)
    assert header == [
        "address", "joined", "verified", "main_watched", "bonus_watched",
        "first_activity", "last_activity", "last_lecture",
    ]  # fmt: skip
    by_address = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    learners = ["alice", "bob", "carol", "dave", "erin", "frank", "gina"]
    assert set(by_address) == {f"{name}@example.org" for name in learners}
    dave = by_address["dave@example.org"]
    # His last lecture is the one he watched last: the bonus lecture, after the main course.
    assert (dave["verified"], dave["main_watched"], dave["bonus_watched"], dave["last_lecture"]) == (
        "yes",
        "10",
        "1",
        BONUS[0],
    )
    assert dave["first_activity"][:10] == ago(23).astimezone(UTC).date().isoformat()
    assert dave["last_activity"][:10] == ago(4).astimezone(UTC).date().isoformat()
    carol = by_address["carol@example.org"]
    assert (carol["main_watched"], carol["last_lecture"]) == ("1", MAIN[1])
    assert by_address["gina@example.org"]["verified"] == "no"
    assert by_address["frank@example.org"]["first_activity"] == ""


def test_the_learners_export_reads_the_learners_a_chunk_at_a_time(staff_client, cohort, monkeypatch):
    # Each chunk is a short query of its own, so no statement of a long export nears the database's time limit.
    monkeypatch.setattr("progress.staff.CHUNK", 3)
    with CaptureQueriesContext(connection) as queries:
        rows = read_csv(staff_client.get("/admin/analytics/export.csv"))
    addresses = [row[0] for row in rows[1:]]
    assert addresses == list(User.objects.filter(is_staff=False).order_by("pk").values_list("email", flat=True))
    assert len(addresses) == 7
    assert sum('"accounts_user"."id" >' in query["sql"] for query in queries.captured_queries) == 2  # 3, 3, then 1


def test_exported_cells_are_safe_from_spreadsheet_formulas(staff_client, course):
    make_user("=cmd|' /c calc'!a0@example.org")
    rows = read_csv(staff_client.get("/admin/analytics/export.csv"))
    assert rows[1][0] == "'=cmd|' /c calc'!a0@example.org"


def test_the_lectures_export_is_the_funnel_for_the_period(staff_client, cohort):
    response = staff_client.get("/admin/analytics/lectures.csv?period=all")
    assert "no-store" in response["Cache-Control"]
    header, *rows = read_csv(response)
    assert header[:7] == ["lecture", "label", "title", "part", "watched_in_period", "reached", "drop"]
    assert [row[0] for row in rows] == MAIN + BONUS
    assert rows[1][4:7] == ["4", "4", "0"]
    assert rows[1][7:] == ["2", "0", "1", "1"]
    assert rows[-1][4] == "1"
    # The table as the page shows it: counted when the file's name says.
    disposition = response["Content-Disposition"]
    name = disposition.removeprefix('attachment; filename="lectures-all-counted-').removesuffix('.csv"')
    counted = datetime.strptime(name, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    assert timezone.now() - timedelta(minutes=1) < counted <= timezone.now()
