"""When a search finds nothing: what it may have meant, and what each filter costs.

- did_you_mean(): up to five queries close to the one typed, from public data only:
  the names of public figures with a public case (casefile.cases.visibility), never a
  pseudonymised or withheld person's name, and the vocabulary labels (restrictions,
  offences, lists, statuses, provinces in English and Chinese).
- without_each_filter(): for each filter value of the search, the search without it and
  the number of public cases that would give (CaseFilter over public_cases()).
- unknown_parameters(): parameters the search page does not know, each with the closest
  one it does; the page ignores them, says so, and never carries them into a link.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramWordSimilarity
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casefile.authorities.models import Province
from casefile.cases import visibility
from casefile.cases.search import SearchText
from casefile.cases.vocabularies import CaseStatus, ListName, OffenceCategory, RestrictionKind
from casefile.core.text import has_cjk, latin_key

MAX_SUGGESTIONS = 5
# How close a label must be (difflib's ratio, 0 to 1) to be suggested.
LABEL_CUTOFF = 0.75
# pg_trgm's word similarity a public figure's name needs to be suggested.
NAME_CUTOFF = 0.4


@dataclass(frozen=True)
class Suggestion:
    text: str  # the query to run instead
    label: str  # what it is, shown beside it
    score: float


@dataclass(frozen=True)
class DroppedFilter:
    parameter: str
    value: str
    label: str
    query_string: str
    count: int
    estimated: bool = False


# What a suggested vocabulary label is, as the page says it.
SUGGESTION_KINDS = {
    "restriction": _("restriction"),
    "offence": _("offence"),
    "list": _("list"),
    "status": _("status"),
    "province": _("province"),
}


def _vocabulary_labels() -> list[tuple[str, str]]:
    """The labels a search finds (a case's search text holds them in English)."""
    with translation.override("en"):
        return _labels()


def _labels() -> list[tuple[str, str]]:
    labels = []
    for kind, choices in (
        ("restriction", RestrictionKind.choices),
        ("offence", OffenceCategory.choices),
        ("list", ListName.choices),
        ("status", CaseStatus.choices),
    ):
        labels += [(str(label), kind) for key, label in choices if key != "other"]
    for province in Province:
        labels += [(province.english, "province"), (province.chinese, "province")]
    return labels


def did_you_mean(search: SearchText | None, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Queries close to `search` that name something public: a public figure's name or a
    vocabulary label, closest first."""
    if search is None:
        return []
    typed = search.raw.casefold()
    suggestions: dict[str, Suggestion] = {}
    for label, kind in _vocabulary_labels():
        words = [label.casefold(), *label.casefold().replace("-", " ").split()]
        score = max(difflib.SequenceMatcher(None, typed, word).ratio() for word in words)
        if score >= LABEL_CUTOFF and label.casefold() != typed:
            suggestions.setdefault(label, Suggestion(label, str(SUGGESTION_KINDS[kind]), score))
    key = search.name_key
    if len(key) >= 3 and not has_cjk(search.raw):
        people = (
            visibility.named_public_people()
            .filter(name_keys__trigram_word_similar=key)
            .annotate(similarity=TrigramWordSimilarity(key, "name_keys"))
            .filter(similarity__gte=NAME_CUTOFF)
            .order_by("-similarity", "id")
            .only("id", "privacy", "name_original", "name_romanized", "pseudonym")[:limit]
        )
        for person in people:
            text = person.name_romanized or person.name_original
            if latin_key(text) != key:
                suggestions.setdefault(
                    text, Suggestion(text, visibility.public_name(person), person.similarity)
                )
    ranked = sorted(suggestions.values(), key=lambda s: (-s.score, s.text))
    return ranked[:limit]


def without_each_filter(params: QueryDict, count) -> list[DroppedFilter]:
    """The search of `params` without each one of its filter values in turn, with the
    number of cases each would find: `count(params)` counts a search's public cases
    (a FacetCounts, or None if the search cannot be run)."""
    from casefile.cases.filters import CaseFilter

    labels = CaseFilter.value_labels()
    dropped = []
    for name in params:
        if name in ("page", "ordering"):
            continue
        for value in params.getlist(name):
            if not value:
                continue
            rest = params.copy()
            rest.setlist(name, [v for v in params.getlist(name) if v != value])
            if not rest.getlist(name):
                rest.pop(name)
            rest.pop("page", None)
            heading, shown = labels.get(name, (name, {}))
            # The words searched for are in the search box: not repeated here.
            label = (
                gettext("the search words")
                if name == "q"
                else gettext("%(filter)s: %(value)s")
                % {"filter": heading, "value": shown.get(value, value)}
            )
            counted = count(rest)
            dropped.append(
                DroppedFilter(
                    name,
                    value,
                    label,
                    rest.urlencode(),
                    counted.total if counted else 0,
                    counted.estimated if counted else False,
                )
            )
    return dropped


def unknown_parameters(params: QueryDict, known: set[str]) -> list[tuple[str, str | None]]:
    """(parameter, the closest known one or None) for each parameter not in `known`."""
    return [
        (name, next(iter(difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)), None))
        for name in params
        if name not in known
    ]
