"""The course as a YAML file: validate, import (upsert by stable keys) and export.

Stable keys: the course by its slug, a part by its slug within the course, a
lecture by its slug within the course. A lecture's reading list is the list
in the file, in order. Importing the same file twice changes nothing, and
exporting an imported file gives the same file back.
"""

import datetime
import re
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import transaction
from django.utils.dateparse import parse_datetime

from .models import Course, Lecture, Part, ReadingItem

HEADER = (
    "# Course file of the ML System Design portal.\n"
    "# Load it with `python manage.py import_course PATH`; write it with `export_course`.\n"
)

COURSE_FIELDS = {
    "slug": "slug",
    "title": "text",
    "title_en": "text",
    "summary": "text",
    "summary_en": "text",
    "organiser": "text",
    "language": "text",
    "course_url": "url",
    "playlist_url": "url",
}
PART_FIELDS = {"slug": "slug", "kind": "part_kind", "title": "text", "title_en": "text"}
LECTURE_FIELDS = {
    "part": "slug",
    "number": "number",
    "slug": "slug",
    "status": "status",
    "published_at": "datetime",
    "title": "text",
    "title_en": "text",
    "summary": "text",
    "summary_en": "text",
    "topics": "text_list",
    "lecturer": "text",
    "lecturer_confirmed": "bool",
    "date": "date",
    "duration": "duration",
    "video_url": "url",
    "slides_url": "url",
    "reading": "reading",
}
READING_FIELDS = {
    "kind": "reading_kind",
    "title": "text",
    "url": "url",
    "required": "bool",
    "note": "text",
}
REQUIRED = {
    "course": {"slug", "title", "parts", "lectures"},
    "part": {"slug", "kind", "title"},
    "lecture": {"part", "number", "slug", "status"},
    "reading item": {"kind", "title", "url"},
}
MODELS = {"course": Course, "part": Part, "lecture": Lecture, "reading item": ReadingItem}
DURATION_RE = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)$")
EMPTY = {"text": "", "url": "", "text_list": [], "bool": False, "reading": []}


