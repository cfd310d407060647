import json
import logging
from datetime import UTC
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, prefetch_related_objects
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts.throttles import exports_refused, over_limit, too_many_requests
from accounts.timezones import learner_timezone
from lectures.models import Course, Lecture, ReadingItem
from portal.http import HttpResponseSeeOther, safe_next

from .downloads import CHUNK, csv_download, download
from .feeds import calendar_feed
from .forms import NoteForm, PlanForm
from .models import (
    NOTE_ORDER,
    Feed,
    LectureProgress,
    Note,
    PacePlan,
    PlannedLecture,
    ProgressEvent,
    ReadingProgress,
    TooManyNotes,
    add_note,
    change_note,
    course_progress,
    delete_note,
    delete_plan,
    lay_out_plan,
    record_visit,
    set_feed,
    set_read,
    set_watched,
)
from .notes import NOTES_PER_LEARNER, video_link
from .plans import NoStudyDays, standing

logger = logging.getLogger(__name__)

# The explicit state a watched or read toggle sets.
STATES = {"true": True, "false": False}

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
    context = {"course": course, "progress": progress, "syllabus": progress.rows(lectures)}
    if request.user.is_authenticated:
        context |= _plan_standing(request.user, progress)
    return render(request, "progress/home.html", context)


def _lecture_page(request, lecture, **extra):
    """Everything the lecture page shows; the page itself and the notes' answers without JavaScript share it."""
    lectures = _syllabus(lecture.course, request.user)
    preview = not lecture.is_published
    if preview:
        # Staff see the page as learners will once it is published: no other drafts beside it.
        lectures = [item for item in lectures if not item.is_draft or item == lecture]
    published = [item for item in lectures if item.is_published or item == lecture]
    index = published.index(lecture)
    state = _lecture_state(request.user, lecture, lectures)
    progress = state["progress"]
    context = state | {
        "preview": preview,
        "syllabus": progress.rows(lectures, current=lecture),
        "previous": published[index - 1] if index > 0 else None,
        "next": published[index + 1] if index + 1 < len(published) else None,
    }
    if request.user.is_authenticated and lecture.is_published:
        context |= _reading_state(request.user, lecture) | {
            "notes": _notes(request.user, lecture),
            "note_form": NoteForm(),
        }
    return context | extra


def _notes(user, lecture):
    # The list shows the rendered text; the Markdown is read only to edit one note.
    return list(Note.objects.filter(user=user, lecture=lecture).defer("body").order_by(*NOTE_ORDER))


def _for_the_page(lectures):
    """What the lecture page shows besides the lecture: its course, its part and its reading list."""
    return lectures.select_related("course", "part__course").prefetch_related("reading_items")


@require_safe
def lecture(request, slug):
    # Learners open published lectures only; staff may preview the others.
    visible = Lecture.objects.all() if request.user.is_staff else Lecture.objects.published()
    lecture = get_object_or_404(_for_the_page(visible), course=Course.objects.first(), slug=slug)
    context = _lecture_page(request, lecture)
    # A HEAD (a link checker, a prefetch) is no visit.
    if request.method == "GET" and context["progress"].is_new_visit(lecture):
        record_visit(user=request.user, lecture=lecture)
    return render(request, "progress/lecture.html", context)


def _login_first(request, next_url):
    """The answer to an anonymous change: sign in, then come back to the page, not to the POST."""
    login = redirect_to_login(next_url)
    return HttpResponseClientRedirect(login.url) if request.htmx else login


def _published_lecture(slug):
    return get_object_or_404(
        Lecture.objects.published().select_related("course", "part"), course=Course.objects.first(), slug=slug
    )


@require_POST
@vary_on_headers("HX-Request")
def watched(request, slug):
    """Set a lecture watched or not watched: `watched=true|false`, explicit state."""
    if not request.user.is_authenticated:
        return _login_first(request, reverse("progress:lecture", args=[slug]))
    if over_limit("watched-changes", user=request.user, limit=settings.WATCHED_CHANGES_PER_MINUTE, seconds=60):
        return too_many_requests(
            request, _("That was a lot of changes in a short time. Wait a minute, then try again."), retry_after=60
        )
    lecture = _published_lecture(slug)
    value = request.POST.get("watched")
    if value not in STATES:
        return HttpResponseBadRequest("The field watched must be true or false.", content_type="text/plain")

    set_watched(user=request.user, lecture=lecture, watched=STATES[value])
    if not request.htmx:
        return HttpResponseSeeOther(safe_next(request, lecture.get_absolute_url()))
    lectures = _syllabus(lecture.course, request.user)
    return render(request, "progress/lecture.html#watched-response", _lecture_state(request.user, lecture, lectures))


