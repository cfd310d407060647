"""The course as a YAML file: validate, import (upsert by stable keys) and export.

Stable keys: the course by its slug, a part by its slug within the course, a
lecture by its slug within the course. A lecture's reading list is the list
in the file, in order. Importing the same file twice changes nothing, and
exporting an imported file gives the same file back. A re-import keeps what
staff changed in the admin since the last import (see import_course).
"""

import datetime
import json
import re
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime

from .models import Course, Lecture, Part, ReadingItem, youtube_id

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
    "topics_en": "text_list",
    "lecturer": "text",
    "lecturer_confirmed": "bool",
    "date": "date",
    "duration": "duration",
    "video_url": "youtube",
    "slides_url": "url",
    "reading": "reading",
}
READING_FIELDS = {
    "kind": "reading_kind",
    "title": "text",
    "url": "url",
    "required": "bool",
    "note": "text",
    "note_en": "text",
}
REQUIRED = {
    "course": {"slug", "title", "parts", "lectures"},
    "part": {"slug", "kind", "title"},
    "lecture": {"part", "number", "slug", "status"},
    "reading item": {"kind", "title", "url"},
}
MODELS = {"course": Course, "part": Part, "lecture": Lecture, "reading item": ReadingItem}
DURATION_RE = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)$")
BASE_60_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
EMPTY = {"text": "", "url": "", "youtube": "", "text_list": [], "bool": False, "reading": []}


class CourseFileError(Exception):
    """The file cannot be imported; the message lists every problem with its line."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


class Located(dict):
    """A YAML mapping that remembers the line of itself and of each of its keys."""

    line = 0
    key_lines = None


def _not_valid(error, source):
    mark = getattr(error, "problem_mark", None)
    where = f"{source}, line {mark.line + 1}, column {mark.column + 1}" if mark else source
    problem = getattr(error, "problem", None) or str(error)
    return CourseFileError([f"{where}: not valid YAML: {problem}"])


def _refuse_anchors_and_tags(text, source):
    """Refuse anchors and aliases, which can expand to billions of values, and tags, which no course file needs."""
    problems = []
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                problems.append(
                    f"{source}, line {line}: anchors and aliases (&name, *name) are not allowed; write each value out"
                )
            if getattr(event, "tag", None):
                problems.append(
                    f"{source}, line {line}: YAML tags (!!name, !name) are not allowed; write the value itself"
                )
    except yaml.YAMLError as error:
        raise _not_valid(error, source) from None
    if problems:
        raise CourseFileError(problems)


def _compose(text, source):
    _refuse_anchors_and_tags(text, source)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise _not_valid(error, source) from None
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
        if node.tag in BASE_60_TAGS and ":" in node.value:
            # YAML 1.1 reads 1:32:05 as the number 5525, in base 60; a course file means what it shows, a duration.
            return node.value
        try:
            return constructor.construct_object(node, deep=True)
        except ValueError:
            # A date or time that does not exist, such as 2022-02-30: kept as written, for its field to refuse.
            return node.value

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
            case "youtube":
                if isinstance(value, str) and youtube_id(value):
                    return value
                self.problem(
                    line, where, f"{value!r} is not a link to a YouTube video (watch?v=, youtu.be/, embed/, shorts/)"
                )
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
                    parsed = parse_date(str(value))
                except ValueError as error:
                    self.problem(line, where, f"{value!r} is not a date that exists ({error})")
                    return None
                if parsed is not None:
                    return parsed
                self.problem(line, where, f"{value!r} is not a date such as 2022-10-03")
            case "datetime":
                try:
                    parsed = value if isinstance(value, datetime.datetime) else parse_datetime(str(value))
                except ValueError as error:
                    self.problem(line, where, f"{value!r} is not a time that exists ({error})")
                    return None
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
class Change:
    """A field of one object on which the database and the file disagree, as the import left it."""

    name: str  # the object, such as "lecture design-doc"
    field: str
    admin: object  # the database's value and the file's, in plain form
    file: object


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    applied: list = field(default_factory=list)  # Changes: fields changed in the file only, the file's value written
    kept: list = field(default_factory=list)  # objects with fields changed in the admin only, kept
    conflicts: list = field(default_factory=list)  # Changes: the admin's value kept over the file's
    replaced: list = field(default_factory=list)  # Changes: with overwrite, the admin's value replaced
    unchanged: int = 0
    not_in_file: list = field(default_factory=list)

    @property
    def changed(self):
        return bool(self.created or self.updated)


# What the import does with a field on which the database and the file disagree.
UPDATE, KEEP, CONFLICT, REPLACE = "update", "keep", "conflict", "replace"
WRITTEN = {UPDATE, REPLACE}
# Parts are merged in order too: a part's position is its rank in the file, or in the course.
PART_MERGED = PART_FIELDS | {"position": "number"}


def _plain(type_, value):
    """A value in the form the merge compares it and `imported` keeps it: JSON's types only."""
    if value is None:
        return None
    match type_:
        case "date":
            return value.isoformat()
        case "datetime":
            return value.astimezone(datetime.UTC).isoformat()
        case "duration":
            return _duration(value)
        case "reading":
            return [{name: item.get(name, EMPTY.get(kind)) for name, kind in READING_FIELDS.items()} for item in value]
    return value


