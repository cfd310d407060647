import os
import secrets
import sys
import threading
from socket import gethostname

from django.core.cache import cache
from django.db import DatabaseError, OperationalError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def cache_state():
    """'ok' if the cache gives back what was just put in it, else 'down' (the portal carries on without it)."""
    # A key of this thread's own, so that concurrent checks never read each other's token.
    key = f"healthz:{gethostname()}:{os.getpid()}:{threading.get_ident()}"
    token = secrets.token_hex(8)
    cache.set(key, token, timeout=10)
    return "ok" if cache.get(key) == token else "down"


@require_safe
@never_cache
def healthz(request):
    """Report whether this app server can reach its database, which it needs, and its cache, which it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "cache": cache_state()})


def server_error(request):
    """The 500 page, or 503 when the database gave up: a query or lock wait over its limit, or no connection."""
    if isinstance(sys.exception(), OperationalError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
    return defaults.server_error(request)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon, such as the admin's."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
