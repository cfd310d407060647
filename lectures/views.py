from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from progress.models import course_progress, record_visit

from .syllabus import get_syllabus


def _syllabus(request):
    """The site's course and its syllabus as this visitor may see it (staff see drafts too)."""
    syllabus = get_syllabus()
    staff = request.user.is_staff
    return syllabus, syllabus.sections_for(staff=staff), syllabus.lectures_for(staff=staff)


@require_safe
def home(request):
    syllabus, sections, lectures = _syllabus(request)
    progress = course_progress(user=request.user, lectures=lectures, with_last_visit=True)
    return render(
        request,
        "lectures/home.html",
        {
            "course": syllabus.course,
            "syllabus": syllabus.rows_with(sections, progress.state),
            "progress": progress,
            "memo": syllabus.memo,
        },
    )


@require_safe
def lecture_detail(request, slug):
    syllabus, sections, lectures = _syllabus(request)
    lecture = next((lecture for lecture in lectures if lecture.slug == slug), None)
    # Learners see published lectures only; staff may preview the others.
    if lecture is None or not (lecture.is_published or request.user.is_staff):
        raise Http404("No such lecture.")

    published = [item for item in lectures if item.is_published or item == lecture]
    index = published.index(lecture)
    previous = published[index - 1] if index > 0 else None
    following = published[index + 1] if index + 1 < len(published) else None
    progress = course_progress(user=request.user, lectures=lectures, with_last_visit=True)
    if request.user.is_authenticated and lecture.is_published and progress.last_visited_id != lecture.pk:
        record_visit(user=request.user, lecture=lecture)
    return render(
        request,
        "lectures/lecture_detail.html",
        {
            "course": syllabus.course,
            "syllabus": syllabus.rows_with(
                sections, lambda item: "current" if item == lecture else progress.state(item)
            ),
            "memo": syllabus.memo,
            "lecture": lecture,
            "row": syllabus.rows[lecture.pk],
            "reading_items": syllabus.reading_for(lecture),
            "previous": previous,
            "next": following,
            # What the lecture's body (facts, video, reading, pager) depends on.
            "body_key": (lecture.pk, previous and previous.pk, following and following.pk),
            "progress": progress,
            "is_watched": lecture.pk in progress.watched,
        },
    )
