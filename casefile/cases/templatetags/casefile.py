from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from casefile.cases.querysets import HIGHLIGHT_START, HIGHLIGHT_STOP
from casefile.cases.search import SearchText

register = template.Library()


@register.filter
def highlighted(snippet: str | None, query: str | None = None):
    """A search snippet as safe HTML: escaped first, then the matched words wrapped
    in <mark> (English words as PostgreSQL matched them, Chinese runs of the query)."""
    html = escape(snippet or "")
    search = SearchText.parse(query)
    if search:
        for run in search.chinese_runs:
            html = html.replace(run, f"{HIGHLIGHT_START}{run}{HIGHLIGHT_STOP}")
    html = html.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
    return mark_safe(html)
