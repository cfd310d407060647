"""Pages for staff, in the admin's frame: course analytics with their exports.

They live under /admin/ and go through the admin's own checks (signed in, staff,
active), then each checks a permission on progress: a learner is sent to sign in,
a member of staff without the permission gets a 403.
"""

import csv
from datetime import UTC
from functools import wraps

from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from lectures.models import Course, Part

from .analytics import DEFAULT_PERIOD, PERIODS, course_figures
from .models import LectureProgress, ProgressEvent
from .views import _cell

VIEW_PROGRESS = "progress.view_lectureprogress"
# Rows read from the database at a time while an export streams.
EXPORT_CHUNK = 2000
# Exports hold learners' personal data: never kept by a browser or a shared cache.
no_store = cache_control(private=True, no_store=True)


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


@_staff_view(VIEW_PROGRESS)
@require_safe
def analytics(request):
    course = Course.objects.defer("imported").first()
    period = request.GET.get("period")
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    figures = course_figures(course=course, period=period) if course else None
    return _admin_page(
        request,
        "admin/progress/analytics.html",
        _("Course analytics"),
        {
            "course": course,
            "figures": figures,
            "periods": PERIODS,
            "changes_chart": _changes_chart(figures.weeks) if figures else None,
            "completed_chart": _completed_chart(figures.weeks) if figures else None,
        },
    )


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


class _Echo:
    """A file that hands back what is written to it, so that csv.writer can feed a stream."""

    def write(self, value):
        return value


def _csv_download(rows, filename):
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([_cell(value) for value in row]) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _iso(value):
    return value.astimezone(UTC).isoformat() if value else ""


@_staff_view(VIEW_PROGRESS)
@require_safe
@no_store
def export_learners(request):
    """One row per learner, streamed from the database a chunk at a time."""
    course = Course.objects.defer("imported").first()
    lectures = course.lectures.published().select_related("part").only("slug", "part") if course else []
    names = {lecture.pk: lecture.slug for lecture in lectures}
    main = [lecture.pk for lecture in lectures if lecture.part.kind == Part.Kind.MAIN]
    bonus = [lecture.pk for lecture in lectures if lecture.part.kind == Part.Kind.BONUS]
    watched = LectureProgress.objects.filter(user=OuterRef("pk")).order_by()
    events = ProgressEvent.objects.filter(user=OuterRef("pk")).order_by()

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
        for email, joined, verified, main_count, bonus_count, first, last, visited, last_lecture in learners.iterator(
            chunk_size=EXPORT_CHUNK
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

    return _csv_download(rows(), "learners.csv")


@_staff_view(VIEW_PROGRESS)
@require_safe
@no_store
def export_lectures(request):
    """The analytics' table of lectures for the period asked for."""
    course = Course.objects.defer("imported").first()
    if course is None:
        raise Http404
    period = request.GET.get("period")
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    figures = course_figures(course=course, period=period)

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

    return _csv_download(rows(), f"lectures-{period}.csv")
