"""The charts of a search's figures as the page, the CSV files and the API show them:
one list of charts, so that the three never disagree on what a chart holds."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casefile.cases.facets import with_changes
from casefile.cases.filters import CaseFilter
from casefile.cases.visibility import public_cases
from casefile.stats import charts
from casefile.stats.figures import AmountDistribution, Bar, Figures, figures_for


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    note: str
    bars: Callable[[Figures], list[Bar]]
    unknown: Callable[[Figures], int] | None = None  # counted beside the chart
    unknown_label: str = ""
    linked: bool = True  # its bars are searches (amounts and durations are not)
    tile_map: bool = False


BAR_CHARTS = [
    Chart(
        "listed",
        _("Cases by year listed"),
        _("Each bar is the search of the cases listed that year."),
        lambda f: f.listed,
        lambda f: f.listed_unknown,
        _("Year listed unknown"),
    ),
    Chart(
        "removed",
        _("Cases by year removed from the list"),
        _("Cases with a known removal date; each bar is the search of that year."),
        lambda f: f.removed,
        lambda f: f.removed_unknown,
        _("Removed, date unknown"),
    ),
    Chart(
        "provinces",
        _("Cases by province"),
        _(
            "Each province-level division is a tile in its rough place, darker with more "
            "cases; the province is the listing authority's."
        ),
        lambda f: f.provinces,
        tile_map=True,
    ),
    Chart(
        "restrictions",
        _("Cases by restriction"),
        _("A case may have several restrictions, so these can add up to more than the cases."),
        lambda f: f.restrictions,
    ),
    Chart("offences", _("Cases by offence alleged"), "", lambda f: f.offences),
    Chart(
        "notified",
        _("Whether the person was notified"),
        "",
        lambda f: f.notified,
    ),
    Chart(
        "durations",
        _("Time from listing to removal"),
        _(
            "Cases with both dates known, in whole years; by calendar years where either "
            "date is known only to the year. No search selects a duration: not links."
        ),
        lambda f: f.durations,
        linked=False,
    ),
]
CHARTS = {chart.slug: chart for chart in BAR_CHARTS}
AMOUNTS = "amounts"
SLUGS = [*CHARTS, AMOUNTS]


@dataclass
class Row:
    label: str
    count: int
    url: str | None = None


@dataclass
class Section:
    slug: str
    title: str
    note: str
    svg: str
    rows: list[Row]
    unknown: int = 0
    unknown_label: str = ""
    csv_url: str = ""
    estimated: bool = False


def search_url(params, bar: Bar, path: str = "") -> str | None:
    """The search page URL of a bar: the search with the bar's parameters set."""
    if bar.params is None:
        return None
    changes = {name: [value] for name, value in bar.params.items()}
    return (path or reverse("case-list")) + with_changes(params, **changes)


def is_estimated(chart: Chart, figures: Figures) -> bool:
    """Whether a chart's counts came from the sample: the facets' when the search page's
    did; the years removed and durations whenever the search found more than 10,000."""
    return figures.sampled if chart.slug in ("removed", "durations") else figures.estimated


def section(chart: Chart, figures: Figures, params) -> Section:
    bars = chart.bars(figures)
    estimated = is_estimated(chart, figures)
    path = reverse("case-list")

    def link(bar):
        return search_url(params, bar, path) if chart.linked else None

    draw = charts.tile_map if chart.tile_map else charts.bar_chart
    # The map's table: the provinces with cases (the map shows every one), unknown apart.
    shown = [bar for bar in bars if bar.value and bar.count] if chart.tile_map else bars
    svg = draw(f"chart-{chart.slug}", str(chart.title), bars, link=link, estimated=estimated)
    if chart.tile_map:
        unknown, unknown_label = figures.province_unknown, _("Province unknown")
    elif chart.unknown:
        unknown, unknown_label = chart.unknown(figures), chart.unknown_label
    else:
        unknown, unknown_label = 0, ""
    return Section(
        chart.slug,
        str(chart.title),
        str(chart.note),
        svg,
        [Row(bar.label, bar.count, link(bar) if bar.count else None) for bar in shown],
        unknown=unknown,
        unknown_label=str(unknown_label),
        csv_url=reverse("stats-csv", args=[chart.slug]) + with_changes(params),
        estimated=estimated,
    )


def sections(figures: Figures, params, slugs=None) -> list[Section]:
    return [section(CHARTS[slug], figures, params) for slug in slugs or CHARTS]


@dataclass
class AmountSection:
    title: str
    svg: str
    distribution: AmountDistribution


def amount_sections(figures: Figures) -> list[AmountSection]:
    return [
        AmountSection(
            f"{d.kind_label}, {d.currency}",
            charts.amount_chart(f"chart-amounts-{i}", d, estimated=figures.sampled),
            d,
        )
        for i, d in enumerate(figures.amounts)
    ]


def chart_csv(slug: str, figures: Figures, params) -> str:
    """One chart's figures as CSV (with the search each row counts, where one does)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if slug == AMOUNTS:
        writer.writerow(["kind", "currency", "from", "under", "count", "median", "estimated"])
        for d in figures.amounts:
            for amount_bin in d.bins:
                writer.writerow(
                    [
                        d.kind,
                        d.currency,
                        "0" if amount_bin.low is None else amount_bin.low,
                        "" if amount_bin.high is None else amount_bin.high,
                        amount_bin.count,
                        d.median,
                        str(figures.sampled).lower(),
                    ]
                )
        return out.getvalue()
    chart = CHARTS[slug]
    estimated = is_estimated(chart, figures)
    writer.writerow(["value", "label", "count", "estimated", "search"])
    for bar in chart.bars(figures):
        url = search_url(params, bar) if chart.linked and bar.count else None
        writer.writerow([bar.value, bar.label, bar.count, str(estimated).lower(), url or ""])
    if chart.unknown:
        writer.writerow(["", str(chart.unknown_label), chart.unknown(figures), "", ""])
    return out.getvalue()


def archive_sections(slugs: list[str]) -> list[Section]:
    """Charts of the whole archive (the unfiltered search), as the home page shows them."""
    filterset = CaseFilter(QueryDict(), queryset=public_cases())
    filterset.is_valid()
    return sections(figures_for(filterset), QueryDict(), slugs)
