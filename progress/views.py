import csv
import json
import logging
from datetime import UTC

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts.throttles import exports_refused, over_limit, too_many_requests
from accounts.timezones import learner_timezone
from lectures.models import Course, Lecture
from portal.http import HttpResponseSeeOther, safe_next

from .models import LectureProgress, ProgressEvent, course_progress, record_visit, set_watched

logger = logging.getLogger(__name__)

WATCHED_VALUES = {"true": True, "false": False}

# A learner's own progress is personal: never stored by a shared or browser cache.
private_no_store = cache_control(private=True, no_store=True)


SYLLABUS_DEFERRED = [
    *("summary", "summary_en", "topics", "topics_en", "imported"),
    *("part__imported", "part__course__summary", "part__course__summary_en", "part__course__imported"),
]


def _syllabus(course, user):
    """The course's lectures in order, as the visitor may see them: staff see drafts too."""
    # Only what the syllabus and the progress figures show: no long texts, no import records. A part's
    # course comes along for the language of its title.
    lectures = course.lectures.select_related("part__course").in_course_order().defer(*SYLLABUS_DEFERRED)
    return list(lectures if user.is_staff else lectures.listed())


def _lecture_state(user, lecture, lectures):
    """What the lecture's progress block shows; the lecture page and the toggle's htmx answer share it."""
    progress = course_progress(user=user, lectures=lectures)
    return {
        "course": lecture.course,
        "lecture": lecture,
        "progress": progress,
        "is_watched": lecture.pk in progress.watched,
    }


@require_safe
def home(request):
    course = Course.objects.defer("imported").first()
    if course is None:
        return render(request, "progress/home.html", {"course": None})
    lectures = _syllabus(course, request.user)
    progress = course_progress(user=request.user, lectures=lectures)
    return render(
        request,
        "progress/home.html",
        {"course": course, "progress": progress, "syllabus": progress.rows(lectures)},
    )


@require_safe
def lecture(request, slug):
    # Learners open published lectures only; staff may preview the others.
    visible = Lecture.objects.all() if request.user.is_staff else Lecture.objects.published()
    lecture = get_object_or_404(
        visible.select_related("course", "part__course").prefetch_related("reading_items"),
        course=Course.objects.first(),
        slug=slug,
    )
    lectures = _syllabus(lecture.course, request.user)
    preview = not lecture.is_published
    if preview:
        # Staff see the page as learners will once it is published: no other drafts beside it.
        lectures = [item for item in lectures if not item.is_draft or item == lecture]
    published = [item for item in lectures if item.is_published or item == lecture]
    index = published.index(lecture)
    state = _lecture_state(request.user, lecture, lectures)
    progress = state["progress"]
    if progress.is_new_visit(lecture):
        record_visit(user=request.user, lecture=lecture)
    return render(
        request,
        "progress/lecture.html",
        state
        | {
            "preview": preview,
            "syllabus": progress.rows(lectures, current=lecture),
            "previous": published[index - 1] if index > 0 else None,
            "next": published[index + 1] if index + 1 < len(published) else None,
        },
    )


@require_POST
@vary_on_headers("HX-Request")
def watched(request, slug):
    """Set a lecture watched or not watched: `watched=true|false`, explicit state."""
    if not request.user.is_authenticated:
        # After signing in the learner comes back to the lecture, not to this POST.
        login = redirect_to_login(reverse("progress:lecture", args=[slug]))
        return HttpResponseClientRedirect(login.url) if request.htmx else login
    if over_limit("watched-changes", user=request.user, limit=settings.WATCHED_CHANGES_PER_MINUTE, seconds=60):
        return too_many_requests(
            request, _("That was a lot of changes in a short time. Wait a minute, then try again."), retry_after=60
        )
    lecture = get_object_or_404(
        Lecture.objects.published().select_related("course", "part"), course=Course.objects.first(), slug=slug
    )
    value = request.POST.get("watched")
    if value not in WATCHED_VALUES:
        return HttpResponseBadRequest("The field watched must be true or false.", content_type="text/plain")

    set_watched(user=request.user, lecture=lecture, watched=WATCHED_VALUES[value])
    if not request.htmx:
        return HttpResponseSeeOther(safe_next(request, lecture.get_absolute_url()))
    lectures = _syllabus(lecture.course, request.user)
    return render(request, "progress/lecture.html#watched-response", _lecture_state(request.user, lecture, lectures))


