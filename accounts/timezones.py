import zoneinfo
from functools import cache
from urllib.parse import unquote

# The browser reports the learner's time zone in this cookie, URL-encoded (static/js/portal.js).
TIMEZONE_COOKIE = "tz"


@cache
def _known_zones():
    # Reading the zone database takes a while: once per process.
    return frozenset(zoneinfo.available_timezones())


def learner_timezone(request):
    """The time zone the learner's browser reported, or None when it reported none we know.

    Only names of real zones count: a folder of the zone database (America, Etc)
    or a made-up path is ignored, whatever ZoneInfo would make of it.
    """
    name = unquote(request.COOKIES.get(TIMEZONE_COOKIE, ""))
    if name not in _known_zones():
        return None
    return zoneinfo.ZoneInfo(name)
