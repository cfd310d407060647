"""Pages for staff, in the admin's frame: course analytics with their exports, and one learner's timeline.

They live under /admin/ and go through the admin's own checks (signed in, staff,
active), then each checks a permission on progress: a learner is sent to sign in,
a member of staff without the permission gets a 403.
"""

from datetime import UTC
from functools import wraps

from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from lectures.models import Course, Lecture, Part
from portal.http import HttpResponseSeeOther

from .analytics import DEFAULT_PERIOD, FIGURES_MAX_AGE, PERIODS, count_figures, counted_figures
from .downloads import CHUNK, csv_download
from .models import LectureProgress, ProgressEvent, Source, course_progress, set_watched
from .views import STATES, private_no_store

VIEW_PROGRESS = "progress.view_lectureprogress"
CHANGE_PROGRESS = "progress.change_lectureprogress"
CHANGE_USER = "accounts.change_user"
# Events on a page of a learner's timeline.
EVENTS_PER_PAGE = 50


def _staff_view(permission):
    """The admin's checks (a learner gets its sign-in page), then the permission (a member of staff a 403)."""

    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return admin.site.admin_view(checked)

    return decorator


def _admin_page(request, template, title, context):
    return render(request, template, admin.site.each_context(request) | {"title": title} | context)


def _course_or_404():
    course = Course.objects.defer("imported").first()
    if course is None:
        raise Http404
    return course


def _period(data):
    period = data.get("period")
    return period if period in PERIODS else DEFAULT_PERIOD


@_staff_view(VIEW_PROGRESS)
@require_safe
def analytics(request):
    course = Course.objects.defer("imported").first()
    figures = counted_figures(course=course, period=_period(request.GET)) if course else None
    return _admin_page(
        request,
        "admin/progress/analytics.html",
        _("Course analytics"),
        {
            "course": course,
            "figures": figures,
            "max_age": int(FIGURES_MAX_AGE.total_seconds() // 60),
            "periods": PERIODS,
            "changes_chart": _changes_chart(figures.weeks) if figures else None,
            "completed_chart": _completed_chart(figures.weeks) if figures else None,
        },
    )


@_staff_view(VIEW_PROGRESS)
@require_POST
def count_now(request):
    """Count the analytics of the period now, rather than show them as last counted."""
    period = _period(request.POST)
    count_figures(course=_course_or_404(), period=period)
    return HttpResponseSeeOther(f"{reverse('progress:analytics')}?period={period}")


# The charts are drawn by the server as SVG: each bar is a rectangle sized by its
# attributes (the CSP allows no style attributes) and coloured by the stylesheet.
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 640, 180, 18, 22


def _chart(weeks, series):
    """Stacked bars, a stack a week, of the series given as (Week attribute, label, sentence for a bar)."""
    totals = [sum(getattr(week, name) for name, *_rest in series) for week in weeks]
    peak = max(totals, default=0)
    slot = CHART_WIDTH / max(len(weeks), 1)
    plot = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    bars = []
    for index, week in enumerate(weeks):
        base = CHART_HEIGHT - CHART_BOTTOM
        for name, _label, sentence in series:
            value = getattr(week, name)
            height = plot * value / peak if peak else 0
            base -= height
            bars.append(
                {
                    "x": round(index * slot + slot * 0.15, 2),
                    "y": round(base, 2),
                    "width": round(slot * 0.7, 2),
                    "height": round(height, 2),
                    "series": name,
                    # Each bar's number in words: the chart's description for screen readers, and its tooltip.
                    "title": sentence(value) % {"week": date_format(week.start, "j M Y"), "count": value},
                }
            )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "baseline": CHART_HEIGHT - CHART_BOTTOM,
        "label_y": CHART_HEIGHT - 6,
        "peak": peak,
        "bars": bars,
        "series": [(name, label) for name, label, _sentence in series],
        "rows": [{"week": week.start, "values": [getattr(week, name) for name, *_rest in series]} for week in weeks],
        "first": weeks[0].start if weeks else None,
        "last": weeks[-1].start if weeks else None,
    }


def _changes_chart(weeks):
    return _chart(
        weeks,
        [
            (
                "marked",
                _("Marked watched"),
                lambda count: ngettext(
                    "Week of %(week)s: %(count)s lecture marked watched.",
                    "Week of %(week)s: %(count)s lectures marked watched.",
                    count,
                ),
            ),
            (
                "unmarked",
                _("Marked not watched"),
                lambda count: ngettext(
                    "Week of %(week)s: %(count)s lecture marked not watched.",
                    "Week of %(week)s: %(count)s lectures marked not watched.",
                    count,
                ),
            ),
        ],
    )


def _completed_chart(weeks):
    return _chart(
        weeks,
        [
            (
                "completed",
                _("Completed the course"),
                lambda count: ngettext(
                    "Week of %(week)s: %(count)s learner completed the course.",
                    "Week of %(week)s: %(count)s learners completed the course.",
                    count,
                ),
            )
        ],
    )