# --- The reading list, item by item ----------------------------------------


def _reading_counts(items, read_ids):
    """How much of a reading list is read: required and optional items counted apart."""
    required = [item for item in items if item.required]
    optional = [item for item in items if not item.required]
    return {
        "required_read": sum(1 for item in required if item.pk in read_ids),
        "required_total": len(required),
        "optional_read": sum(1 for item in optional if item.pk in read_ids),
        "optional_total": len(optional),
    }


def _reading_state(user, lecture):
    # The items come prefetched with the lecture; what the learner read of them is one query.
    items = [item.pk for item in lecture.reading_items.all()]
    read_ids = set(ReadingProgress.objects.filter(user=user, item__in=items).values_list("item_id", flat=True))
    return {"read_ids": read_ids, "reading": _reading_counts(lecture.reading_items.all(), read_ids)}


@require_POST
@vary_on_headers("HX-Request")
def read(request, slug, pk):
    """Set a reading item read or not read: `read=true|false`, explicit state, as the watched toggle."""
    if not request.user.is_authenticated:
        return _login_first(request, reverse("progress:lecture", args=[slug]))
    if over_limit("reading-changes", user=request.user, limit=settings.WATCHED_CHANGES_PER_MINUTE, seconds=60):
        return too_many_requests(
            request, _("That was a lot of changes in a short time. Wait a minute, then try again."), retry_after=60
        )
    lecture = _published_lecture(slug)
    item = get_object_or_404(ReadingItem, lecture=lecture, pk=pk)
    value = request.POST.get("read")
    if value not in STATES:
        return HttpResponseBadRequest("The field read must be true or false.", content_type="text/plain")

    set_read(user=request.user, item=item, read=STATES[value])
    if not request.htmx:
        return HttpResponseSeeOther(safe_next(request, f"{lecture.get_absolute_url()}#reading-{item.pk}"))
    prefetch_related_objects([lecture], "reading_items")
    return render(
        request,
        "progress/lecture.html#reading-response",
        {"lecture": lecture, "item": item, "course": lecture.course} | _reading_state(request.user, lecture),
    )


# --- Notes -------------------------------------------------------------------


def _note_changes_refused(request):
    if over_limit("note-changes", user=request.user, limit=settings.NOTE_CHANGES_PER_MINUTE, seconds=60):
        return too_many_requests(
            request, _("That was a lot of note changes in a short time. Wait a minute, then try again."), retry_after=60
        )
    return None


def _notes_answer(request, lecture, *, announcement="", status=200, **extra):
    """The notes block after a change: for htmx the block (and what the live region says), else the page."""
    if request.htmx:
        context = {
            "lecture": lecture,
            "course": lecture.course,
            "notes": _notes(request.user, lecture),
            "note_form": NoteForm(),
            "announcement": announcement,
        }
        return render(request, "progress/lecture.html#notes-response", context | extra, status=status)
    lecture = _for_the_page(Lecture.objects).get(pk=lecture.pk)
    return render(request, "progress/lecture.html", _lecture_page(request, lecture, **extra), status=status)


def _note_answer(request, lecture, note, *, announcement="", editing=None, edit_form=None, status=200):
    """One note, shown or in its edit form: for htmx the note alone, else the lecture page around it."""
    if request.htmx:
        context = {
            "lecture": lecture,
            "course": lecture.course,
            "note": note,
            "editing": editing,
            "edit_form": edit_form,
            "announcement": announcement,
        }
        return render(request, "progress/lecture.html#note-response", context, status=status)
    lecture = _for_the_page(Lecture.objects).get(pk=lecture.pk)
    return render(
        request,
        "progress/lecture.html",
        _lecture_page(request, lecture, editing=editing, edit_form=edit_form),
        status=status,
    )


