"""The site's URLs plus ones that fail, for the 500 and 503 pages."""

from django.db import connection
from django.urls import path

from portal.urls import handler500  # noqa: F401
from portal.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("A failure on purpose, to render the 500 page.")


def slow(request):
    """A query that runs past the statement timeout (made short here, for a fast test)."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 100")
        try:
            cursor.execute("SELECT pg_sleep(10)")
        finally:
            cursor.execute("RESET statement_timeout")


urlpatterns = [*site_urlpatterns, path("fail/", fail), path("slow/", slow)]
