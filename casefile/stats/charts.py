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

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casefile.cases.templatetags.casefile import about
from casefile.stats.figures import AmountDistribution, Bar, log_position

# The same colours as the stylesheet (static/casefile.css): ink, muted, rule, accent.
INK, MUTED, RULE, ACCENT = "#1d1d1f", "#5b5b66", "#d9d9de", "#8a1c1c"
# Tile shades for counts, lightest first (white text from the third on).
SHADES = ["#f6e3e3", "#e7b1b1", "#c96a6a", "#a83838", "#6e1212"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans SC', sans-serif"

# China's 31 province-level divisions on a grid of tiles, roughly where they lie
# (column west to east, row north to south), each with its ISO 3166-2:CN code.
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


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'viewBox="0 0 {} {}" width="{}" height="{}" aria-labelledby="{}-title {}-desc" '
        'font-family="{}" font-size="13">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        width, height, width, height, chart_id, chart_id, FONT,
        chart_id, title, chart_id, desc,
    )  # fmt: skip


def _linked(url: str | None, label: str, body: SafeString) -> SafeString:
    """A link around part of a chart, named for assistive technology; plain without url."""
    if not url:
        return format_html("<g>{}</g>", body)
    return format_html(
        '<a href="{}" aria-label="{}"><title>{}</title>{}</a>', url, label, label, body
    )


def bar_chart(chart_id, title, bars: list[Bar], *, link, estimated=False) -> SafeString:
    """Horizontal bars, one per value, longest first as given; `link(bar)` is a bar's
    search URL or None."""
    label_width, bar_width, row = 200, 200, 24
    width, height = label_width + bar_width + 80, max(len(bars), 1) * row + 8
    largest = max((bar.count for bar in bars), default=0) or 1
    desc = "; ".join(f"{bar.label}: {count_text(bar.count, estimated)}" for bar in bars)
    rows = []
    for index, bar in enumerate(bars):
        y = 4 + index * row
        length = max(round(bar.count / largest * bar_width), 1 if bar.count else 0)
        label = bar.label if len(bar.label) <= 30 else bar.label[:29] + "…"
        shown = count_text(bar.count, estimated)
        body = format_html(
            '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
            '<text x="{}" y="{}" fill="{}">{}</text>',
            label_width - 6, y + 16, INK, label,
            label_width, y + 3, length, row - 6, ACCENT,
            label_width + length + 4, y + 16, MUTED, shown,
        )  # fmt: skip
        rows.append(_linked(link(bar), f"{bar.label}: {cases_text(bar.count, estimated)}", body))
    if not bars:
        rows.append(format_html('<text x="0" y="20" fill="{}">{}</text>', MUTED, _("No cases.")))
    return _chart(chart_id, width, height, title, desc or _("No cases."), rows)


def tile_map(chart_id, title, provinces: list[Bar], *, link, estimated=False) -> SafeString:
    """China's provinces as tiles in their rough places, shaded by count, and a tile for
    cases of no known province."""
    width, height = 8 * (TILE + GAP), 8 * (TILE + GAP) + 24
    largest = max((bar.count for bar in provinces), default=0) or 1
    tiles = []
    for bar in provinces:
        column, row, code = TILES.get(bar.value, (*UNKNOWN_TILE, "?"))
        x, y = column * (TILE + GAP), row * (TILE + GAP)
        shade = SHADES[min(int(bar.count / largest * len(SHADES)), len(SHADES) - 1)]
        fill = shade if bar.count else "#ffffff"
        text = "#ffffff" if bar.count and SHADES.index(shade) >= 2 else INK
        body = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="{}" stroke="{}"/>'
            '<text x="{}" y="{}" text-anchor="middle" font-weight="600" fill="{}">{}</text>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
            x, y, TILE, TILE, fill, RULE,
            x + TILE / 2, y + 21, text, code,
            x + TILE / 2, y + 40, text, count_text(bar.count, estimated),
        )  # fmt: skip
        label = f"{bar.label}: {cases_text(bar.count, estimated)}"
        tiles.append(_linked(link(bar) if bar.count else None, label, body))
    legend = format_html(
        '<text x="0" y="{}" fill="{}">{}</text>',
        height - 6,
        MUTED,
        _("Darker: more cases. ? : province unknown."),
    )
    desc = "; ".join(
        f"{bar.label}: {count_text(bar.count, estimated)}" for bar in provinces if bar.count
    )
    return _chart(chart_id, width, height, title, desc or _("No cases."), [*tiles, legend])