@require_POST
@vary_on_headers("HX-Request")
def note_add(request, slug):
    """Add a note to the lecture: `body` (Markdown) and an optional `time` (mm:ss or h:mm:ss)."""
    if not request.user.is_authenticated:
        return _login_first(request, reverse("progress:lecture", args=[slug]))
    if refused := _note_changes_refused(request):
        return refused
    lecture = _published_lecture(slug)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = add_note(
                user=request.user, lecture=lecture, body=form.cleaned_data["body"], seconds=form.cleaned_data["time"]
            )
        except TooManyNotes:
            form.add_error(
                None,
                _(
                    "You have %(count)s notes, as many as the portal keeps for one learner. "
                    "Delete some you no longer need, then add this one."
                )
                % {"count": number_format(NOTES_PER_LEARNER, force_grouping=True)},
            )
        else:
            if not request.htmx:
                return HttpResponseSeeOther(f"{lecture.get_absolute_url()}#note-{note.pk}")
            return _notes_answer(request, lecture, announcement=_("Note added."))
    # 422: the form comes back with what to fix (htmx swaps it in: see base.html's htmx-config).
    return _notes_answer(request, lecture, note_form=form, status=422)


def _own_note(request, lecture, pk):
    return get_object_or_404(Note, user=request.user, lecture=lecture, pk=pk)


@require_safe
@vary_on_headers("HX-Request")
def note(request, slug, pk):
    """One of the learner's notes as shown: htmx puts it back after an edit is cancelled."""
    if not request.user.is_authenticated:
        return _login_first(request, reverse("progress:lecture", args=[slug]))
    lecture = _published_lecture(slug)
    note = _own_note(request, lecture, pk)
    if not request.htmx:
        return HttpResponseRedirect(f"{lecture.get_absolute_url()}#note-{note.pk}")
    return _note_answer(request, lecture, note)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def note_edit(request, slug, pk):
    """GET: the note in its edit form. POST: save it (`body`, `time`)."""
    if not request.user.is_authenticated:
        return _login_first(request, reverse("progress:lecture", args=[slug]))
    if request.method == "POST" and (refused := _note_changes_refused(request)):
        return refused
    lecture = _published_lecture(slug)
    note = _own_note(request, lecture, pk)
    if request.method != "POST":
        form = NoteForm(initial={"body": note.body, "time": note.time})
        return _note_answer(request, lecture, note, editing=note.pk, edit_form=form)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _note_answer(request, lecture, note, editing=note.pk, edit_form=form, status=422)
    data = form.cleaned_data
    if not change_note(user=request.user, lecture=lecture, pk=note.pk, body=data["body"], seconds=data["time"]):
        raise Http404  # deleted meanwhile, in another tab
    if not request.htmx:
        return HttpResponseSeeOther(f"{lecture.get_absolute_url()}#note-{note.pk}")
    return _note_answer(request, lecture, _own_note(request, lecture, pk), announcement=_("Note saved."))


@require_POST
@vary_on_headers("HX-Request")
def note_delete(request, slug, pk):
    """Delete one of the learner's notes. A note already gone is the outcome asked for: the same answer."""
    if not request.user.is_authenticated:
        return _login_first(request, reverse("progress:lecture", args=[slug]))
    if refused := _note_changes_refused(request):
        return refused
    lecture = _published_lecture(slug)
    delete_note(user=request.user, lecture=lecture, pk=pk)
    if not request.htmx:
        return HttpResponseSeeOther(f"{lecture.get_absolute_url()}#notes-title")
    return _notes_answer(request, lecture, announcement=_("Note deleted."))


# --- The pace plan -----------------------------------------------------------


def _plan_standing(user, progress):
    """The learner's plan and where they stand against it, for the home, /progress/ and the plan page."""
    plan = PacePlan.objects.filter(user=user).first()
    if plan is None:
        return {"plan": None}
    days = dict(PlannedLecture.objects.filter(user=user).values_list("lecture_id", "day"))
    published = [lecture for lecture in progress.lectures if lecture.is_published]
    by_id = {lecture.pk: lecture for lecture in published}
    today = plan.today()
    standing_ = standing(days, lectures=list(by_id), watched=progress.watched, today=today)
    upcoming = standing_.next
    return {
        "plan": plan,
        "planned_days": days,
        "standing": standing_,
        "plan_today": today,
        "next_planned": (by_id[upcoming[0]], upcoming[1]) if upcoming else None,
    }


