from django import template
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.filter
def duration(value):
    """Format a timedelta as learners read it: "1 h 32 min" or "48 min" ("1 час 32 минуты" in Russian)."""
    if value is None:
        return ""
    minutes = round(value.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = {
        "hours": ngettext("%(count)d h", "%(count)d h", hours) % {"count": hours},
        "minutes": ngettext("%(count)d min", "%(count)d min", minutes) % {"count": minutes},
    }
    if hours and minutes:
        return gettext("%(hours)s %(minutes)s") % parts
    return parts["hours"] if hours else parts["minutes"]


@register.filter
def localized(content, name):
    """The content's text `name` in the visitor's language, or in the other one; its .lang says which."""
    return content.localized(name)
