import time

from django.core.management.base import BaseCommand

from lectures.models import Course
from progress.analytics import FIGURES_MAX_AGE, PERIODS, counted_figures


class Command(BaseCommand):
    help = (
        "Count the staff analytics of every period now and keep them for the analytics page. "
        f"Run it more often than every {FIGURES_MAX_AGE.total_seconds() / 60:g} minutes (from cron, say) "
        "so that staff never wait for the counting."
    )

    def handle(self, *args, **options):
        course = Course.objects.defer("imported").first()
        if course is None:
            self.stderr.write("There is no course: nothing to count.")
            return
        for period in PERIODS:
            started = time.perf_counter()
            counted_figures(course=course, period=period, recount=True)
            self.stdout.write(f"Period {period}: counted in {time.perf_counter() - started:.2f} s.")