def _learner_zone(request, plan=None):
    """The zone the learner's browser reports, else the plan's own, else UTC."""
    zone = learner_timezone(request)
    if zone is not None:
        return zone.key
    return plan.time_zone if plan else "UTC"


def _plan_changes_refused(request):
    if over_limit("plan-changes", user=request.user, limit=settings.PLAN_CHANGES_PER_MINUTE, seconds=60):
        return too_many_requests(
            request, _("That was a lot of plan changes in a short time. Wait a minute, then try again."), retry_after=60
        )
    return None


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@private_no_store
def plan(request):
    """The learner's pace plan: GET shows it and its form; POST lays it out from today with the form's choice."""
    course = Course.objects.first()
    if course is None:
        raise Http404
    lectures = _syllabus(course, request.user)
    progress = course_progress(user=request.user, lectures=lectures)
    state = _plan_standing(request.user, progress)
    zone_name = _learner_zone(request, state["plan"])
    with timezone.override(zone_name):
        today = timezone.localdate()
        status = 200
        if request.method == "POST":
            if refused := _plan_changes_refused(request):
                return refused
            form = PlanForm(request.POST, today=today)
            if form.is_valid():
                published = [lecture for lecture in progress.lectures if lecture.is_published]
                try:
                    lay_out_plan(
                        user=request.user,
                        lectures=published,
                        watched=progress.watched,
                        zone_name=zone_name,
                        choice=form.choice(),
                    )
                except NoStudyDays:
                    form.add_error(None, _no_study_days())
                else:
                    messages.success(request, _("Your plan is laid out from today."))
                    return HttpResponseSeeOther(reverse("progress:plan"))
            status = 422
        else:
            form = PlanForm(initial=_plan_initial(state["plan"]), today=today)
        return render(
            request,
            "progress/plan.html",
            state
            | {
                "course": course,
                "progress": progress,
                "form": form,
                "zone_name": zone_name,
                "schedule": _schedule(progress, state),
                "waiting": [lecture for lecture in progress.lectures if not lecture.is_published],
                "feed_url": _feed_url(request, state["plan"]),
            },
            status=status,
        )


def _no_study_days():
    return _(
        "None of the chosen days falls between today and the finish date: "
        "choose a later date, or more days of the week."
    )


def _plan_initial(plan):
    if plan is None:
        return {"mode": PacePlan.Mode.WEEKLY, "per_week": 2, "weekdays": [1, 3]}
    return {
        "mode": plan.mode,
        "finish_on": plan.finish_on,
        "per_week": plan.per_week,
        "weekdays": sorted(plan.weekday_set),
        "study_time": plan.study_time,
    }


def _schedule(progress, state):
    """Each published lecture with its place in the plan: watched, overdue, planned, or not in the plan."""
    plan = state["plan"]
    if plan is None:
        return []
    days = state["planned_days"]
    today = state["plan_today"]
    rows = []
    for lecture in progress.lectures:
        if not lecture.is_published:
            continue
        day = days.get(lecture.pk)
        if lecture.pk in progress.watched:
            status = "watched"
        elif day is None:
            status = "unplanned"
        elif day < today:
            status = "overdue"
        elif day == today:
            status = "today"
        else:
            status = "planned"
        rows.append({"lecture": lecture, "day": day, "status": status})
    return rows


def _feed_url(request, plan):
    if plan is None or not plan.feed_token:
        return ""
    return request.build_absolute_uri(reverse("progress:calendar", args=[plan.feed_token]))


def _plan_post(view):
    """Plan changes: anonymous learners sign in first and come back to the plan page; throttled."""

    @wraps(view)
    def wrapped(request):
        if not request.user.is_authenticated:
            return _login_first(request, reverse("progress:plan"))
        return _plan_changes_refused(request) or view(request)

    return wrapped


