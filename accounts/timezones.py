import zoneinfo

# The browser reports the learner's time zone in this cookie (static/js/portal.js).
TIMEZONE_COOKIE = "tz"


def learner_timezone(request):
    """The time zone the learner's browser reported, or None when it reported none we know."""
    name = request.COOKIES.get(TIMEZONE_COOKIE, "")
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
