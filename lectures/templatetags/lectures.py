import itertools
import re

from django import template
from django.template.base import VariableNode
from django.utils.html import conditional_escape

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
        {% memo theme user.is_authenticated holes page_path %}...{% endmemo %}

    The block's output must depend only on the syllabus and the values named
    in the tag, with one exception: its holes. The CSRF token and the CSP nonce
    are always holes, and `holes` names more (plain context variables). A hole
    is rendered as a marker, and each use of the block puts this request's
    value, escaped, in its place; so a hole may only be output as it is
    (`{{ page_path }}`, `{% csrf_token %}`), never filtered or tested. Anything
    else about the visitor must stay outside. The rendered HTML is kept in the
    `memo` dict the view passes (the syllabus's, so a change of the course
    empties it); without one the block renders as usual.
    """
    bits = token.split_contents()[1:]
    holes = []
    if "holes" in bits:
        at = bits.index("holes")
        bits, holes = bits[:at], bits[at + 1 :]
        if not holes or any(not hole.isidentifier() for hole in holes):
            raise template.TemplateSyntaxError("memo: name one or more context variables after 'holes'.")
    holes = [*ALWAYS_HOLES, *(hole for hole in holes if hole not in ALWAYS_HOLES)]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    for node in nodelist.get_nodes_by_type(VariableNode):
        expression = node.filter_expression
        if expression.filters and str(expression.var).split(".")[0] in holes:
            raise template.TemplateSyntaxError(f"memo: the hole {expression.var} cannot be filtered.")
    return MemoNode(nodelist, [parser.compile_filter(bit) for bit in bits], holes)


ALWAYS_HOLES = ("csrf_token", "csp_nonce")
# A hole's marker: private-use characters, which escaping leaves alone and no text of ours contains.
HOLE_MARKER = "\ue000{}\ue001"
HOLE = re.compile("\ue000(\\w+)\ue001")


class MemoNode(template.Node):
    def __init__(self, nodelist, vary_on, holes=ALWAYS_HOLES):
        self.nodelist = nodelist
        self.vary_on = vary_on
        self.holes = {name: HOLE_MARKER.format(name) for name in holes}
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
            with context.push(self.holes):
                html = store[key] = self.nodelist.render(context)
        if "\ue000" not in html:
            return html

        # One pass, so a value never has its own text taken for another hole.
        values = {}

        def fill(match):
            name = match.group(1)
            if name not in self.holes:
                return match.group(0)
            if name not in values:
                values[name] = conditional_escape(context.get(name, ""))
            return values[name]

        return HOLE.sub(fill, html)
