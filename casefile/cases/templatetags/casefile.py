import datetime
import re
from functools import lru_cache

from django import template
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from casefile.cases.facets import with_changes
from casefile.cases.querysets import HIGHLIGHT_START, HIGHLIGHT_STOP
from casefile.cases.search import SearchText
from casefile.core import currencies
from casefile.core.dates import DatePrecision, PartialDate
from casefile.core.languages import is_chinese
from casefile.core.text import CJK_RUN

# A letter of the Latin script (with its accents: pinyin's tone marks).
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
TAG = re.compile(r"<[^>]*>")  # of a snippet's <mark>s

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
    """Text (data, a name, a label) as safe HTML with its language marked where it
    differs from the page's, so browsers and screen readers pick the right fonts and
    pronunciation: each run of Chinese characters is lang="zh-Hans"; on a Chinese page,
    text holding Latin letters (the records are written in English) is lang="en" too."""
    html = conditional_escape(text or "")
    if CJK_RUN.search(html):
        html = CJK_RUN.sub(lambda m: f'<span lang="zh-Hans">{m.group(0)}</span>', html)
    if is_chinese() and LATIN_LETTER.search(TAG.sub("", str(text or ""))):
        html = f'<span lang="en">{html}</span>'
    return mark_safe(html)


@register.filter
def cjk(text: str | None):
    """Text as safe HTML with each run of Chinese characters marked lang="zh-Hans" (for
    text whose container says its language: prose of several paragraphs)."""
    html = conditional_escape(text or "")
    return mark_safe(CJK_RUN.sub(lambda m: f'<span lang="zh-Hans">{m.group(0)}</span>', html))


@register.filter
def currency_name(code: str) -> str:
    """An ISO 4217 code's name in the page's language."""
    return currencies.currency_name(code)


@register.filter
def day_time(moment) -> str:
    """A time as the page's language writes it, in UTC: "5 January 2018, 12:00 UTC",
    "2018年1月5日 12:00 UTC"."""
    if not moment:
        return ""
    moment = moment.astimezone(datetime.UTC)
    return gettext("%(day)s, %(time)s UTC") % {
        "day": day_date(moment),
        "time": moment.strftime("%H:%M"),
    }


@register.filter
def day_date(moment) -> str:
    """A date or time as the day it fell on, in the page's language: "5 January 2018",
    "2018年1月5日" (UTC)."""
    if not moment:
        return ""
    if isinstance(moment, datetime.datetime):
        moment = moment.astimezone(datetime.UTC).date()
    return str(PartialDate(moment, DatePrecision.DAY))


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
    return gettext("about %(count)s") % {"count": f"{rounded:,}"}


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
            format_html(
                '<span class="visually-hidden"> {}</span>', gettext("(chosen; follow to remove)")
            )
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
