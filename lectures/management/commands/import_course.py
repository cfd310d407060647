from django.core.management.base import BaseCommand, CommandError

from lectures.course_file import CourseFileError, import_course, load


class Command(BaseCommand):
    help = "Create or update a course from a course file (YAML). Nothing changes if the file has a problem."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path of the course file, such as lectures/data/ml-system-design-2022.yaml")

    def handle(self, *args, path, **options):
        try:
            report = import_course(load(path))
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        except CourseFileError as error:
            raise CommandError(f"{path} was not imported; nothing changed.\n{error}") from None

        for name in report.created:
            self.stdout.write(f"created {name}")
        for name in report.updated:
            self.stdout.write(f"updated {name}")
        for slug in report.not_in_file:
            self.stderr.write(f"lecture {slug} is in the database but not in the file; left as it is")
        summary = f"{len(report.created)} created, {len(report.updated)} updated, {report.unchanged} unchanged."
        self.stdout.write(self.style.SUCCESS(f"Imported {path}: {summary}"))
