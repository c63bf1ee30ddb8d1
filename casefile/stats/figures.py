"""The figures of /stats/ for any search: the facet counts of the search itself (so a bar
counts exactly what the search page counts for it) and what the search page does not
count (years removed, time to removal, amounts), from the same result set.

A result set larger than EXACT_UP_TO cases is counted as the search page counts it: the
facets from the running counts (every public case) or the sample (one case in
SAMPLE_MODULUS, scaled), and the rest always from the sample, so that no request reads
more than about EXACT_UP_TO rows beyond what the search page reads.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from casefile.authorities.models import Province
from casefile.cases.facets import FACET_LABELS, NOTIFIED_KEYS
from casefile.cases.models import Amount
from casefile.cases.querysets import (
    EXACT_UP_TO,
    SAMPLE_MODULUS,
    cached_by_data_version,
    sample_key,
)
from casefile.cases.vocabularies import AmountKind, OffenceCategory, RestrictionKind

# Durations of this many whole years or more share one bar.
LONGEST_DURATION = 10


@dataclass(frozen=True)
class Bar:
    """One value of a chart: its count, and the query parameters of the search that
    finds exactly those cases (to set in place of the search's own values of those
    parameters), or None where no search does."""

    value: str
    label: str
    count: int
    params: dict[str, str] | None = None


@dataclass(frozen=True)
class AmountBin:
    low: Decimal | None  # None: amounts of zero, shown beside the logarithmic scale
    high: Decimal | None
    count: int


@dataclass(frozen=True)
class AmountDistribution:
    kind: str
    currency: str
    count: int
    median: Decimal
    bins: list[AmountBin]

    @property
    def kind_label(self) -> str:
        return str(AmountKind(self.kind).label) if self.kind in AmountKind.values else self.kind

    @property
    def zero(self) -> int:
        return sum(b.count for b in self.bins if b.low is None)

    @property
    def scaled_bins(self) -> list[AmountBin]:
        return [b for b in self.bins if b.low is not None]


@dataclass
class Figures:
    total: int
    estimated: bool  # the facet counts were scaled up from the sample
    sampled: bool  # years removed, durations and amounts were (they always are beyond 10,000)
    listed: list[Bar] = field(default_factory=list)
    listed_unknown: int = 0
    removed: list[Bar] = field(default_factory=list)
    removed_unknown: int = 0  # removed from the list, no date known
    provinces: list[Bar] = field(default_factory=list)  # every province, then "unknown"
    restrictions: list[Bar] = field(default_factory=list)
    offences: list[Bar] = field(default_factory=list)
    notified: list[Bar] = field(default_factory=list)
    durations: list[Bar] = field(default_factory=list)
    amounts: list[AmountDistribution] = field(default_factory=list)

    @property
    def province_unknown(self) -> int:
        return next((b.count for b in self.provinces if b.value == ""), 0)


def figures_for(filterset) -> Figures:
    """The figures of a valid CaseFilter's results (published, public cases only: the
    filterset's queryset is visibility.public_cases())."""
    results = filterset.qs
    data = filterset.form.cleaned_data
    counted = results.counted(everything=filterset.is_unfiltered())
    sampled = counted.estimated or counted.total > EXACT_UP_TO
    extras = _cached_extras(results, sampled=sampled)
    facets = counted.facets
    figures = Figures(total=counted.total, estimated=counted.estimated, sampled=sampled)
    years = facets["year"]
    figures.listed = [
        Bar(str(year), str(year), n, _year_params(data, "listed", year))
        for year, n in sorted((y, n) for y, n in years.items() if y is not None and n)
    ]
    figures.listed_unknown = years.get(None, 0)
    figures.removed = [
        Bar(str(year), str(year), n, _year_params(data, "removed", year))
        for year, n in sorted(extras["removed"].items())
        if n
    ]
    figures.removed_unknown = extras["removed_undated"]
    figures.provinces = [
        Bar(key, str(label), facets["province"].get(key, 0), _choice_params(data, "province", key))
        for key, label in Province.choices
    ] + [Bar("", str(_("Unknown")), facets["province"].get("", 0))]
    figures.restrictions = _choice_bars(data, "restriction", RestrictionKind, facets)
    figures.offences = _choice_bars(data, "offence", OffenceCategory, facets)
    figures.notified = [
        Bar(
            NOTIFIED_KEYS[answer],
            str(FACET_LABELS["notified"][NOTIFIED_KEYS[answer]]),
            facets["notified"].get(answer, 0),
            _choice_params(data, "notified", NOTIFIED_KEYS[answer]),
        )
        for answer in (True, False, None)
    ]
    figures.durations = [
        Bar(str(years), duration_label(years), n)
        for years, n in sorted(extras["durations"].items())
    ]
    figures.amounts = extras["amounts"]
    return figures


def duration_label(years: int) -> str:
    if years >= LONGEST_DURATION:
        return str(_("%(years)s years or more") % {"years": LONGEST_DURATION})
    if years == 0:
        return str(_("Under a year"))
    return ngettext("%(years)s year", "%(years)s years", years) % {"years": years}


def _choice_bars(data, parameter: str, vocabulary, facets) -> list[Bar]:
    counts = facets[parameter]
    bars = [
        Bar(key, str(label), counts.get(key, 0), _choice_params(data, parameter, key))
        for key, label in vocabulary.choices
        if counts.get(key)
    ]
    return sorted(bars, key=lambda bar: -bar.count)


