import time

from django.core.cache import cache
from django.shortcuts import render


def over_limit(name, *, user, limit, seconds):
    """Count one more use of `name` by the learner in the current window of the shared cache; True past the limit."""
    window = int(time.time() // seconds)
    key = f"{name}:{user.pk}:{window}"
    cache.add(key, 0, timeout=2 * seconds)
    return cache.incr(key) > limit


def forget(name, *, user, seconds):
    """Drop the learner's counts of `name` (the current window and the one before)."""
    window = int(time.time() // seconds)
    cache.delete_many([f"{name}:{user.pk}:{window}", f"{name}:{user.pk}:{window - 1}"])


def too_many_requests(request, advice, *, retry_after):
    response = render(request, "429.html", {"advice": advice}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
