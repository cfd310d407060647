"""Learners' notes: Markdown made safe to show, and times in the video written as people write them."""

import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

# At most this many characters a note, and this many notes a learner (the database holds both limits).
NOTE_MAX_LENGTH = 10_000
NOTES_PER_LEARNER = 2_000
# Times stay under 100 hours: h:mm:ss with at most two digits of hours.
MAX_SECONDS = 100 * 3600 - 1

# CommonMark without raw HTML (written as text instead), plus tables and strikethrough.
# Images are off: a note must not make the page fetch anything from elsewhere, so
# ![text](address) stays a link.
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"]).disable("image")

# What the rendered HTML may keep, whatever the parser lets through: a second line of
# defence. Links only to the web and mail, never opening anything with our page's rights.
_cleaner = nh3.Cleaner(
    tags={
        *("p", "br", "hr", "strong", "em", "s", "code", "pre", "blockquote", "a"),
        *("ul", "ol", "li", "h3", "h4", "h5", "h6"),
        *("table", "thead", "tbody", "tr", "th", "td"),
    },
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
)


# Notes keep the HTML this renders (Note.html), so each view of a page does not render them again:
# a change to what it renders (the parser's options, the cleaner's policy) needs a data migration
# that renders every note again.
def render_markdown(text: str) -> str:
    """The note's Markdown as HTML that is safe to put in a page."""
    tokens = _markdown.parse(text)
    # A note sits under the page's h2 "Your notes": its headings start at h3.
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1:]) + 2, 6)}"
    return _cleaner.clean(_markdown.renderer.render(tokens, _markdown.options, {}))


# ASCII digits only: Python's int() would take other scripts' digits too.
_TIME = re.compile(r"(?:([0-9]{1,2}):)?([0-9]{1,4}):([0-9]{2})", re.ASCII)


def parse_time(value: str) -> int | None:
    """Seconds into the video from "mm:ss" or "h:mm:ss"; None for an empty value. Raises ValidationError."""
    value = value.strip()
    if not value:
        return None
    match = _TIME.fullmatch(value)
    if match is None:
        raise ValidationError(
            _("Write the time as minutes and seconds (12:05) or hours, minutes and seconds (1:02:30)."),
            code="format",
        )
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    if seconds > 59:
        raise ValidationError(_("Seconds go up to 59: write 1:05 rather than 0:65."), code="seconds")
    if match.group(1) is not None and minutes > 59:
        raise ValidationError(_("With hours, minutes go up to 59: write 2:05:00 rather than 1:65:00."), code="minutes")
    total = hours * 3600 + minutes * 60 + seconds
    if total > MAX_SECONDS:
        raise ValidationError(_("That is past the end of any lecture: a time stays under 100 hours."), code="too_late")
    return total


def format_time(seconds: int) -> str:
    """Seconds as a player shows them: 12:05 or 1:02:30."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def video_link(youtube_id: str, seconds: int) -> str:
    """The lecture's video on YouTube at that second."""
    return f"https://www.youtube.com/watch?v={youtube_id}&t={int(seconds)}s"
