"""Facets of the search page as links: each value's live count and the URL that adds or
removes it. Counts come from CaseQuerySet.facet_counts() of the current results.

Several values of one facet widen a search (restriction=air_travel&restriction=loans_credit
finds either). So a count is shown only where it tells what a click gives: for the
values of a facet with nothing chosen yet (a click narrows the results to exactly that
count) and for the values chosen. Other values of a facet with a choice are offered to
add, without a count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from casefile.authorities.models import Province
from casefile.cases.filters import NOTIFIED_CHOICES
from casefile.cases.vocabularies import CaseStatus, ListName, OffenceCategory, RestrictionKind

# Provinces as the page's language names them ("Hubei 湖北", "湖北").
PROVINCE_LABELS = {
    province.value: lazy(lambda p=province: p.localized, str)() for province in Province
}

# (query parameter, key in facet_counts(), heading, labels of the values, sorted by count)
# Headings and labels are lazy: each is said in the language of the page or request.
CHOICE_FACETS = [
    ("restriction", "restriction", _("Restriction"), dict(RestrictionKind.choices), True),
    ("offence", "offence", _("Offence"), dict(OffenceCategory.choices), True),
    ("province", "province", _("Province"), PROVINCE_LABELS, True),
    ("list", "list", _("List"), dict(ListName.choices), True),
    ("status", "status", _("Status"), dict(CaseStatus.choices), False),
    ("notified", "notified", _("Notified"), dict(NOTIFIED_CHOICES), False),
]
NOTIFIED_KEYS = {True: "yes", False: "no", None: "unknown"}


@dataclass
class FacetValue:
    label: str
    url: str
    count: int | None = None
    selected: bool = False


@dataclass
class Facet:
    parameter: str
    heading: str
    values: list[FacetValue] = field(default_factory=list)
    more: list[FacetValue] = field(default_factory=list)  # addable, without counts
    unknown: int = 0  # cases with no value (no province, no date): not a filter

    @property
    def has_selection(self) -> bool:
        return any(value.selected for value in self.values)


def with_changes(params: QueryDict, **changes: list[str]) -> str:
    """The query string of `params` with some parameters replaced (an empty list removes
    one), always back on the first page."""
    query = params.copy()
    query.pop("page", None)
    for name, values in changes.items():
        if values:
            query.setlist(name, values)
        else:
            query.pop(name, None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def build_facets(params: QueryDict, counts: dict[str, Counter]) -> list[Facet]:
    facets = []
    for parameter, key, heading, labels, by_count in CHOICE_FACETS:
        chosen = params.getlist(parameter)
        raw = counts.get(key, Counter())
        if key == "notified":
            raw = Counter({NOTIFIED_KEYS[value]: n for value, n in raw.items()})
        facet = Facet(parameter, heading, unknown=raw.get("", 0) if key == "province" else 0)
        keys = sorted(labels, key=lambda k: -raw.get(k, 0)) if by_count else list(labels)
        for value in keys:
            if value in chosen:
                rest = [v for v in chosen if v != value]
                facet.values.append(
                    FacetValue(labels[value], with_changes(params, **{parameter: rest}),
                               raw.get(value, 0), selected=True)
                )  # fmt: skip
            elif not chosen and raw.get(value):
                url = with_changes(params, **{parameter: [value]})
                facet.values.append(FacetValue(labels[value], url, raw[value]))
            elif chosen:
                url = with_changes(params, **{parameter: [*chosen, value]})
                facet.more.append(FacetValue(labels[value], url))
        facets.append(facet)
    facets.insert(4, _year_facet(params, counts.get("year", Counter())))
    return facets


def _year_facet(params: QueryDict, years: Counter) -> Facet:
    """Years listed: a click sets listed_from and listed_to to that year."""
    facet = Facet("year", _("Year listed"), unknown=years.get(None, 0))
    start, end = params.get("listed_from", ""), params.get("listed_to", "")
    chosen = start if start and start == end and start.isdigit() else None
    for year in sorted((y for y in years if y is not None), reverse=True):
        if str(year) == chosen:
            url = with_changes(params, listed_from=[], listed_to=[])
            facet.values.append(FacetValue(str(year), url, years[year], selected=True))
        elif years[year]:
            url = with_changes(params, listed_from=[str(year)], listed_to=[str(year)])
            facet.values.append(FacetValue(str(year), url, years[year]))
    return facet


# --- facet values as filters (the API's facets) ---------------------------------------
# Kept apart from the page's links above: the API answers each value with its label and
# the exact query parameters that select it, so a client follows a facet without knowing
# how a facet maps onto the filters (a year is a listed_from/listed_to range, notified
# is yes/no/unknown).

FACET_LABELS = {key: labels for _, key, _, labels, _ in CHOICE_FACETS}
UNKNOWN_LABEL = _("Unknown")


def value_filter(facet: str, value) -> tuple[str, dict[str, str] | None]:
    """(label, params) of one value of a facet of facet_counts(): its label, and the
    query parameters that select exactly the cases it counts, to set in place of those
    parameters in the query that was counted; params is None where no filter selects a
    value (an unknown year or province)."""
    if facet == "year":
        if value is None:
            return UNKNOWN_LABEL, None
        year = str(value)
        return year, {"listed_from": year, "listed_to": year}
    if facet == "notified":
        key = NOTIFIED_KEYS[value]
        return FACET_LABELS["notified"][key], {"notified": key}
    if facet == "province" and not value:
        return UNKNOWN_LABEL, None
    return FACET_LABELS[facet].get(value, str(value)), {facet: value}


def facet_values(counts: dict[str, Counter]) -> dict[str, list[dict]]:
    """Each facet's values with a count, most cases first: value, label, count, params."""
    facets = {}
    for name, counter in counts.items():
        ordered = sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))
        facets[name] = [
            {"value": value, "label": str(label), "count": count, "params": params}
            for value, count in ordered
            if count
            for label, params in [value_filter(name, value)]
        ]
    return facets
