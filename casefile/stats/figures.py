"""The figures of /stats/ for any search: the facet counts of the search itself (so a bar
counts exactly what the search page counts for it) and what the search page does not
count (years removed, time to removal, amounts), from the same result set.

The whole archive's figures are kept by the database (cases.FacetRollup, StatsRollup):
added up, never counted, also right after a publication. A search finding more than
EXACT_UP_TO cases is counted as the search page counts it, on the sample (one case in
SAMPLE_MODULUS, scaled), the rest of its figures too, so that no request reads more than
about EXACT_UP_TO cases. Amounts' medians are of the values to two significant figures
(casefile.stats.sql), so that the archive's is read from its rollup.
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
from casefile.stats import sql
from casefile.stats.models import StatsRollup

# The rollup's rows are folded into one per value once this many more have been added.
COMPACT_ROLLUP_AFTER = 1_000
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
    median: Decimal  # of the values to two significant figures (casefile.stats.sql)
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
    everything = filterset.is_unfiltered()
    counted = results.counted(everything=everything)
    # The whole archive's are kept by the database (StatsRollup): exact, never sampled.
    sampled = not everything and (counted.estimated or counted.total > EXACT_UP_TO)
    extras = _cached_extras(results, everything=everything, sampled=sampled)
    # (The running counts are sums: numeric in PostgreSQL, Decimal here.)
    facets = {
        name: Counter({k: int(n) for k, n in c.items()}) for name, c in counted.facets.items()
    }
    figures = Figures(total=int(counted.total), estimated=counted.estimated, sampled=sampled)
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


def _cached_extras(results, *, everything: bool, sampled: bool) -> dict:
    if everything:
        return cached_by_data_version("stats-archive", "", _archive_extras)
    matched = results.order_by()
    if sampled:
        matched = matched.alias(_sample=sample_key()).filter(_sample=0)
    sql, params = matched.values("id").query.sql_with_params()
    return cached_by_data_version(
        "stats", f"{sampled}|{sql}|{params!r}", lambda: _extras(matched, sampled=sampled)
    )


def _extras(matched, *, sampled: bool) -> dict:
    """Years removed, durations and amounts of the matched cases, in one statement: the
    cases are read once (a filter's plan can cost more than the counting)."""
    scale = SAMPLE_MODULUS if sampled else 1
    removed, durations, undated, amounts = Counter(), Counter(), 0, []
    inner, params = matched.values(
        "id", "status", "listed_on", "listed_on_precision", "removed_on", "removed_on_precision"
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH m AS MATERIALIZED ({inner})
            SELECT 0, removed_year, undated, duration, GROUPING(duration),
                   NULL, NULL, NULL, NULL, count(*)
            FROM (
                SELECT {sql.REMOVED_YEAR.format(c="m")} AS removed_year,
                       {sql.REMOVED_UNDATED.format(c="m")} AS undated,
                       {sql.DURATION.format(c="m")} AS duration
                FROM m
            ) AS d
            GROUP BY GROUPING SETS ((removed_year, undated), (duration))
            UNION ALL
            SELECT 1, NULL, NULL, NULL, NULL, a.kind, a.currency,
                   {sql.AMOUNT_DECADE.format(v="a.value")},
                   {sql.AMOUNT_ROUNDED.format(v="a.value")}, count(*)
            FROM {Amount._meta.db_table} AS a JOIN m ON a.case_id = m.id
            GROUP BY a.kind, a.currency, 8, 9
            """,
            params,
        )
        for part, year, is_undated, duration, by_removal, *amount, count in cursor.fetchall():
            count *= scale
            if part == 1:
                amounts.append((*amount, count))
            elif by_removal == 1:  # the (removed_year, undated) set
                if year is not None:
                    removed[year] += count
                elif is_undated:
                    undated += count
            elif duration is not None:
                durations[min(duration, LONGEST_DURATION)] += count
    return {
        "removed": removed,
        "removed_undated": undated,
        "durations": durations,
        "amounts": _distributions(amounts),
    }


def _archive_extras() -> dict:
    """The whole archive's: StatsRollup's rows added up (kept by the database)."""
    removed, durations, undated, amounts = Counter(), Counter(), 0, []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT facet, value, sum(count)::bigint, count(*) FROM {StatsRollup._meta.db_table} "
            "GROUP BY facet, value"
        )
        groups = cursor.fetchall()
        if sum(rows for *_, rows in groups) > len(groups) + COMPACT_ROLLUP_AFTER:
            cursor.execute("SELECT casefile_compact_stats_rollup()")
    for facet, value, total, _rows in groups:
        if not total:
            continue
        if facet == "removed":
            if value == "undated":
                undated += total
            else:
                removed[int(value)] += total
        elif facet == "duration":
            durations[min(int(value), LONGEST_DURATION)] += total
        elif facet == "amount":
            kind, currency, decade, rounded = value.split("|")
            amounts.append(
                (kind, currency, int(decade) if decade else None, Decimal(rounded), total)
            )
    return {
        "removed": removed,
        "removed_undated": undated,
        "durations": durations,
        "amounts": _distributions(amounts),
    }


def _distributions(rows) -> list[AmountDistribution]:
    """Distributions from (kind, currency, power of ten or None for zero, value to two
    significant figures, count): the count per power of ten, and the median, as
    PostgreSQL's percentile_disc(0.5) takes it: the first value (to two significant
    figures) at or past the middle."""
    by_pair: dict[tuple[str, str], list] = {}
    for kind, currency, decade, rounded, count in rows:
        by_pair.setdefault((kind, currency), []).append((decade, rounded, count))
    order = {kind: i for i, kind in enumerate(AmountKind.values)}
    distributions = []
    for (kind, currency), values in by_pair.items():
        total = sum(count for *_, count in values)
        if not total:
            continue
        bins = Counter()
        for decade, _rounded, count in values:
            bins[decade] += count
        running, median = 0, None
        for _decade, rounded, count in sorted(values, key=lambda v: v[1]):
            running += count
            if running >= total / 2:
                median = rounded
                break
        distributions.append(
            AmountDistribution(
                kind,
                currency,
                total,
                median,
                [
                    _amount_bin(decade, count)
                    for decade, count in sorted(
                        bins.items(), key=lambda item: -2 if item[0] is None else item[0]
                    )
                    if count
                ],
            )
        )
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