# The timeline on /progress/ shows this many events a page; the exports hold them all.
EVENTS_PER_PAGE = 50
# Rows read from the database at a time while an export streams.
EXPORT_CHUNK = 2000


def _learner_data(user):
    progress = (
        LectureProgress.objects.filter(user=user)
        .select_related("lecture__part")
        .order_by("lecture__part__position", "lecture__number")
    )
    events = ProgressEvent.objects.filter(user=user).select_related("lecture__part").order_by("-at", "-pk")
    return progress, events


@require_safe
@login_required
@private_no_store
def index(request):
    course = Course.objects.first()
    lectures = _syllabus(course, request.user) if course else []
    watched, events = _learner_data(request.user)
    # Any page number that is not one (a word, a huge number) shows the nearest real page.
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    # This is the one page that shows times: in the learner's own time zone.
    with timezone.override(learner_timezone(request) or UTC):
        return render(
            request,
            "progress/index.html",
            {
                "course": course,
                "progress": course_progress(user=request.user, lectures=lectures),
                "watched": watched,
                "events": page,
                "timezone_name": timezone.get_current_timezone_name(),
            },
        )


def _cell(value):
    """Keep a spreadsheet from reading a text cell as a formula."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _lecture_fields(lecture):
    return {
        "lecture": lecture.slug,
        "label": lecture.label,
        "title": lecture.title,
        "title_en": lecture.title_en,
    }


def _exports_limited(view):
    """Exports read a learner's whole history: a few an hour, then 429."""

    def wrapped(request):
        return exports_refused(request) or view(request)

    return wrapped


def _download(chunks, *, content_type, filename):
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _json_items(rows):
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n    " + json.dumps(row, ensure_ascii=False)


def _progress_json(user):
    watched, events = _learner_data(user)
    yield "{\n"
    yield f'  "learner": {json.dumps(user.email, ensure_ascii=False)},\n'
    yield f'  "exported_at": {json.dumps(timezone.now().isoformat())},\n'
    yield '  "watched": ['
    yield from _json_items(
        _lecture_fields(row.lecture) | {"watched_at": row.watched_at.isoformat(), "source": row.source}
        for row in watched.iterator(chunk_size=EXPORT_CHUNK)
    )
    yield '\n  ],\n  "events": ['
    yield from _json_items(
        _lecture_fields(event.lecture) | {"action": event.action, "source": event.source, "at": event.at.isoformat()}
        for event in events.iterator(chunk_size=EXPORT_CHUNK)
    )
    yield "\n  ]\n}\n"


class _Echo:
    """A file that hands back what is written to it, so csv.writer can feed a stream."""

    def write(self, value):
        return value


def _progress_csv(user):
    watched, _ = _learner_data(user)
    writer = csv.writer(_Echo())
    yield writer.writerow(["lecture", "label", "title", "title_en", "watched_at", "source"])
    for row in watched.iterator(chunk_size=EXPORT_CHUNK):
        fields = _lecture_fields(row.lecture)
        yield writer.writerow([_cell(value) for value in fields.values()] + [row.watched_at.isoformat(), row.source])


@require_safe
@login_required
@private_no_store
@_exports_limited
def export_json(request):
    return _download(
        _progress_json(request.user), content_type="application/json; charset=utf-8", filename="my-progress.json"
    )


@require_safe
@login_required
@private_no_store
@_exports_limited
def export_csv(request):
    return _download(_progress_csv(request.user), content_type="text/csv; charset=utf-8", filename="my-progress.csv")