def _in_chunks(rows, size):
    """The rows of a values_list() ordered by primary key (its first value), read a chunk at a time.

    Each chunk is a short query of its own, after the last key read: a long export keeps
    no cursor or transaction open, and no statement runs near the database's time limit.
    """
    last = None
    while True:
        chunk = list((rows if last is None else rows.filter(pk__gt=last))[:size])
        yield from chunk
        if len(chunk) < size:
            return
        last = chunk[-1][0]


def _iso(value):
    return value.astimezone(UTC).isoformat() if value else ""


@_staff_view(VIEW_PROGRESS)
@require_safe
@private_no_store
def export_learners(request):
    """One row per learner, streamed as it is read from the database, a chunk of learners at a time."""
    course = Course.objects.defer("imported").first()
    lectures = course.lectures.published().select_related("part").only("slug", "part") if course else []
    names = {lecture.pk: lecture.slug for lecture in lectures}
    main = [lecture.pk for lecture in lectures if lecture.part.kind == Part.Kind.MAIN]
    bonus = [lecture.pk for lecture in lectures if lecture.part.kind == Part.Kind.BONUS]
    watched = LectureProgress.objects.filter(user=OuterRef("pk")).order_by()
    # The learner's own changes: one made for them by staff is not their activity.
    events = ProgressEvent.objects.filter(user=OuterRef("pk")).exclude(source=Source.STAFF).order_by()

    def count(lecture_ids):
        counted = watched.filter(lecture__in=lecture_ids).values("user").annotate(count=Count("pk")).values("count")
        return Coalesce(Subquery(counted), 0)

    learners = (
        get_user_model()
        .objects.filter(is_staff=False)
        .annotate(
            verified=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            main=count(main),
            bonus=count(bonus),
            first_change=Subquery(events.order_by("at").values("at")[:1]),
            last_change=Subquery(events.order_by("-at").values("at")[:1]),
            visited=F("last_visit__visited_at"),
            last_lecture=Subquery(watched.order_by("-watched_at", "-pk").values("lecture")[:1]),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "email",
            "date_joined",
            "verified",
            "main",
            "bonus",
            "first_change",
            "last_change",
            "visited",
            "last_lecture",
        )
    )

    def rows():
        yield [
            "address", "joined", "verified", "main_watched", "bonus_watched",
            "first_activity", "last_activity", "last_lecture",
        ]  # fmt: skip
        for _pk, email, joined, verified, main_count, bonus_count, first, last, visited, last_lecture in _in_chunks(
            learners, CHUNK
        ):
            # Only the last visit is kept: it can be a learner's first activity as well as their last.
            times = [time for time in (first, last, visited) if time]
            yield [
                email,
                _iso(joined),
                "yes" if verified else "no",
                main_count,
                bonus_count,
                _iso(min(times, default=None)),
                _iso(max(times, default=None)),
                names.get(last_lecture, ""),
            ]

    return csv_download(rows(), "learners.csv")


@_staff_view(VIEW_PROGRESS)
@require_safe
@private_no_store
def export_lectures(request):
    """The analytics' table of lectures for the period asked for."""
    period = _period(request.GET)
    # The table the page shows, as counted then; the file's name says when.
    figures = counted_figures(course=_course_or_404(), period=period)

    def rows():
        yield [
            "lecture", "label", "title", "part", "watched_in_period", "reached", "drop",
            "stopped_here", "stopped_last_watched_within_7_days", "stopped_last_watched_7_to_30_days",
            "stopped_last_watched_over_30_days",
        ]  # fmt: skip
        for step in figures.steps:
            lecture = step.lecture
            yield [
                lecture.slug, lecture.label, lecture.title, lecture.part.slug, step.watched, step.reached,
                "" if step.drop is None else step.drop, step.stopped_here, *step.stopped,
            ]  # fmt: skip
        for step in figures.bonus:
            lecture = step.lecture
            yield [lecture.slug, lecture.label, lecture.title, lecture.part.slug, step.watched, "", "", "", "", "", ""]

    return csv_download(rows(), f"lectures-{period}-counted-{figures.counted_at.astimezone(UTC):%Y%m%dT%H%MZ}.csv")


def _timeline(page, progress):
    """The page's events, with the learner's last visit among them where its time puts it."""
    items = [{"kind": "event", "at": event.at, "event": event} for event in page]
    lecture = next((lecture for lecture in progress.lectures if lecture.pk == progress.last_visited_id), None)
    if lecture is not None:
        at = progress.last_visited_at
        # The visit is on this page when it is no newer than the previous page's oldest event...
        events = page.paginator.object_list
        newest = page.number == 1 or at <= events.values_list("at", flat=True)[page.start_index() - 2]
        # ...and newer than this page's oldest, unless this page is the last.
        oldest = not page.has_next() or (items and at > items[-1]["at"])
        if newest and oldest:
            place = next((index for index, item in enumerate(items) if item["at"] < at), len(items))
            items.insert(place, {"kind": "visit", "at": at, "lecture": lecture})
    return items