@require_POST
@_plan_post
def replan(request):
    """Lay the plan out again from today, with its own choice: one click after falling behind or racing ahead."""
    course = Course.objects.first()
    plan = PacePlan.objects.filter(user=request.user).first()
    if course is None or plan is None:
        return HttpResponseSeeOther(reverse("progress:plan"))
    progress = course_progress(user=request.user, lectures=_syllabus(course, request.user))
    try:
        plan = lay_out_plan(
            user=request.user,
            lectures=[lecture for lecture in progress.lectures if lecture.is_published],
            watched=progress.watched,
            zone_name=_learner_zone(request, plan),
        )
    except NoStudyDays:
        messages.error(request, _("Your finish date has passed: choose a new one to lay the plan out again."))
        return HttpResponseSeeOther(reverse("progress:plan") + "#plan-form-title")
    if plan is None:  # deleted meanwhile
        return HttpResponseSeeOther(reverse("progress:plan"))
    messages.success(request, _("Your plan is laid out again from today."))
    return HttpResponseSeeOther(safe_next(request, reverse("progress:plan")))


@require_POST
@_plan_post
def plan_delete(request):
    delete_plan(user=request.user)
    messages.success(request, _("Your plan is deleted, and its calendar link with it."))
    return HttpResponseSeeOther(reverse("progress:plan"))


@require_POST
@_plan_post
def plan_feed(request):
    """The plan's private calendar link: `feed=on|off|new`; new replaces the old link, which stops at once."""
    feed = request.POST.get("feed")
    if feed not in Feed.values:
        return HttpResponseBadRequest("The field feed must be on, off or new.", content_type="text/plain")
    if not set_feed(user=request.user, feed=feed):
        return HttpResponseSeeOther(reverse("progress:plan"))
    messages.success(
        request,
        {
            Feed.ON: _("Your calendar link is on."),
            Feed.OFF: _("Your calendar link is off: calendars that used it get nothing more."),
            Feed.NEW: _("Here is a new calendar link. The old one no longer works."),
        }[feed],
    )
    return HttpResponseSeeOther(reverse("progress:plan") + "#calendar-title")


# Calendar apps fetch the feed every so often; their own cache may keep it this long.
FEED_MAX_AGE = 15 * 60


