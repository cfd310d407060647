"""Notes are Markdown: rendered by markdown-it-py, cleaned by nh3, and nothing a learner writes runs or loads."""

from urllib.parse import urlsplit

import pytest

from progress.notes import render_markdown

from .conftest import _parse, tags, text

# What the rendered HTML may hold: these tags, and these attributes on them.
ALLOWED_TAGS = {
    *("p", "br", "hr", "strong", "em", "s", "code", "pre", "blockquote", "a"),
    *("ul", "ol", "li", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {"a": {"href", "rel"}, "ol": {"start"}}

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src='https://evil.example/'></iframe>",
    "<object data='https://evil.example/x.swf'></object>",
    "<form action='https://evil.example/'><input name=password></form>",
    "<base href='https://evil.example/'>",
    "<meta http-equiv='refresh' content='0;url=https://evil.example/'>",
    "<style>body { display: none }</style>",
    "<div style='background:url(javascript:alert(1))'>x</div>",
    "<a href='javascript:alert(1)'>click</a>",
    '<a href="https://ok.example/" onclick="alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](%6Aavascript:alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](file:///etc/passwd)",
    "[click][evil]\n\n[evil]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![tracker](https://evil.example/pixel.png)",
    "![x](javascript:alert(1))",
    '[title](https://ok.example/ "title" onmouseover=alert(1))',
    "<!-- <script>alert(1)</script> -->",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    "| a | b |\n|:--|--:|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "\u202e<script>alert(1)</script>",
]


def found_tags(html):
    return _parse(html).tags


@pytest.mark.parametrize("note", HOSTILE)
def test_hostile_notes_render_inert(note):
    html = render_markdown(note)
    for name, attributes in found_tags(html):
        assert name in ALLOWED_TAGS, (name, html)
        assert set(attributes) <= ALLOWED_ATTRIBUTES.get(name, set()), (name, attributes)
        for value in attributes.values():
            assert "javascript" not in value.lower(), html
    # A link goes to the web, to mail or within the site, never to a script.
    for link in tags(html, "a"):
        assert urlsplit(link["href"]).scheme in {"http", "https", "mailto", ""}, link
        assert link["rel"] == "noopener noreferrer nofollow"


def test_raw_html_is_shown_as_text():
    html = render_markdown("Use <b>bold</b> and <script>alert(1)</script>")
    assert not tags(html, "b")
    assert not tags(html, "script")
    assert text(html) == "Use <b>bold</b> and <script>alert(1)</script>"


def test_an_image_stays_a_link_and_loads_nothing():
    html = render_markdown("![the slide](https://example.org/slide.png)")
    assert not tags(html, "img")
    assert tags(html, "a", href="https://example.org/slide.png")


def test_markdown_does_what_learners_expect():
    html = render_markdown(
        "# Drift\n\n**Data** drift, *concept* drift and ~~magic~~.\n\n"
        "- one\n- two\n\n3. three\n\n`code` and [the book](https://example.org/book) and <https://example.org/>\n\n"
        "> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert tags(html, "strong")
    assert tags(html, "em")
    assert tags(html, "s")
    assert len(tags(html, "li")) == 3
    assert tags(html, "ol", start="3")
    assert tags(html, "a", href="https://example.org/book", rel="noopener noreferrer nofollow")
    assert tags(html, "a", href="https://example.org/")
    assert tags(html, "blockquote")
    assert tags(html, "code")
    assert tags(html, "table")


def test_headings_start_below_the_pages_own():
    # The notes sit under the page's h2: a note's # heading is an h3, and the levels stop at h6.
    html = render_markdown("# One\n\n## Two\n\n#### Four\n\n###### Six")
    assert [name for name, _ in found_tags(html)] == ["h3", "h4", "h6", "h6"]
