from django import template

register = template.Library()


@register.filter
def duration(value):
    """Format a timedelta as learners read it: "1 h 32 min" or "48 min"."""
    if value is None:
        return ""
    minutes = round(value.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    if hours:
        return f"{hours} h"
    return f"{minutes} min"
