"""Charts as server-rendered SVG: no JavaScript, no third-party asset, well-formed XML
that prints as it shows. Each chart has role="img", a <title> and a <desc> (its text
alternative), and the page puts its figures in a table beside it.

Written here rather than with a charting library: pygal, the well-kept Python one, loads
its tooltips from a script on a third-party host by default, has no tile map of China's
provinces and no role/aria text alternative, and its links are its tooltips' business;
three small builders do what is needed and nothing else.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from django.utils import translation
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casefile.authorities.models import Province
from casefile.cases.templatetags.casefile import about
from casefile.stats.figures import AmountDistribution, Bar, log_position

# The same colours as the stylesheet (static/casefile.css): ink, muted, rule, accent.
INK, MUTED, RULE, ACCENT = "#1d1d1f", "#5b5b66", "#d9d9de", "#8a1c1c"
# Tile shades for counts, lightest first (white text from the third on).
SHADES = ["#f6e3e3", "#e7b1b1", "#c96a6a", "#a83838", "#6e1212"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans SC', sans-serif"

# China's 31 province-level divisions on a grid of tiles, roughly where they lie
# (column west to east, row north to south), each with its ISO 3166-2:CN code (its name
# on a Chinese page).
TILES = {
    "heilongjiang": (7, 0, "HL"),
    "inner_mongolia": (4, 1, "NM"),
    "beijing": (5, 1, "BJ"),
    "liaoning": (6, 1, "LN"),
    "jilin": (7, 1, "JL"),
    "xinjiang": (1, 2, "XJ"),
    "gansu": (2, 2, "GS"),
    "ningxia": (3, 2, "NX"),
    "shanxi": (4, 2, "SX"),
    "hebei": (5, 2, "HE"),
    "tianjin": (6, 2, "TJ"),
    "tibet": (1, 3, "XZ"),
    "qinghai": (2, 3, "QH"),
    "shaanxi": (3, 3, "SN"),
    "henan": (4, 3, "HA"),
    "shandong": (5, 3, "SD"),
    "sichuan": (2, 4, "SC"),
    "chongqing": (3, 4, "CQ"),
    "hubei": (4, 4, "HB"),
    "anhui": (5, 4, "AH"),
    "jiangsu": (6, 4, "JS"),
    "yunnan": (2, 5, "YN"),
    "guizhou": (3, 5, "GZ"),
    "hunan": (4, 5, "HN"),
    "jiangxi": (5, 5, "JX"),
    "zhejiang": (6, 5, "ZJ"),
    "shanghai": (7, 5, "SH"),
    "guangxi": (3, 6, "GX"),
    "guangdong": (4, 6, "GD"),
    "fujian": (5, 6, "FJ"),
    "hainan": (4, 7, "HI"),
}
UNKNOWN_TILE = (0, 7)
TILE, GAP = 52, 4


def count_text(count: int, estimated: bool) -> str:
    """As the search page shows counts: an estimate rounded and said to be one."""
    return about(count, estimated)


def cases_text(count: int, estimated: bool) -> str:
    return ngettext("%(count)s case", "%(count)s cases", count) % {
        "count": count_text(count, estimated)
    }


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" '
        f'font-size="13"><title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _linked(url: str | None, label: str, body: str) -> str:
    """A link around part of a chart, named for assistive technology; plain without url."""
    if not url:
        return f"<g>{body}</g>"
    label = escape(label)
    return f'<a href="{escape(url)}" aria-label="{label}"><title>{label}</title>{body}</a>'


def bar_chart(chart_id, title, bars: list[Bar], *, link, estimated=False) -> SafeString:
    """Horizontal bars, one per value, in the order given; `link(bar)` is a bar's search
    URL or None."""
    labels = [_shortened(bar.label) for bar in bars]
    # As wide as the longest label needs (about 7.5 units a character at 13 units).
    label_width = max(40, min(round(7.5 * max(map(len, labels), default=0)) + 12, 220))
    bar_width, row = 200, 24
    width, height = label_width + bar_width + 80, max(len(bars), 1) * row + 8
    largest = max((bar.count for bar in bars), default=0) or 1
    desc = "; ".join(f"{bar.label}: {count_text(bar.count, estimated)}" for bar in bars)
    parts = []
    for index, (bar, label) in enumerate(zip(bars, labels, strict=True)):
        y = 4 + index * row
        length = max(round(bar.count / largest * bar_width), 1 if bar.count else 0)
        body = (
            f'<text x="{label_width - 6}" y="{y + 16}" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{row - 6}" '
            f'fill="{ACCENT}"/>'
            f'<text x="{label_width + length + 4}" y="{y + 16}" fill="{MUTED}">'
            f"{count_text(bar.count, estimated)}</text>"
        )
        parts.append(_linked(link(bar), f"{bar.label}: {cases_text(bar.count, estimated)}", body))
    if not bars:
        parts.append(f'<text x="0" y="20" fill="{MUTED}">{escape(_("No cases."))}</text>')
    return _chart(chart_id, width, height, title, desc or _("No cases."), parts)


def _shortened(label: str, most: int = 28) -> str:
    """A label cut to fit beside its bar (the table and the title keep it whole)."""
    return label if len(label) <= most else label[: most - 1] + "…"


def tile_map(chart_id, title, provinces: list[Bar], *, link, estimated=False) -> SafeString:
    """China's provinces as tiles in their rough places, shaded by count, and a tile for
    cases of no known province."""
    width, height = 8 * (TILE + GAP), 8 * (TILE + GAP) + 24
    largest = max((bar.count for bar in provinces), default=0) or 1
    parts = []
    for bar in provinces:
        column, row, code = TILES.get(bar.value, (*UNKNOWN_TILE, "?"))
        if bar.value in TILES and translation.get_language().startswith("zh"):
            code = Province(bar.value).chinese  # 湖北, 内蒙古: a Chinese reader's names
        x, y, middle = column * (TILE + GAP), row * (TILE + GAP), column * (TILE + GAP) + TILE // 2
        shade = min(int(bar.count / largest * len(SHADES)), len(SHADES) - 1)
        fill = SHADES[shade] if bar.count else "#ffffff"
        text = "#ffffff" if bar.count and shade >= 2 else INK
        body = (
            f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="4" fill="{fill}" '
            f'stroke="{RULE}"/>'
            f'<text x="{middle}" y="{y + 21}" text-anchor="middle" font-weight="600" '
            f'fill="{text}">{code}</text>'
            f'<text x="{middle}" y="{y + 40}" text-anchor="middle" font-size="11" '
            f'fill="{text}">{count_text(bar.count, estimated)}</text>'
        )
        label = f"{bar.label}: {cases_text(bar.count, estimated)}"
        parts.append(_linked(link(bar) if bar.count else None, label, body))
    legend = _("Darker: more cases. ? : province unknown.")
    parts.append(f'<text x="0" y="{height - 6}" fill="{MUTED}">{escape(legend)}</text>')
    desc = "; ".join(
        f"{bar.label}: {count_text(bar.count, estimated)}" for bar in provinces if bar.count
    )
    return _chart(chart_id, width, height, title, desc or _("No cases."), parts)


def amount_chart(chart_id, distribution: AmountDistribution, *, estimated=False) -> SafeString:
    """Amounts of one kind and currency as columns by power of ten, on a logarithmic
    scale, with the median marked; amounts of zero as a column apart, left of the scale."""
    scaled = distribution.scaled_bins
    decades = [_decade(b.low) for b in scaled] or [0]
    low, high = min(decades), max(decades) + 1
    column, plot, left = 56, 140, 70
    base = 22 + plot  # the axis: room above the tallest column for its count
    width, height = left + (high - low) * column + 20, base + 50
    largest = max((b.count for b in distribution.bins), default=0) or 1
    parts = []
    if distribution.zero:
        h = round(distribution.zero / largest * plot)
        parts.append(
            f'<rect x="8" y="{base - h}" width="40" height="{h}" fill="{MUTED}"/>'
            f'<text x="28" y="{base + 18}" text-anchor="middle" fill="{INK}">0</text>'
            f'<text x="28" y="{base - h - 4}" text-anchor="middle" font-size="11" '
            f'fill="{INK}">{count_text(distribution.zero, estimated)}</text>'
        )
    for amount_bin in scaled:
        x = left + (_decade(amount_bin.low) - low) * column
        h = max(round(amount_bin.count / largest * plot), 1)
        parts.append(
            f'<rect x="{x + 3}" y="{base - h}" width="{column - 6}" height="{h}" '
            f'fill="{ACCENT}"/>'
            f'<text x="{x + column // 2}" y="{base - h - 4}" text-anchor="middle" '
            f'font-size="11" fill="{INK}">{count_text(amount_bin.count, estimated)}</text>'
        )
    for decade in range(low, high + 1):
        x = left + (decade - low) * column
        parts.append(
            f'<line x1="{x}" y1="{base}" x2="{x}" y2="{base + 6}" stroke="{MUTED}"/>'
            f'<text x="{x}" y="{base + 18}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{short_amount(decade)}</text>'
        )
    median = distribution.median
    median_text = _("median %(amount)s") % {"amount": amount_text(median)}
    if median is not None and median > 0:
        x = round(left + log_position(median, low, high) * (high - low) * column, 1)
        parts.append(
            f'<line x1="{x}" y1="{base - plot}" x2="{x}" y2="{base}" stroke="{INK}" '
            f'stroke-width="2" stroke-dasharray="4 3"/>'
            f'<text x="{min(max(x, 60), width - 60)}" y="{base + 40}" text-anchor="middle" '
            f'fill="{INK}">{escape(median_text)}</text>'
        )
    else:
        parts.append(f'<text x="8" y="{base + 40}" fill="{INK}">{escape(median_text)}</text>')
    title = ngettext(
        "%(kind)s, %(currency)s: %(count)s amount",
        "%(kind)s, %(currency)s: %(count)s amounts",
        distribution.count,
    ) % {
        "kind": distribution.kind_label,
        "currency": distribution.currency,
        "count": count_text(distribution.count, estimated),
    }
    figures = [f"{bin_label(b)}: {count_text(b.count, estimated)}" for b in distribution.bins]
    desc = "; ".join([*figures, median_text])
    return _chart(chart_id, width, height, title, desc, parts)


def _decade(value: Decimal) -> int:
    return -1 if value < 1 else len(str(int(value))) - 1


def short_amount(decade: int) -> str:
    """10**decade, short: 1, 10, 100, 1k … 1M … 1G (0 below one)."""
    if decade < 0:
        return "0"
    for size, suffix in ((9, "G"), (6, "M"), (3, "k")):
        if decade >= size:
            return f"{10 ** (decade - size)}{suffix}"
    return str(10**decade)


def amount_text(value: Decimal | None) -> str:
    if value is None:
        return "–"
    places = 0 if value == value.to_integral() else 2
    return number_format(value, places, force_grouping=True)


def bin_label(amount_bin) -> str:
    if amount_bin.low is None:
        return _("zero")
    return _("%(low)s to under %(high)s") % {
        "low": amount_text(amount_bin.low),
        "high": amount_text(amount_bin.high),
    }


def _chart(chart_id, width, height, title, desc, parts) -> SafeString:
    # Every text in parts was escaped where it was written.
    return mark_safe(_svg_open(chart_id, width, height, title, desc) + "".join(parts) + "</svg>")
