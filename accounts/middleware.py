import zoneinfo

from django.utils import timezone

TIMEZONE_COOKIE = "tz"


class TimezoneMiddleware:
    """Show times in the learner's time zone, which the browser reports in a cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = learner_timezone(request.COOKIES.get(TIMEZONE_COOKIE, ""))
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


def learner_timezone(name):
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
