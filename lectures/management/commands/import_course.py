from django.core.management.base import BaseCommand, CommandError

from lectures.course_file import CourseFileError, import_course, load, show


class Command(BaseCommand):
    help = (
        "Create or update a course from a course file (YAML). Changes made in the file since the last import "
        "are applied; changes made in the admin are kept, and reported when the file changed the same field. "
        "Nothing changes if the file has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path of the course file, such as lectures/data/ml-system-design-2022.yaml")
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Take the file's values even over changes made in the admin, and list what they replaced.",
        )

    def handle(self, *args, path, overwrite, **options):
        try:
            report = import_course(load(path), overwrite=overwrite)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        except CourseFileError as error:
            raise CommandError(f"{path} was not imported; nothing changed.\n{error}") from None

        for name in report.created:
            self.stdout.write(f"created {name}")
        for name in report.updated:
            self.stdout.write(f"updated {name}")
        for change in report.replaced:
            self.stdout.write(
                f"replaced {change.name} field {change.field}: {show(change.admin)} -> {show(change.file)}"
            )
        for name in report.kept:
            self.stdout.write(f"kept {name}: changed in the admin")
        # A conflict is a warning, not a failure: a restart must not stop because staff edited the course.
        for change in report.conflicts:
            self.stderr.write(
                f"conflict {change.name} field {change.field}: admin has {show(change.admin)}, "
                f"file has {show(change.file)}; kept the admin's value (import with --overwrite to take the file's)",
                style_func=self.style.WARNING,
            )
        for slug in report.not_in_file:
            self.stderr.write(f"lecture {slug} is in the database but not in the file; left as it is")
        summary = f"{len(report.created)} created, {len(report.updated)} updated, {report.unchanged} unchanged"
        if report.kept:
            summary += f", {len(report.kept)} with edits from the admin kept"
        if report.conflicts:
            summary += f", {len(report.conflicts)} in conflict"
        if report.replaced:
            summary += f", {len(report.replaced)} edits from the admin replaced"
        self.stdout.write(self.style.SUCCESS(f"Imported {path}: {summary}."))