def _read(instance, name, type_):
    """The database's value of one field, in the form parse() gives the file's."""
    match type_:
        case "text_list":
            return [line.strip() for line in getattr(instance, name).splitlines() if line.strip()]
        case "reading":
            return [{key: getattr(item, key) for key in READING_FIELDS} for item in instance.reading_items.all()]
    if name == "part":
        return instance.part.slug
    return getattr(instance, name)


def _values(instance, types):
    """The database's values of one object, in plain form: what the merge compares and export writes."""
    return {name: _plain(type_, _read(instance, name, type_)) for name, type_ in types.items()}


def _merge(base, current, file, *, overwrite):
    """Each field on which the database and the file disagree, with what the import does with it.

    base is what the last import wrote: a field that differs from it has changed
    since, in the file, in the admin, or in both.
    """
    outcomes = {}
    for name, value in file.items():
        if current[name] == value:
            continue
        if name in base and current[name] == base[name]:
            outcomes[name] = UPDATE
        elif overwrite:
            outcomes[name] = REPLACE
        elif name in base and value == base[name]:
            outcomes[name] = KEEP
        else:
            # Changed in both, or imported before a base was kept: nobody can tell
            # the admin's edit from the file's, so the database's value stays.
            outcomes[name] = CONFLICT
    return outcomes


@dataclass
class _Plan:
    """One object of the file, and how the import brings it into the database."""

    instance: object
    name: str
    values: dict  # the file's, as parse() gives them
    file: dict  # the file's, in plain form
    current: dict | None = None  # the database's, in plain form; None for a new object
    outcomes: dict | None = None

    def writes(self, key):
        return self.current is None or self.outcomes.get(key) in WRITTEN

    def merged(self, key):
        """The field's value once imported."""
        return self.file[key] if self.writes(key) else self.current[key]

    def keep(self, *keys):
        """Keep the database's values of these fields after all, as conflicts."""
        for key in keys:
            if self.writes(key):
                self.outcomes[key] = CONFLICT

    @property
    def place(self):
        """The lecture's part and number once imported."""
        return (self.merged("part"), self.merged("number"))

    @property
    def moves(self):
        return self.current is not None and self.place != (self.current["part"], self.current["number"])


def _plan(instance, name, record, types, *, overwrite, current=None):
    """Compare one object of the file with its row in the database, if it has one."""
    values = {key: record.get(key, EMPTY.get(type_)) for key, type_ in types.items()}
    plan = _Plan(instance, name, values, {key: _plain(types[key], value) for key, value in values.items()})
    if instance.pk is not None:
        plan.current = current or _values(instance, types)
        plan.outcomes = _merge(instance.imported, plan.current, plan.file, overwrite=overwrite)
    return plan


def _save(plan, report, parts=None):
    """Write what the plan takes from the file, keep the file's values as the next base, and report."""
    instance = plan.instance
    written = [key for key in plan.values if plan.writes(key)]
    for key in written:
        match key:
            case "part":
                instance.part = parts[plan.values[key]]
            case "topics" | "topics_en":
                setattr(instance, key, "\n".join(plan.values[key]))
            case "reading":
                pass  # its items need the lecture saved first
            case _:
                setattr(instance, key, plan.values[key])
    if written:
        instance.imported = plan.file
        instance.save()
    elif instance.imported != plan.file:
        # Only the base moves: no content changed, so updated_at stays as it is.
        type(instance).objects.filter(pk=instance.pk).update(imported=plan.file)
    if "reading" in written:
        instance.reading_items.all().delete()
        ReadingItem.objects.bulk_create(
            ReadingItem(lecture=instance, position=position, **item)
            for position, item in enumerate(plan.file["reading"])
        )

    if plan.current is None:
        report.created.append(plan.name)
        return
    if written:
        report.updated.append(f"{plan.name} ({', '.join(written)})")
    else:
        report.unchanged += 1
    if kept := [key for key, outcome in plan.outcomes.items() if outcome == KEEP]:
        report.kept.append(f"{plan.name} ({', '.join(kept)})")
    for key, outcome in plan.outcomes.items():
        change = Change(plan.name, key, admin=plan.current[key], file=plan.file[key])
        if outcome == UPDATE:
            report.applied.append(change)
        elif outcome == CONFLICT:
            report.conflicts.append(change)
        elif outcome == REPLACE:
            report.replaced.append(change)


