from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import Course


def _course():
    return Course.objects.first()


@require_safe
def home(request):
    course = _course()
    sections = course.syllabus(include_drafts=request.user.is_staff) if course else []
    return render(request, "lectures/home.html", {"course": course, "sections": sections})


@require_safe
def lecture_detail(request, slug):
    course = _course()
    if course is None:
        raise Http404("No course yet.")
    sections = course.syllabus(include_drafts=request.user.is_staff)
    lectures = [lecture for section in sections for lecture in section.lectures]
    lecture = next((lecture for lecture in lectures if lecture.slug == slug), None)
    # Learners see published lectures only; staff may preview the others.
    if lecture is None or not (lecture.is_published or request.user.is_staff):
        raise Http404("No such lecture.")

    published = [item for item in lectures if item.is_published or item == lecture]
    index = published.index(lecture)
    return render(
        request,
        "lectures/lecture_detail.html",
        {
            "course": course,
            "lecture": lecture,
            "reading_items": lecture.reading_items.all(),
            "previous": published[index - 1] if index > 0 else None,
            "next": published[index + 1] if index + 1 < len(published) else None,
            "sections": sections,
        },
    )
