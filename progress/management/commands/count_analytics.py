import time

from django.core.management.base import BaseCommand

from lectures.models import Course
from progress.analytics import FIGURES_MAX_AGE, PERIODS, count_figures


class Command(BaseCommand):
    help = (
        "Count the staff analytics of every period now and keep them for the analytics page. Run it "
        f"more often than every {FIGURES_MAX_AGE.total_seconds() / 60:g} minutes (from a timer) so that "
        "opening the page does not wait for the counting. Prints nothing unless asked (-v 2)."
    )

    def handle(self, *args, verbosity, **options):
        course = Course.objects.defer("imported").first()
        if course is None:
            self.stderr.write("There is no course: nothing to count.")
            return
        for period in PERIODS:
            started = time.perf_counter()
            count_figures(course=course, period=period)
            if verbosity >= 2:
                self.stdout.write(f"Period {period}: counted in {time.perf_counter() - started:.2f} s.")