def amount_chart(chart_id, distribution: AmountDistribution, *, estimated=False) -> SafeString:
    """Amounts of one kind and currency as columns by power of ten, on a logarithmic
    scale, with the median marked; amounts of zero as a column apart, left of the scale."""
    scaled = distribution.scaled_bins
    decades = [_decade(b.low) for b in scaled] or [0]
    low, high = min(decades), max(decades) + 1
    column, plot_height, left = 56, 140, 70
    width = left + (high - low) * column + 20
    height = plot_height + 70
    largest = max((b.count for b in distribution.bins), default=0) or 1
    parts = []
    if distribution.zero:
        h = round(distribution.zero / largest * plot_height)
        parts.append(
            format_html(
                '<rect x="8" y="{}" width="40" height="{}" fill="{}"/>'
                '<text x="28" y="{}" text-anchor="middle" fill="{}">0</text>'
                '<text x="28" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                10 + plot_height - h,
                h,
                MUTED,
                plot_height + 28,
                INK,
                plot_height + 6 - h,
                INK,
                count_text(distribution.zero, estimated),
            )
        )
    for amount_bin in scaled:
        x = left + (_decade(amount_bin.low) - low) * column
        h = max(round(amount_bin.count / largest * plot_height), 1)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                x + 3,
                10 + plot_height - h,
                column - 6,
                h,
                ACCENT,
                x + column / 2,
                plot_height + 6 - h,
                INK,
                count_text(amount_bin.count, estimated),
            )
        )
    for decade in range(low, high + 1):
        x = left + (decade - low) * column
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                x,
                10 + plot_height,
                x,
                16 + plot_height,
                MUTED,
                x,
                plot_height + 28,
                MUTED,
                short_amount(Decimal(10) ** max(decade, 0), decade),
            )
        )
    median = distribution.median
    median_text = _("median %(amount)s") % {"amount": amount_text(median)}
    if median and median > 0:
        x = left + log_position(median, low, high) * (high - low) * column
        parts.append(
            format_html(
                '<line x1="{}" y1="6" x2="{}" y2="{}" stroke="{}" stroke-width="2" '
                'stroke-dasharray="4 3"/>'
                '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                x,
                x,
                10 + plot_height,
                INK,
                x,
                plot_height + 50,
                INK,
                median_text,
            )
        )
    else:
        parts.append(
            format_html(
                '<text x="8" y="{}" fill="{}">{}</text>', plot_height + 50, INK, median_text
            )
        )
    title = _("%(kind)s, %(currency)s: %(count)s amounts") % {
        "kind": distribution.kind_label,
        "currency": distribution.currency,
        "count": count_text(distribution.count, estimated),
    }
    desc = "; ".join(
        [
            *(f"{bin_label(b)}: {count_text(b.count, estimated)}" for b in distribution.bins),
            median_text,
        ]
    )
    return _chart(chart_id, width, height, title, desc, parts)


def _decade(value: Decimal) -> int:
    return -1 if value < 1 else len(str(int(value))) - 1


def short_amount(value: Decimal, decade: int) -> str:
    if decade < 0:
        return "0"
    for size, suffix in ((10**9, "G"), (10**6, "M"), (10**3, "k")):
        if value >= size:
            return f"{int(value / size)}{suffix}"
    return str(int(value))


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
    return mark_safe(
        _svg_open(chart_id, width, height, title, desc)
        + format_html_join("", "{}", ((part,) for part in parts))
        + "</svg>"
    )