class CourseFileError(Exception):
    """The file cannot be imported; the message lists every problem with its line."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


class Located(dict):
    """A YAML mapping that remembers the line of itself and of each of its keys."""

    line = 0
    key_lines = None


def _compose(text, source):
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}, line {mark.line + 1}, column {mark.column + 1}" if mark else source
        problem = getattr(error, "problem", None) or str(error)
        raise CourseFileError([f"{where}: not valid YAML: {problem}"]) from None
    if node is None:
        raise CourseFileError([f"{source}: the file is empty"])
    constructor = yaml.SafeLoader("")
    problems = []

    def build(node):
        if isinstance(node, yaml.MappingNode):
            mapping = Located()
            mapping.line = node.start_mark.line + 1
            mapping.key_lines = {}
            for key_node, value_node in node.value:
                key = build(key_node)
                line = key_node.start_mark.line + 1
                if not isinstance(key, str):
                    problems.append(f"{source}, line {line}: keys must be names, not {key!r}")
                    continue
                if key in mapping:
                    problems.append(f"{source}, line {line}: {key!r} is given twice")
                mapping[key] = build(value_node)
                mapping.key_lines[key] = line
            return mapping
        if isinstance(node, yaml.SequenceNode):
            return [build(item) for item in node.value]
        return constructor.construct_object(node, deep=True)

    data = build(node)
    if problems:
        raise CourseFileError(problems)
    return data


def _model_field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


@dataclass
class CourseData:
    """A validated course file: plain values ready to be written."""

    course: dict
    parts: list = field(default_factory=list)
    lectures: list = field(default_factory=list)


class _Validator:
    def __init__(self, source):
        self.source = source
        self.problems = []

    def problem(self, line, where, message):
        self.problems.append(f"{self.source}, line {line} ({where}): {message}")

    def record(self, mapping, kind, fields, where):
        """Return the known fields of one mapping as clean values, noting problems."""
        model = MODELS[kind]
        if not isinstance(mapping, Located):
            self.problems.append(f"{self.source} ({where}): expected a mapping of fields")
            return None
        for name in sorted(REQUIRED[kind] - set(mapping)):
            self.problem(mapping.line, where, f"missing field {name!r}")
        clean = {}
        for name, value in mapping.items():
            line = mapping.key_lines[name]
            if name not in fields:
                if name not in REQUIRED[kind]:
                    self.problem(line, where, f"unknown field {name!r}")
                continue
            before = len(self.problems)
            clean[name] = self.value(fields[name], value, line, f"{where}.{name}")
            if name in REQUIRED[kind] and clean[name] in (None, "") and len(self.problems) == before:
                self.problem(line, where, f"field {name!r} is empty")
            limit = getattr(_model_field(model, name), "max_length", None)
            if limit and isinstance(clean[name], str) and len(clean[name]) > limit:
                self.problem(line, where, f"{name!r} is longer than {limit} characters")
        return clean

    def value(self, type_, value, line, where):
        if value is None or value == "":
            return EMPTY.get(type_)
        match type_:
            case "text":
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    return str(value).strip()
                self.problem(line, where, "expected text")
            case "slug":
                try:
                    validate_slug(value if isinstance(value, str) else "")
                    return value
                except ValidationError:
                    self.problem(line, where, f"{value!r} is not a slug (letters, digits, - and _)")
            case "url":
                try:
                    URLValidator(schemes=["http", "https"])(value if isinstance(value, str) else "")
                    return value
                except ValidationError:
                    self.problem(line, where, f"{value!r} is not an http(s) URL")
            case "number":
                if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 999:
                    return value
                self.problem(line, where, f"{value!r} is not a number from 1 to 999")
            case "bool":
                if isinstance(value, bool):
                    return value
                self.problem(line, where, f"{value!r} is not true or false")
            case "status":
                if value in Lecture.Status.values:
                    return value
                self.problem(line, where, f"{value!r} is not one of {', '.join(Lecture.Status.values)}")
            case "part_kind":
                if value in Part.Kind.values:
                    return value
                self.problem(line, where, f"{value!r} is not one of {', '.join(Part.Kind.values)}")
            case "reading_kind":
                if value in ReadingItem.Kind.values:
                    return value
                self.problem(line, where, f"{value!r} is not one of {', '.join(ReadingItem.Kind.values)}")
            case "date":
                if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                    return value
                try:
                    return datetime.date.fromisoformat(str(value))
                except ValueError:
                    self.problem(line, where, f"{value!r} is not a date such as 2022-10-03")
            case "datetime":
                parsed = value if isinstance(value, datetime.datetime) else parse_datetime(str(value))
                if parsed is not None and parsed.tzinfo is not None:
                    return parsed
                self.problem(line, where, f"{value!r} is not a time with a zone, such as 2022-10-03T18:00:00+03:00")
            case "duration":
                match = DURATION_RE.match(str(value))
                if match:
                    hours, minutes, seconds = (int(group or 0) for group in match.groups())
                    return datetime.timedelta(hours=hours, minutes=minutes, seconds=seconds)
                self.problem(line, where, f"{value!r} is not a duration such as 1:32:05")
            case "text_list":
                if isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value):
                    return [item.strip() for item in value]
                self.problem(line, where, "expected a list of text lines")
            case "reading":
                if isinstance(value, list):
                    items = [
                        self.record(item, "reading item", READING_FIELDS, f"{where}[{index}]")
                        for index, item in enumerate(value)
                    ]
                    return [item for item in items if item is not None]
                self.problem(line, where, "expected a list of reading items")
        return None


def parse(text, source="course file"):
    """Validate a course file and return its data, or raise CourseFileError."""
    data = _compose(text, source)
    check = _Validator(source)
    course = check.record(data, "course", COURSE_FIELDS, "course")
    if course is None:
        raise CourseFileError(check.problems)
    result = CourseData(course=course)

    part_lines = {}
    parts = data.get("parts", [])
    if not isinstance(parts, list):
        check.problem(data.key_lines.get("parts", data.line), "parts", "expected a list of parts")
        parts = []
    for index, mapping in enumerate(parts):
        part = check.record(mapping, "part", PART_FIELDS, f"parts[{index}]")
        if not part or not part.get("slug"):
            continue
        if part["slug"] in part_lines:
            check.problem(
                mapping.line,
                f"parts[{index}]",
                f"part {part['slug']!r} is already defined on line {part_lines[part['slug']]}",
            )
            continue
        part_lines[part["slug"]] = mapping.line
        result.parts.append(part)

    slug_lines, number_lines = {}, {}
    lectures = data.get("lectures", [])
    if not isinstance(lectures, list):
        check.problem(data.key_lines.get("lectures", data.line), "lectures", "expected a list of lectures")
        lectures = []
    for index, mapping in enumerate(lectures):
        lecture = check.record(mapping, "lecture", LECTURE_FIELDS, f"lectures[{index}]")
        if not lecture:
            continue
        where = f"lectures[{index}] {lecture.get('slug') or ''}".rstrip()
        slug, part, number = lecture.get("slug"), lecture.get("part"), lecture.get("number")
        if part and part not in part_lines:
            check.problem(mapping.line, where, f"unknown part {part!r}; the file defines {sorted(part_lines)}")
        if slug in slug_lines:
            check.problem(mapping.line, where, f"duplicate slug {slug!r}, first used on line {slug_lines[slug]}")
        elif slug:
            slug_lines[slug] = mapping.line
        if part and number and (part, number) in number_lines:
            check.problem(
                mapping.line,
                where,
                f"number {number} of part {part!r} is already used on line {number_lines[part, number]}",
            )
        elif part and number:
            number_lines[part, number] = mapping.line
        if lecture.get("status") == Lecture.Status.PUBLISHED and not lecture.get("title"):
            check.problem(mapping.line, where, "a published lecture needs a title")
        result.lectures.append(lecture)

    if check.problems:
        raise CourseFileError(check.problems)
    return result


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    not_in_file: list = field(default_factory=list)

    @property
    def changed(self):
        return bool(self.created or self.updated)


def _apply(instance, values, report, name):
    """Set changed values on instance and save it; record what happened."""
    if instance.pk is None:
        for key, value in values.items():
            setattr(instance, key, value)
        instance.save()
        report.created.append(name)
        return instance
    changed = [key for key, value in values.items() if getattr(instance, key) != value]
    if changed:
        for key in changed:
            setattr(instance, key, values[key])
        instance.save()
        report.updated.append(f"{name} ({', '.join(changed)})")
    else:
        report.unchanged += 1
    return instance


def _lecture_values(lecture, part):
    values = {
        name: lecture.get(name, EMPTY.get(type_))
        for name, type_ in LECTURE_FIELDS.items()
        if name not in ("part", "reading", "topics")
    }
    values["part"] = part
    values["topics"] = "\n".join(lecture.get("topics", []))
    return values


@transaction.atomic
def import_course(data):
    """Write validated course data to the database, in one transaction."""
    report = ImportReport()
    course_values = {name: data.course.get(name, EMPTY.get(type_)) for name, type_ in COURSE_FIELDS.items()}
    course = Course.objects.filter(slug=course_values["slug"]).first() or Course()
    _apply(course, course_values, report, f"course {course_values['slug']}")

    existing_parts = {part.slug: part for part in course.parts.all()}
    parts = {}
    for position, part_data in enumerate(data.parts):
        values = {name: part_data.get(name, EMPTY.get(type_)) for name, type_ in PART_FIELDS.items()}
        values |= {"course": course, "position": position}
        part = existing_parts.get(values["slug"]) or Part()
        parts[values["slug"]] = _apply(part, values, report, f"part {values['slug']}")

    existing = {lecture.slug: lecture for lecture in course.lectures.select_related("part")}
    file_slugs = {lecture["slug"] for lecture in data.lectures}
    taken = {
        (lecture.part_id, lecture.number): lecture.slug
        for lecture in existing.values()
        if lecture.slug not in file_slugs
    }
    problems = [
        f"lecture {lecture['slug']!r}: number {lecture['number']} of part {lecture['part']!r} "
        f"belongs to lecture {taken[key]!r}, which is not in the file"
        for lecture in data.lectures
        if (key := (parts[lecture["part"]].pk, lecture["number"])) in taken
    ]
    if problems:
        raise CourseFileError(problems)

    # Lectures that change place first move out of the way, so that swapping
    # two numbers never meets the one-number-per-part constraint halfway.
    moving = [
        existing[lecture["slug"]]
        for lecture in data.lectures
        if lecture["slug"] in existing
        and (existing[lecture["slug"]].part_id, existing[lecture["slug"]].number)
        != (parts[lecture["part"]].pk, lecture["number"])
    ]
    for offset, lecture in enumerate(moving):
        Lecture.objects.filter(pk=lecture.pk).update(number=30000 + offset)
        lecture.number = 30000 + offset

    for lecture_data in data.lectures:
        values = _lecture_values(lecture_data, parts[lecture_data["part"]])
        lecture = existing.get(lecture_data["slug"]) or Lecture()
        name = f"lecture {lecture_data['slug']}"
        _apply(lecture, values, report, name)
        wanted = [
            {name: item.get(name, EMPTY.get(type_)) for name, type_ in READING_FIELDS.items()}
            for item in lecture_data.get("reading", [])
        ]
        current = [{name: getattr(item, name) for name in READING_FIELDS} for item in lecture.reading_items.all()]
        if wanted != current:
            lecture.reading_items.all().delete()
            ReadingItem.objects.bulk_create(
                ReadingItem(lecture=lecture, position=position, **item) for position, item in enumerate(wanted)
            )
            if name not in report.created:
                report.updated.append(f"{name} (reading list)")

    report.not_in_file = sorted(slug for slug in existing if slug not in file_slugs)
    return report


def load(path):
    with open(path, encoding="utf-8") as handle:
        return parse(handle.read(), source=str(path))


def _clean(values):
    """Drop empty values so the file lists only what is known."""
    return {key: value for key, value in values.items() if value not in (None, "", [], False)}


def _duration(value):
    seconds = int(value.total_seconds())
    return f"{seconds // 3600}:{seconds % 3600 // 60:02}:{seconds % 60:02}"


def export_course(course):
    """Return the course as the text of a course file."""
    document = _clean({name: getattr(course, name) for name in COURSE_FIELDS})
    document["parts"] = [
        _clean({name: getattr(part, name) for name in PART_FIELDS}) for part in course.parts.order_by("position", "pk")
    ]
    lectures = (
        course.lectures.select_related("part")
        .prefetch_related("reading_items")
        .order_by("part__position", "part_id", "number")
    )
    document["lectures"] = []
    for lecture in lectures:
        values = {name: getattr(lecture, name) for name in LECTURE_FIELDS if name not in ("part", "reading")}
        values["part"] = lecture.part.slug
        values["topics"] = lecture.topic_list
        values["published_at"] = lecture.published_at.isoformat() if lecture.published_at else None
        values["date"] = lecture.date.isoformat() if lecture.date else None
        values["duration"] = _duration(lecture.duration) if lecture.duration is not None else None
        values["reading"] = [
            _clean({name: getattr(item, name) for name in READING_FIELDS}) for item in lecture.reading_items.all()
        ]
        document["lectures"].append(_clean({name: values[name] for name in LECTURE_FIELDS}))
    return HEADER + yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=float("inf"))


class _Dumper(yaml.SafeDumper):
    """Block style everywhere, one line per value, multi-line text as literal blocks."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_text(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)
