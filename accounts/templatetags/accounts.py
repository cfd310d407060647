import re

from django import template
from django.utils.translation import gettext as _

register = template.Library()

# First match wins: Edge and Opera say "Chrome" too, Chrome says "Safari".
BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
SYSTEMS = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
]


@register.filter
def device(user_agent):
    """A browser's own description in words a person uses: "Firefox on Windows"."""
    browser = next((name for marker, name in BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in SYSTEMS if re.search(rf"\b{re.escape(marker)}", user_agent)), None)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown browser")


@register.simple_tag
def support_email():
    """The address pages give when they say to contact staff (DJANGO_SUPPORT_EMAIL)."""
    from django.conf import settings

    return settings.SUPPORT_EMAIL
