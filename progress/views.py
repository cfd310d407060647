import csv
import json
import time
from datetime import UTC

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts.timezones import learner_timezone
from lectures.syllabus import get_syllabus
from portal.cache import count_in_window
from portal.http import HttpResponseSeeOther, safe_next

from .models import CourseProgress, LectureProgress, ProgressEvent, course_progress, set_watched

WATCHED_VALUES = {"true": True, "false": False}

# A learner's own progress is personal: never stored by a shared or browser cache.
private_no_store = cache_control(private=True, no_store=True)


def _this_minute():
    return int(time.time() // 60)


def _too_many_changes(user):
    """Count the learner's changes in the current minute, in the shared cache; True past the limit."""
    count = count_in_window(cache, f"watched-changes:{user.pk}:{_this_minute()}", timeout=120)
    return count > settings.WATCHED_CHANGES_PER_MINUTE


@require_POST
@vary_on_headers("HX-Request")
def watched(request, slug):
    """Set a lecture watched or not watched: `watched=true|false`, explicit state."""
    if not request.user.is_authenticated:
        # After signing in the learner comes back to the lecture, not to this POST.
        login = redirect_to_login(resolve_url("lectures:detail", slug))
        return HttpResponseClientRedirect(login.url) if request.htmx else login
    if _too_many_changes(request.user):
        response = render(request, "429.html", status=429)
        response["Retry-After"] = "60"
        return response
    syllabus = get_syllabus()
    lecture = syllabus.lecture(slug)
    if lecture is None or not lecture.is_published:
        raise Http404("No such lecture.")
    value = request.POST.get("watched")
    if value not in WATCHED_VALUES:
        return HttpResponseBadRequest("The field watched must be true or false.", content_type="text/plain")

    # htmx needs the watched lectures for the progress bar; the write can bring them back.
    change = set_watched(
        user=request.user, lecture=lecture, watched=WATCHED_VALUES[value], read_watched=bool(request.htmx)
    )
    if not request.htmx:
        return HttpResponseSeeOther(safe_next(request, lecture.url))
    return render(
        request,
        "lectures/lecture_detail.html#watched-response",
        {
            "course": syllabus.course,
            "lecture": lecture,
            "row": syllabus.rows[lecture.pk],
            "progress": CourseProgress(
                lectures=syllabus.lectures_for(staff=False), watched=change.watched, signed_in=True
            ),
            "is_watched": lecture.pk in change.watched,
            "memo": syllabus.memo,
        },
    )


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
    syllabus = get_syllabus()
    lectures = syllabus.lectures_for(staff=False)
    watched, events = _learner_data(request.user)
    # This is the one page that shows times: in the learner's own time zone.
    with timezone.override(learner_timezone(request) or UTC):
        return render(
            request,
            "progress/index.html",
            {
                "course": syllabus.course,
                "progress": course_progress(user=request.user, lectures=lectures, with_last_visit=True),
                "watched": watched,
                "events": events,
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


@require_safe
@login_required
@private_no_store
def export_json(request):
    watched, events = _learner_data(request.user)
    data = {
        "learner": request.user.email,
        "exported_at": timezone.now().isoformat(),
        "watched": [
            _lecture_fields(row.lecture) | {"watched_at": row.watched_at.isoformat(), "source": row.source}
            for row in watched
        ],
        "events": [
            _lecture_fields(event.lecture)
            | {"action": event.action, "source": event.source, "at": event.at.isoformat()}
            for event in events
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-progress.json"'
    return response


@require_safe
@login_required
@private_no_store
def export_csv(request):
    watched, _ = _learner_data(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-progress.csv"'
    writer = csv.writer(response)
    writer.writerow(["lecture", "label", "title", "title_en", "watched_at", "source"])
    for row in watched:
        fields = _lecture_fields(row.lecture)
        writer.writerow([_cell(value) for value in fields.values()] + [row.watched_at.isoformat(), row.source])
    return response
