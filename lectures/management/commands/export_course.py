from django.core.management.base import BaseCommand, CommandError

from lectures.course_file import export_course
from lectures.models import Course


class Command(BaseCommand):
    help = "Write a course as a course file (YAML), to PATH or to standard output."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Where to write the file; standard output when omitted.")
        parser.add_argument("--course", help="Slug of the course; the site's course when omitted.")

    def handle(self, *args, path, course, **options):
        courses = Course.objects.all()
        found = courses.filter(slug=course).first() if course else courses.first()
        if found is None:
            raise CommandError(f"No course with slug {course!r}." if course else "There is no course to export.")
        text = export_course(found)
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {found.slug} to {path}.")
        else:
            self.stdout.write(text, ending="")