@require_safe
@cache_control(private=True, max_age=FEED_MAX_AGE)
def calendar(request, token):
    """The plan's calendar feed, to anyone holding its secret link: one event per planned lecture still to watch."""
    plan = PacePlan.objects.filter(feed_token=token).select_related("user").first()
    if plan is None:
        # A wrong, old or switched-off link: the same 404 as any other, saying nothing of why.
        raise Http404
    course = Course.objects.first()
    rows = list(
        PlannedLecture.objects.filter(user_id=plan.user_id, lecture__in=Lecture.objects.published())
        .exclude(lecture__in=LectureProgress.objects.filter(user_id=plan.user_id).values("lecture_id"))
        .select_related("lecture__course", "lecture__part")
        .order_by("starts_at", "pk")
    )
    # No cookies come with a calendar app: the feed speaks the language the learner chose.
    with translation.override(plan.user.language or settings.LANGUAGE_CODE):
        body = calendar_feed(
            plan=plan,
            rows=rows,
            course_title=course.localized("title") if course else "",
            link=lambda lecture: request.build_absolute_uri(lecture.get_absolute_url()),
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="study-plan.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


# The timeline on /progress/ shows this many events a page; the exports hold them all.
EVENTS_PER_PAGE = 50


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
    progress = course_progress(user=request.user, lectures=lectures)
    with timezone.override(learner_timezone(request) or UTC):
        return render(
            request,
            "progress/index.html",
            {
                "course": course,
                "progress": progress,
                "watched": watched,
                "events": page,
                "timezone_name": timezone.get_current_timezone_name(),
                "reading": _course_reading(request.user, progress),
            }
            | _plan_standing(request.user, progress),
        )


def _course_reading(user, progress):
    """How much of the published lectures' reading the learner read, required and optional apart: one query."""
    is_read = Exists(ReadingProgress.objects.filter(user=user, item=OuterRef("pk")))
    published = [lecture.pk for lecture in progress.lectures if lecture.is_published]
    return ReadingItem.objects.filter(lecture__in=published).aggregate(
        required_total=Count("pk", filter=Q(required=True)),
        required_read=Count("pk", filter=Q(required=True) & Q(is_read)),
        optional_total=Count("pk", filter=Q(required=False)),
        optional_read=Count("pk", filter=Q(required=False) & Q(is_read)),
    )


def _lecture_fields(lecture):
    return {
        "lecture": lecture.slug,
        "label": lecture.label,
        "title": lecture.title,
        "title_en": lecture.title_en,
    }


def _exports_limited(view):
    """Exports read a learner's whole history: a few an hour, then 429."""

    @wraps(view)
    def wrapped(request):
        return exports_refused(request) or view(request)

    return wrapped


def _json_items(rows):
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n    " + json.dumps(row, ensure_ascii=False)


def _reading_data(user):
    return (
        ReadingProgress.objects.filter(user=user)
        .select_related("item__lecture__part")
        .order_by("item__lecture__part__position", "item__lecture__number", "item__position", "item_id")
    )


def _progress_json(user):
    watched, events = _learner_data(user)
    yield "{\n"
    yield f'  "learner": {json.dumps(user.email, ensure_ascii=False)},\n'
    yield f'  "exported_at": {json.dumps(timezone.now().isoformat())},\n'
    yield '  "watched": ['
    yield from _json_items(
        _lecture_fields(row.lecture) | {"watched_at": row.watched_at.isoformat(), "source": row.source}
        for row in watched.iterator(chunk_size=CHUNK)
    )
    yield '\n  ],\n  "read": ['
    yield from _json_items(
        _lecture_fields(row.item.lecture)
        | {
            "item": row.item.title,
            "url": row.item.url,
            "required": row.item.required,
            "read_at": row.read_at.isoformat(),
        }
        for row in _reading_data(user).iterator(chunk_size=CHUNK)
    )
    yield '\n  ],\n  "events": ['
    yield from _json_items(
        _lecture_fields(event.lecture) | {"action": event.action, "source": event.source, "at": event.at.isoformat()}
        for event in events.iterator(chunk_size=CHUNK)
    )
    yield "\n  ]\n}\n"


def _progress_csv(user):
    watched = _learner_data(user)[0]
    yield ["lecture", "label", "title", "title_en", "watched_at", "source"]
    for row in watched.iterator(chunk_size=CHUNK):
        yield [*_lecture_fields(row.lecture).values(), row.watched_at.isoformat(), row.source]


@require_safe
@login_required
@private_no_store
@_exports_limited
def export_json(request):
    return download(
        _progress_json(request.user), content_type="application/json; charset=utf-8", filename="my-progress.json"
    )


@require_safe
@login_required
@private_no_store
@_exports_limited
def export_csv(request):
    return csv_download(_progress_csv(request.user), "my-progress.csv")


def _notes_markdown(user, request):
    """Every note of the learner as one Markdown file: lectures in course order, each time a link into the video."""
    course = Course.objects.first()
    notes = (
        Note.objects.filter(user=user)
        .select_related("lecture__course", "lecture__part")
        .order_by("lecture__part__position", "lecture__part_id", "lecture__number", *NOTE_ORDER)
    )
    title = course.localized("title") if course else ""
    yield f"# {_('Notes')}: {title}\n"
    lecture_id = None
    for note in notes.iterator(chunk_size=CHUNK):
        lecture = note.lecture
        if lecture.pk != lecture_id:
            lecture_id = lecture.pk
            address = request.build_absolute_uri(lecture.get_absolute_url())
            yield f"\n## {lecture.label}: {lecture.localized('title') or lecture.display_title}\n\n<{address}>\n\n"
        # Each note is a list item, its text indented under it: whatever Markdown it holds stays inside.
        body = "\n".join(f"  {line}" if line else "" for line in note.body.splitlines())
        if note.seconds is None:
            yield f"- {body.removeprefix('  ')}\n\n"  # the text begins on the item's own line
        elif lecture.youtube_id:
            yield f"- [{note.time}]({video_link(lecture.youtube_id, note.seconds)})\n\n{body}\n\n"
        else:
            yield f"- {note.time}\n\n{body}\n\n"


@require_safe
@login_required
@private_no_store
@_exports_limited
def export_notes(request):
    return download(
        _notes_markdown(request.user, request), content_type="text/markdown; charset=utf-8", filename="my-notes.md"
    )
