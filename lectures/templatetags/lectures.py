import itertools

from django import template

register = template.Library()

_memo_keys = itertools.count()  # a key per memo block, never reused in this process
MEMO_LIMIT = 5000  # blocks kept per syllabus version; past it the store starts afresh


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


@register.tag
def memo(parser, token):
    """Render a block once per syllabus version and set of values, then reuse the HTML.

        {% memo lecture.pk state %}...{% endmemo %}

    The block's output must depend only on the syllabus and the values named
    in the tag: never put a CSRF token, a CSP nonce or anything about the
    visitor inside. The rendered HTML is kept in the `memo` dict the view
    passes (the syllabus's, so a change of the course empties it); without
    one the block renders as usual.
    """
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    return MemoNode(nodelist, vary_on)


class MemoNode(template.Node):
    def __init__(self, nodelist, vary_on):
        self.nodelist = nodelist
        self.vary_on = vary_on
        self.key = next(_memo_keys)

    def render(self, context):
        store = context.get("memo")
        if store is None:
            return self.nodelist.render(context)
        key = (self.key, *(value.resolve(context) for value in self.vary_on))
        html = store.get(key)
        if html is None:
            if len(store) >= MEMO_LIMIT:
                store.clear()  # a crude bound, so no combination of keys can grow it without limit
            html = store[key] = self.nodelist.render(context)
        return html