def _choice_params(data, parameter: str, value: str) -> dict[str, str] | None:
    """The search of one value: the search with only that value of the parameter. When
    the search already chose other values, a value it did not choose (a restriction kind
    the cases also have) counts cases no search finds: no link."""
    chosen = [str(v) for v in data.get(parameter) or []]
    if chosen and value not in chosen:
        return None
    return {parameter: value}


def _year_params(data, prefix: str, year: int) -> dict[str, str]:
    """The search of one year of a date: from/to that year, within the search's own
    period where it starts or ends inside that year (listed_from=2017-06 keeps June)."""
    start, end = data.get(f"{prefix}_from"), data.get(f"{prefix}_to")
    low = start.iso if start and start.date.year == year else str(year)
    high = end.iso if end and end.last_day.year == year else str(year)
    return {f"{prefix}_from": low, f"{prefix}_to": high}


# --- what the search page does not count ----------------------------------------------


def _cached_extras(results, *, sampled: bool) -> dict:
    matched = results.order_by()
    if sampled:
        matched = matched.alias(_sample=sample_key()).filter(_sample=0)
    sql, params = matched.values("id").query.sql_with_params()
    return cached_by_data_version(
        "stats", f"{sampled}|{sql}|{params!r}", lambda: _extras(matched, sampled=sampled)
    )


def _extras(matched, *, sampled: bool) -> dict:
    scale = SAMPLE_MODULUS if sampled else 1
    removed, durations, undated = Counter(), Counter(), 0
    inner, params = matched.values(
        "status", "listed_on", "listed_on_precision", "removed_on", "removed_on_precision"
    ).query.sql_with_params()
    # Durations in whole years; by the calendar years when either date is known only to
    # the year (a listing in 2016 removed in 2018: two years).
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT removed_year, undated, duration, GROUPING(duration), count(*)
            FROM (
                SELECT extract(year FROM removed_on)::int AS removed_year,
                       (status = 'removed' AND removed_on IS NULL) AS undated,
                       CASE WHEN listed_on IS NULL OR removed_on IS NULL THEN NULL
                            WHEN listed_on_precision = 'year' OR removed_on_precision = 'year'
                            THEN extract(year FROM removed_on) - extract(year FROM listed_on)
                            ELSE greatest(extract(year FROM age(removed_on, listed_on)), 0)
                       END::int AS duration
                FROM ({inner}) AS m
            ) AS d
            GROUP BY GROUPING SETS ((removed_year, undated), (duration))
            """,
            params,
        )
        for removed_year, is_undated, duration, by_removal, count in cursor.fetchall():
            if by_removal == 1:  # the (removed_year, undated) set
                if removed_year is not None:
                    removed[removed_year] += count * scale
                elif is_undated:
                    undated += count * scale
            elif duration is not None:
                durations[min(duration, LONGEST_DURATION)] += count * scale
    return {
        "removed": removed,
        "removed_undated": undated,
        "durations": durations,
        "amounts": _amounts(matched, scale),
    }


def _amounts(matched, scale: int) -> list[AmountDistribution]:
    """Amounts as reported, by kind and currency: counts per power of ten (amounts of
    zero apart), and the median (of the sample, when sampled)."""
    ids_sql, params = matched.values("id").query.sql_with_params()
    table = Amount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT kind, currency, decade, GROUPING(decade), count(*),
                   percentile_disc(0.5) WITHIN GROUP (ORDER BY value)
            FROM (
                SELECT a.kind, a.currency, a.value,
                       CASE WHEN a.value = 0 THEN NULL
                            ELSE greatest(floor(log(a.value)), -1)::int END AS decade
                FROM {table} AS a WHERE a.case_id IN ({ids_sql})
            ) AS amounts
            GROUP BY GROUPING SETS ((kind, currency, decade), (kind, currency))
            ORDER BY kind, currency
            """,
            params,
        )
        rows = cursor.fetchall()
    totals, bins = {}, {}
    for kind, currency, decade, whole, count, median in rows:
        if whole:
            totals[(kind, currency)] = (count * scale, median)
        else:
            bins.setdefault((kind, currency), []).append(_amount_bin(decade, count * scale))
    order = {kind: i for i, kind in enumerate(AmountKind.values)}
    distributions = [
        AmountDistribution(
            kind,
            currency,
            count,
            median,
            sorted(bins.get((kind, currency), []), key=lambda b: (b.low is not None, b.low or 0)),
        )
        for (kind, currency), (count, median) in totals.items()
    ]
    return sorted(distributions, key=lambda d: (order.get(d.kind, 99), -d.count, d.currency))


def _amount_bin(decade: int | None, count: int) -> AmountBin:
    if decade is None:
        return AmountBin(None, None, count)
    if decade < 0:  # above zero, under one
        return AmountBin(Decimal(0), Decimal(1), count)
    return AmountBin(Decimal(10) ** decade, Decimal(10) ** (decade + 1), count)


def log_position(value: Decimal, low_decade: int, high_decade: int) -> float:
    """Where value lies between 10**low_decade and 10**high_decade, from 0 to 1."""
    if value <= 0:
        return 0.0
    span = max(high_decade - low_decade, 1)
    return min(max((math.log10(value) - low_decade) / span, 0.0), 1.0)