def _settle_places(plans, not_in_file):
    """Leave a lecture where it is when its new place stays another's; refuse a new lecture such a place.

    The file's places never clash with each other, but staff may have moved
    lectures in the admin, and lectures that are not in the file stay put.
    """
    taken = {
        (lecture.part.slug, lecture.number): f"{lecture.slug!r}, which is not in the file" for lecture in not_in_file
    }
    while True:
        holders = {}
        for plan in plans:
            holders.setdefault(plan.place, []).append(plan)
        blocked = [plan for plan in plans if plan.moves and (len(holders[plan.place]) > 1 or plan.place in taken)]
        if not blocked:
            break
        # Each round sends at least one lecture back to its own place, so the loop ends.
        for plan in blocked:
            plan.keep("part", "number")
    for plan in plans:
        sharing = [other.file["slug"] for other in holders[plan.place] if other is not plan]
        if plan.current is None and (plan.place in taken or sharing):
            part, number = plan.place
            holder = taken.get(plan.place) or (
                f"{sharing[0]!r}, which keeps it from the admin (import with --overwrite to take the file's)"
            )
            raise CourseFileError(
                [f"lecture {plan.file['slug']!r}: number {number} of part {part!r} belongs to lecture {holder}"]
            )


@transaction.atomic
def import_course(data, *, overwrite=False):
    """Write validated course data to the database, in one transaction, keeping what staff changed.

    Each field (a lecture's reading list counts as one) is merged three ways:
    what the last import wrote (the object's `imported`), the database's value
    and the file's. A change made only in the file is applied, one made only in
    the admin is kept, and a field changed in both (or never imported with a
    base) keeps the admin's value and is reported as a conflict. With overwrite
    the file's values replace the admin's. Either way the file's values become
    the next base, so a conflict is reported once.
    """
    report = ImportReport()
    slug = data.course["slug"]
    # The rows stay locked until the import commits, so an admin save cannot slip
    # in between the import's read of a value and its write.
    course = Course.objects.select_for_update().filter(slug=slug).first() or Course()
    _save(_plan(course, f"course {slug}", data.course, COURSE_FIELDS, overwrite=overwrite), report)

    parts = {part.slug: part for part in course.parts.select_for_update().order_by("position", "pk")}
    ranks = {part_slug: rank for rank, part_slug in enumerate(parts)}
    for position, record in enumerate(data.parts):
        part = parts.get(record["slug"]) or Part(course=course)
        current = (_values(part, PART_FIELDS) | {"position": ranks[part.slug]}) if part.pk else None
        name = f"part {record['slug']}"
        _save(
            _plan(part, name, record | {"position": position}, PART_MERGED, overwrite=overwrite, current=current),
            report,
        )
        parts[part.slug] = part

    lectures = course.lectures.select_for_update().select_related("part").prefetch_related("reading_items")
    existing = {lecture.slug: lecture for lecture in lectures}
    plans = [
        _plan(
            existing.get(record["slug"]) or Lecture(),
            f"lecture {record['slug']}",
            record,
            LECTURE_FIELDS,
            overwrite=overwrite,
        )
        for record in data.lectures
    ]
    for plan in plans:
        # The admin's status with the file's title, or the other way round, could
        # make a published lecture without a title, which the database refuses.
        if plan.current is not None and plan.merged("status") == Lecture.Status.PUBLISHED and not plan.merged("title"):
            plan.keep("status", "title")
    file_slugs = {record["slug"] for record in data.lectures}
    _settle_places(plans, [lecture for slug, lecture in existing.items() if slug not in file_slugs])

    # Lectures that change place first move out of the way, so that swapping
    # two numbers never meets the one-number-per-part constraint halfway; each
    # one's save below writes its new place.
    for offset, plan in enumerate(plan for plan in plans if plan.moves):
        Lecture.objects.filter(pk=plan.instance.pk).update(number=30000 + offset)
    for plan in plans:
        _save(plan, report, parts)

    report.not_in_file = sorted(slug for slug in existing if slug not in file_slugs)
    return report


def preview_course(data, *, overwrite=False):
    """What import_course would do with the data, with nothing written: the import runs, then is rolled back."""
    with transaction.atomic():
        report = import_course(data, overwrite=overwrite)
        transaction.set_rollback(True)
    return report


def show(value):
    """A value of the file or the database as a report prints it."""
    if value in (None, "", []):
        return "nothing"
    return json.dumps(value, ensure_ascii=False)


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
    """Return the course as the text of a course file: the database's values, the admin's edits included."""
    document = _clean(_values(course, COURSE_FIELDS))
    document["parts"] = [_clean(_values(part, PART_FIELDS)) for part in course.parts.order_by("position", "pk")]
    lectures = (
        course.lectures.select_related("part")
        .prefetch_related("reading_items")
        .order_by("part__position", "part_id", "number")
    )
    document["lectures"] = []
    for lecture in lectures:
        values = _values(lecture, LECTURE_FIELDS)
        values["reading"] = [_clean(item) for item in values["reading"]]
        document["lectures"].append(_clean(values))
    return HEADER + yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=float("inf"))


class _Dumper(yaml.SafeDumper):
    """Block style everywhere, one line per value, multi-line text as literal blocks."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_text(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)
