"""The pace plan as an iCalendar feed: one event per planned lecture still to watch."""

from datetime import timedelta

from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from lectures.templatetags.lectures import duration as spoken_duration


def event_uid(plan, lecture) -> str:
    """Stable for the life of the plan, whatever moves: calendar apps update the event in place."""
    return f"{plan.feed_uid}.{lecture.pk}@ml-system-design-portal"


def calendar_feed(*, plan, rows, course_title: str, link) -> bytes:
    """The plan's calendar: `rows` are its PlannedLecture rows to show, `link(lecture)` the lecture page's address."""
    calendar = Calendar()
    calendar.add("prodid", "-//Open Data Science//ML System Design 2022 portal//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Study plan: %(course)s") % {"course": course_title})
    calendar.add("x-wr-timezone", plan.time_zone)
    # How often calendar apps that honour it fetch the feed again.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(timedelta(hours=1)))
    zone = plan.zone
    for row in rows:
        lecture = row.lecture
        title = lecture.localized("title") or lecture.display_title
        length = spoken_duration(row.ends_at - row.starts_at)
        if lecture.duration:
            planned = _("Planned for the video's length: %(length)s.") % {"length": length}
        else:
            planned = _("The video's length is not known yet: %(length)s planned.") % {"length": length}
        event = Event()
        event.add("uid", event_uid(plan, lecture))
        event.add("sequence", row.sequence)
        event.add("dtstamp", row.changed_at)
        event.add("last-modified", row.changed_at)
        event.add("dtstart", row.starts_at.astimezone(zone))
        event.add("dtend", row.ends_at.astimezone(zone))
        event.add("summary", f"{lecture.label}: {title}")
        event.add("url", link(lecture))
        event.add("description", f"{link(lecture)}\n\n{planned}")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    if rows:
        calendar.add_missing_timezones(
            first_date=min(row.starts_at for row in rows).date() - timedelta(days=1),
            last_date=max(row.ends_at for row in rows).date() + timedelta(days=1),
        )
    return calendar.to_ical()