@_staff_view(VIEW_PROGRESS)
@require_safe
def timeline(request, user_id):
    learner = get_object_or_404(get_user_model(), pk=user_id)
    course = Course.objects.defer("imported").first()
    lectures = list(course.lectures.select_related("part").in_course_order().listed()) if course else []
    progress = course_progress(user=learner, lectures=lectures)
    watched = {
        row.lecture_id: row
        for row in LectureProgress.objects.filter(user=learner).only("lecture", "watched_at", "source")
    }
    events = (
        ProgressEvent.objects.filter(user=learner)
        # The page's lectures and the staff who made its changes apart: joined, PostgreSQL would sort
        # every event of the learner with its lecture's columns, and read every user.
        .prefetch_related(
            Prefetch("lecture", Lecture.objects.select_related("part").only("number", "slug", "title", "part__kind")),
            "by",
        )
        .only("at", "action", "source", "by", "lecture")
        .order_by("-at", "-pk")
    )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return _admin_page(
        request,
        "admin/progress/timeline.html",
        _("Timeline of %(learner)s") % {"learner": learner.email},
        {
            "learner": learner,
            "verified": EmailAddress.objects.filter(user=learner, verified=True).exists(),
            "course": course,
            "progress": progress,
            "lectures": [(lecture, watched.get(lecture.pk)) for lecture in progress.lectures if lecture.is_published],
            "page": page,
            "items": _timeline(page, progress),
            "can_change_progress": request.user.has_perm(CHANGE_PROGRESS),
            "can_change_user": request.user.has_perm(CHANGE_USER),
        },
    )


def _log(request, learner, message):
    """Record a staff action on a learner in the admin's log, where the user's history shows it."""
    LogEntry.objects.log_actions(
        user_id=request.user.pk, queryset=[learner], action_flag=CHANGE, change_message=message, single_object=True
    )


def _back_to_timeline(learner):
    return HttpResponseSeeOther(reverse("progress:timeline", args=[learner.pk]))


@_staff_view(CHANGE_PROGRESS)
@require_POST
def change_watched(request, user_id):
    """Mark a lecture watched or not watched for the learner: `lecture` (its id) and `watched=true|false`."""
    learner = get_object_or_404(get_user_model(), pk=user_id)
    value = STATES.get(request.POST.get("watched"))
    lecture_id = request.POST.get("lecture", "")
    if value is None or not (lecture_id.isascii() and lecture_id.isdigit()):
        return HttpResponseBadRequest(
            _("Give the lecture's id and watched=true or watched=false."), content_type="text/plain"
        )
    lecture = get_object_or_404(Lecture.objects.published().select_related("part"), pk=lecture_id)
    if set_watched(user=learner, lecture=lecture, watched=value, source=Source.STAFF, by=request.user):
        if value:
            message = _("Marked %(lecture)s watched for the learner.") % {"lecture": lecture}
        else:
            message = _("Marked %(lecture)s not watched for the learner.") % {"lecture": lecture}
        _log(request, learner, message)
        messages.success(request, message)
    else:
        messages.info(request, _("Nothing changed: the learner's progress was already so."))
    return _back_to_timeline(learner)


@_staff_view(CHANGE_USER)
@require_POST
def resend_verification(request, user_id):
    """Send the learner the mail that verifies their address again, unless it is verified already."""
    learner = get_object_or_404(get_user_model(), pk=user_id)
    address = EmailAddress.objects.get_primary(learner) or EmailAddress.objects.add_email(
        request, learner, learner.email
    )
    if address.verified:
        messages.info(request, _("%(address)s is verified already: nothing was sent.") % {"address": address.email})
    else:
        address.send_confirmation(request)
        message = _("Sent the mail that verifies %(address)s again.") % {"address": address.email}
        _log(request, learner, message)
        messages.success(request, message)
    return _back_to_timeline(learner)


@_staff_view(CHANGE_USER)
@require_POST
def deactivate(request, user_id):
    """Deactivate the learner's account: they can no longer sign in, and their signed-in sessions stop working."""
    learner = get_object_or_404(get_user_model(), pk=user_id)
    if learner == request.user:
        messages.error(request, _("You cannot deactivate your own account here."))
    elif learner.is_active:
        learner.is_active = False
        learner.save(update_fields=["is_active"])
        message = _("Deactivated the account.")
        _log(request, learner, message)
        messages.success(request, message)
    else:
        messages.info(request, _("The account was deactivated already."))
    return _back_to_timeline(learner)
