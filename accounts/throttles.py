import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def over_limit(name, *, user, limit, seconds):
    """Count one more use of `name` by the learner in the current window of the shared cache; True past the limit.

    add() then incr(): atomic on Redis. When the count is gone (Redis unreachable, or
    restarted since add()) the limit lets the request through, and the log says so.
    """
    window = int(time.time() // seconds)
    key = f"{name}:{user.pk}:{window}"
    cache.add(key, 0, timeout=2 * seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:
        logger.warning("%s of user %s not counted: the cache has no count.", name, user.pk)
        return False


def forget(name, *, user, seconds):
    """Drop the learner's counts of `name` (the current window and the one before)."""
    window = int(time.time() // seconds)
    cache.delete_many([f"{name}:{user.pk}:{window}", f"{name}:{user.pk}:{window - 1}"])


def too_many_requests(request, advice=None, *, retry_after):
    response = render(request, "429.html", {"advice": advice}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def exports_refused(request):
    """The 429 for a learner past the hour's downloads of their data (progress and full exports alike), or None."""
    if over_limit("exports", user=request.user, limit=settings.EXPORTS_PER_HOUR, seconds=3600):
        return too_many_requests(
            request, _("You have downloaded your data several times this hour. Try again later."), retry_after=3600
        )
    return None
