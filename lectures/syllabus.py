"""The course's syllabus, built once and shared by every request until staff change the course.

Every page needs the course, its parts and lectures in order, and a lecture
page its reading list. They change only when staff edit them, so they are
read from the database once and kept in each app server's memory under a
version number that lives in the shared cache. Saving or deleting any course
content sets a new version (after the transaction commits); each app server
looks at the version at most once a second (SYLLABUS_CHECK_SECONDS) and
rebuilds when it changed. Whether a lecture is published is still decided at
request time, so a scheduled lecture appears on time.
"""

import time
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import Truncator

from .models import Course, ReadingItem, Section
from .templatetags.lectures import duration

VERSION_KEY = "syllabus-version"


@dataclass
class Syllabus:
    course: Course | None
    sections: list = field(default_factory=list)  # every lecture, drafts included
    reading: dict = field(default_factory=dict)  # lecture id -> reading items in order
    rows: dict = field(default_factory=dict)  # lecture id -> what a syllabus row shows
    memo: dict = field(default_factory=dict)  # HTML of {% memo %} blocks, for this version only

    @cached_property
    def learner_sections(self):
        """The sections without drafts; worked out once per version, as everything here."""
        visible = [
            Section(part=section.part, lectures=[lecture for lecture in section.lectures if not lecture.is_draft])
            for section in self.sections
        ]
        return [section for section in visible if section.lectures]

    @cached_property
    def _lectures(self):
        return {
            staff: [lecture for section in self.sections_for(staff=staff) for lecture in section.lectures]
            for staff in (False, True)
        }

    def sections_for(self, *, staff):
        """The sections a visitor sees: staff see drafts, learners do not."""
        return self.sections if staff else self.learner_sections

    def lectures_for(self, *, staff):
        """The lectures a visitor sees, in course order."""
        return self._lectures[staff]

    def lecture(self, slug):
        return next((lecture for lecture in self.lectures_for(staff=True) if lecture.slug == slug), None)

    def reading_for(self, lecture):
        return self.reading.get(lecture.pk, [])

    def rows_with(self, sections, state):
        """The sections as a Listing of (part, [(row, state, key), ...]) for a syllabus list.

        `state` names each lecture's state. A row's key, (lecture id, state),
        is what its {% memo %} block depends on; the listing's key, all the
        row keys together, is what the whole list depends on.
        """
        parts, keys = [], []
        for section in sections:
            rows = []
            for lecture in section.lectures:
                key = (lecture.pk, state(lecture))
                rows.append((self.rows[lecture.pk], key[1], key))
                keys.append(key)
            parts.append((section.part, rows))
        return Listing(parts=parts, key=tuple(keys))


class Listing(NamedTuple):
    parts: list
    key: tuple


def build():
    """Read the site's course and everything on its syllabus: three queries."""
    course = Course.objects.first()
    if course is None:
        return Syllabus(course=None)
    sections = course.syllabus()
    reading = {}
    for item in ReadingItem.objects.filter(lecture__course=course).order_by("lecture", "position", "pk"):
        reading.setdefault(item.lecture_id, []).append(item)
    rows = {lecture.pk: row(lecture) for section in sections for lecture in section.lectures}
    return Syllabus(course=course, sections=sections, reading=reading, rows=rows)


def row(lecture):
    """A syllabus row as plain values: templates read dicts far faster than model attributes."""
    return {
        "pk": lecture.pk,
        "label": lecture.label,
        "title": lecture.title,
        "title_en": lecture.title_en,
        "display_title": lecture.display_title,
        "url": lecture.url,
        "watched_url": reverse("progress:watched", args=[lecture.slug]),
        "duration": duration(lecture.duration) if lecture.duration else "",
        "page_title": f"{lecture.label}: {lecture.title_en or lecture.display_title}",
        "description": Truncator(lecture.summary_en or lecture.summary).chars(200),
    }


# (version, when it was last confirmed, syllabus) as this app server last saw
# them. Requests only read it, and replacing the tuple is atomic, so threads
# share it without a lock.
_held = (None, 0.0, None)


def get_syllabus():
    """The current syllabus: a rebuild only when the course changed, a look at the shared cache now and then."""
    global _held
    if not settings.SYLLABUS_CACHE:
        return build()
    held_version, confirmed, syllabus = _held
    now = time.monotonic()
    # Within SYLLABUS_CHECK_SECONDS of the last look, the held syllabus is
    # current enough: a staff edit reaches every server within that time.
    if syllabus is not None and now - confirmed < settings.SYLLABUS_CHECK_SECONDS:
        return syllabus
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    if syllabus is None or held_version != version:
        syllabus = build()
    _held = (version, now, syllabus)
    return syllabus


def invalidate():
    """Make every app server rebuild the syllabus, once the current transaction commits."""
    transaction.on_commit(lambda: cache.set(VERSION_KEY, time.time_ns(), timeout=None))


def content_changed(sender, **kwargs):
    invalidate()
