import datetime
from functools import lru_cache

from django import template
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from casefile.cases.facets import with_changes
from casefile.cases.querysets import HIGHLIGHT_START, HIGHLIGHT_STOP
from casefile.cases.search import SearchText
from casefile.core.text import CJK_RUN

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


@register.filter
def zh(text: str | None):
    """Text as safe HTML with each run of Chinese characters marked lang="zh-Hans", so
    browsers and screen readers pick Chinese fonts and pronunciation."""
    html = conditional_escape(text or "")
    return mark_safe(CJK_RUN.sub(lambda m: f'<span lang="zh-Hans">{m.group(0)}</span>', html))


@register.simple_tag
def with_params(params, **changes):
    """The current query string with some parameters replaced (page reset)."""
    return with_changes(
        params, **{name: [str(value)] if value else [] for name, value in changes.items()}
    )


@register.simple_tag
def options(choices, selected):
    """<option> elements of `choices` with `selected` chosen: one call for a long list (the
    ISO 4217 currencies) rather than a template loop; rendered once per list and choice."""
    selected = "" if selected is None else str(selected)
    return _options(tuple((str(value), str(label)) for value, label in choices), selected)


@lru_cache(maxsize=256)
def _options(choices: tuple, selected: str):
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in choices),
    )


@register.filter
def about(count, estimated=False) -> str:
    """A count as shown: "1,234"; an estimate rounded to two significant figures and said
    to be one, "about 120,000" (counts of large result sets come from a sample)."""
    if count is None:
        return ""
    if not estimated:
        return f"{count:,}"
    digits = len(str(int(count)))
    rounded = round(count, -max(0, digits - 2))
    return f"about {rounded:,}"


@register.simple_tag
def facet_values(facet, estimated=False):
    """The <li> links of one facet, built here rather than by a template loop: the search
    page shows some eighty of them, and the template engine's per-tag cost was a large
    part of the page's time."""
    items = []
    for value in facet.values:
        box = "☑" if value.selected else "☐"
        extra = (
            ' aria-current="true"' if value.selected else "",
            '<span class="visually-hidden"> (chosen; follow to remove)</span>'
            if value.selected
            else "",
        )
        items.append(
            format_html(
                '<li><a class="facet-value{}" href="{}"{}><span class="box" aria-hidden="true">'
                '{}</span> {} <span class="count">{}</span>{}</a></li>',
                " selected" if value.selected else "",
                value.url,
                mark_safe(extra[0]),
                box,
                zh(value.label),
                about(value.count, estimated),
                mark_safe(extra[1]),
            )
        )
    return mark_safe("\n".join(items))


@register.filter
def machine_time(moment):
    """A time for <time datetime>: UTC to the second ("2018-01-03T12:00:00Z"). HTML takes
    at most three digits of a fraction; the database keeps six."""
    if not moment:
        return ""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
