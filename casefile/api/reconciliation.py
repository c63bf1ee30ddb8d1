"""OpenRefine reconciliation: the W3C Entity Reconciliation Community Group's
Reconciliation Service API, version 0.2 (the one OpenRefine 3.x speaks), at /reconcile.

Two entity types: `person` (a public figure with a published case) and `case` (a
published case). A query's text is matched as the search box matches names
(casefile.cases.search.SearchText: every script and spelling it knows), over the names
that may be searched, public figures' (visibility.searchable_people()): a pseudonymised
or withheld person, and their cases, are never a candidate by name. A case is also found
by its docket number or its id. Properties narrow a query: `province` (a key, an English
or Chinese name), `authority` (an id or a name) and `listed` (a year): a person
qualifies through one of their published cases.

A batch (at most MAX_BATCH queries) is answered by three statements whatever its size:
which keys some public figure's name holds (SearchText's one per-query probe, asked for
all at once), then one UNION ALL of every query's people, then one of every query's
cases. Each branch is the search's own condition (matching_people()), so better name
matching in search.py reaches reconciliation unchanged.

Scores run from 0 to 100: 100 for an exact match (the query is one of the person's name
forms as written or romanised, the case's docket number or id), else how close the
nearest name form is, at most 99. `match` is true only for an unambiguous exact match:
the one exact candidate of its query.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from types import SimpleNamespace

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Upper
from django.db.models.lookups import Exact

from casefile.authorities.models import Authority, Province
from casefile.cases import visibility
from casefile.cases.filters import MAX_QUERY_LENGTH
from casefile.cases.search import MIN_SUBSTRING_KEY, SearchText
from casefile.core.text import (
    cjk_runs,
    control_character_problem,
    latin_key,
    normalize_line_breaks,
)

MAX_BATCH = 100
DEFAULT_LIMIT = 5
MAX_LIMIT = 25
MAX_SUGGEST = 10
MAX_SUGGEST_CURSOR = 200
EXACT_SCORE = 100
BEST_INEXACT_SCORE = 99

TYPES = {"person": "Person", "case": "Case"}
DEFAULT_TYPE = "person"
PROPERTIES = {
    "province": "Province of the listing authority: a key (hubei), or its name (Hubei, 湖北)",
    "authority": "The listing court or agency: its id, or its name in English or Chinese",
    "listed": "Year listed (2017; a date's year is taken)",
}
QUERY_KEYS = {"query", "type", "limit", "properties", "type_strict"}
PERSON_PREFIX = "person-"


class BatchError(ValueError):
    """A batch that cannot be read: `message` says what and where."""


# --- reading a batch ---------------------------------------------------------------------


@dataclass
class Query:
    key: str
    text: str
    types: list[str]
    limit: int
    provinces: set[str] | None = None  # None: not narrowed; empty: matches nothing
    authorities: list[int | str] | None = None
    years: set[int] | None = None
    narrowable: bool = True  # False once a property value cannot match anything

    @property
    def search(self) -> SearchText | None:
        return SearchText.parse(self.text) if self.narrowable else None


def _province_names() -> dict[str, str]:
    names = {}
    for key, label in Province.choices:
        names[key] = key
        for word in label.split():
            names[word.lower()] = key
    return names


PROVINCE_NAMES = _province_names()


def _values(value) -> list:
    values = value if isinstance(value, list) else [value]
    out = []
    for item in values:
        if isinstance(item, dict):
            item = item.get("id", item.get("name"))
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise BatchError('a property value is a string, a number or {"id": …}')
        out.append(item)
    return out


def _narrow(query: Query, pid: str, value) -> None:
    values = _values(value)
    if pid == "province":
        keys = {PROVINCE_NAMES.get(str(item).strip().lower()) for item in values}
        query.provinces = (query.provinces or set()) | {key for key in keys if key}
        query.narrowable &= bool(query.provinces)
    elif pid == "authority":
        query.authorities = (query.authorities or []) + [
            str(item) if _row_id(item) is None else _row_id(item) for item in values
        ]
    elif pid == "listed":
        years = set()
        for item in values:
            found = re.match(r"^\s*(\d{4})", str(item))
            if found:
                years.add(int(found.group(1)))
        query.years = (query.years or set()) | years
        query.narrowable &= bool(years)


def parse_batch(raw: str) -> list[Query]:
    """The batch of `queries=` as Query objects; BatchError for anything malformed."""
    try:
        batch = json.loads(raw)
    except (TypeError, ValueError):
        raise BatchError("`queries` is not JSON: send an object of queries, "
                         '{"q0": {"query": "Liu Hu", "type": "person"}}.') from None  # fmt: skip
    if not isinstance(batch, dict):
        raise BatchError("`queries` must be a JSON object of queries keyed by your own ids.")
    problem = _text_problem(batch)
    if problem:
        raise BatchError(f"`queries` holds text that cannot be read: {problem}")
    if len(batch) > MAX_BATCH:
        raise BatchError(f"A batch holds at most {MAX_BATCH} queries; this one has {len(batch)}.")
    queries = []
    for key, spec in batch.items():
        queries.append(_parse_query(key, spec))
    return queries


def _text_problem(value) -> str | None:
    """What is wrong with a string anywhere in a parsed JSON batch, keys included: half
    a surrogate pair (JSON may escape one; no database or response holds it) or a
    control character (a NUL cannot even reach PostgreSQL). None when all are sound."""
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return "half a surrogate pair (a lone surrogate escape such as \\ud800)."
        return control_character_problem(normalize_line_breaks(value))
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return None
    return next((problem for item in items if (problem := _text_problem(item))), None)


def _row_id(item) -> int | None:
    """A property value as a row id, if it is one the database can hold."""
    text = str(item).strip() if not isinstance(item, float) else ""
    if isinstance(item, int) or (text.isascii() and text.isdigit()):
        number = int(item) if isinstance(item, int) else int(text)
        return number if 1 <= number < 2**63 else 0
    return None


def _parse_query(key: str, spec) -> Query:
    def fail(message: str):
        raise BatchError(f"Query {key!r}: {message}")

    if not isinstance(spec, dict):
        fail("each query is an object with at least `query` or `properties`.")
    unknown = sorted(set(spec) - QUERY_KEYS)
    if unknown:
        fail(f"unknown member {', '.join(unknown)}; a query has {', '.join(sorted(QUERY_KEYS))}.")
    text = spec.get("query", "")
    if not isinstance(text, str):
        fail("`query` must be a string.")
    problem = control_character_problem(text.replace("\r\n", "\n"))
    if problem:
        fail(f"`query`: {problem}")
    if len(text) > MAX_QUERY_LENGTH:
        fail(f"`query` is longer than {MAX_QUERY_LENGTH} characters.")
    if "query" not in spec and not spec.get("properties"):
        fail("give `query`, or `properties` to match on.")
    types = spec.get("type", DEFAULT_TYPE)
    types = types if isinstance(types, list) else [types]
    if not types or not all(isinstance(t, str) and t in TYPES for t in types):
        fail(f"`type` is one of {', '.join(TYPES)}, or a list of them.")
    limit = spec.get("limit", DEFAULT_LIMIT)
    if (
        isinstance(limit, bool)
        or not isinstance(limit, (int, float))
        or not math.isfinite(limit)
        or limit != int(limit)
    ):
        fail("`limit` must be a whole number.")
    if not 1 <= limit <= MAX_LIMIT:
        fail(f"`limit` runs from 1 to {MAX_LIMIT}.")
    if spec.get("type_strict", "any") not in ("any", "should", "all"):
        fail("`type_strict` is any, should or all.")
    query = Query(key, text, list(dict.fromkeys(types)), int(limit))
    properties = spec.get("properties", [])
    if not isinstance(properties, list):
        fail('`properties` must be a list of {"pid": …, "v": …}.')
    for item in properties:
        if not isinstance(item, dict) or set(item) != {"pid", "v"}:
            fail('each property is {"pid": …, "v": …}.')
        if item["pid"] not in PROPERTIES:
            fail(f"unknown property {item['pid']!r}; properties are {', '.join(PROPERTIES)}.")
        try:
            _narrow(query, item["pid"], item["v"])
        except BatchError as error:
            fail(f"property {item['pid']!r}: {error}.")
    return query


# --- narrowing by properties -----------------------------------------------------------


def _case_condition(query: Query, prefix: str = "") -> Q:
    """The properties as a condition on a case (or on `prefix`-related cases)."""
    condition = Q()
    if query.provinces:
        condition &= Q(**{f"{prefix}authority__province__in": query.provinces})
    if query.authorities:
        ids = [item for item in query.authorities if isinstance(item, int)]
        names = [item for item in query.authorities if isinstance(item, str)]
        by = Q(**{f"{prefix}authority_id__in": ids}) if ids else Q(pk__in=[])
        if names:
            named = Q()
            for name in names:
                named |= Q(name__iexact=name) | Q(name_original=name)
            by |= Q(**{f"{prefix}authority_id__in": Authority.objects.filter(named).values("id")})
        condition &= by
    if query.years:
        condition &= Q(**{f"{prefix}listed_year__in": query.years})
    return condition


# --- matching -------------------------------------------------------------------------------


@dataclass
class Candidate:
    id: str
    name: str
    type: str
    description: str
    score: int
    exact: bool
    match: bool = False

    def as_result(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "score": self.score,
            "match": self.match,
            "type": [{"id": self.type, "name": TYPES[self.type]}],
        }


def prime_name_probes(searches: list[SearchText]) -> None:
    """Answer SearchText.names_contain_key (its one query per search) for every search of
    the batch in one statement, and keep each answer where the search keeps its own."""
    wanted = [s for s in searches if len(s.name_key) >= MIN_SUBSTRING_KEY]
    wanted = [s for s in wanted if "names_contain_key" not in s.__dict__]
    if not wanted:
        return
    parts, params = [], []
    for search in wanted:
        probe = visibility.searchable_people().filter(name_keys__contains=search.name_key)
        sql, probe_params = probe.order_by().values("id")[:1].query.sql_with_params()
        parts.append(f"EXISTS ({sql})")
        params += probe_params
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        answers = cursor.fetchone()
    for search, answer in zip(wanted, answers, strict=True):
        search.__dict__["names_contain_key"] = answer  # where cached_property keeps it


def _name_forms(name_keys: str | None) -> list[str]:
    return (name_keys or "").split()


def name_score(search: SearchText, name_keys: str | None) -> tuple[int, bool]:
    """(score, exact) of a name against the query: exact when the query is one of the
    name's forms; else how close its nearest form is."""
    if not name_keys:
        return 0, False
    pattern = search.exact_name_pattern
    if pattern and re.search(pattern, name_keys):
        return EXACT_SCORE, True
    wanted = [search.name_key, *cjk_runs(search.raw)]
    best = max(
        (
            SequenceMatcher(None, typed, form).ratio()
            for typed in wanted
            if typed
            for form in _name_forms(name_keys)
        ),
        default=0,
    )
    return min(BEST_INEXACT_SCORE, round(best * BEST_INEXACT_SCORE)), False


PERSON_FIELDS = (
    "qkey", "id", "privacy", "name_original", "name_romanized", "pseudonym", "occupation",
    "name_keys", "exact", "public_cases",
)  # fmt: skip
CASE_FIELDS = (
    "qkey", "id", "public_id", "list_name", "listed_on", "listed_on_precision",
    "authority__name", "person__privacy", "person__name_original", "person__name_romanized",
    "person__pseudonym", "searchable_keys", "by_id", "by_docket",
)  # fmt: skip


def _public_case_count():
    cases = visibility.public_cases().filter(person_id=OuterRef("pk")).order_by()
    return Subquery(cases.values("person_id").annotate(n=Count("id")).values("n")[:1])


def _people_branch(query: Query, search: SearchText):
    narrowed = visibility.public_cases().filter(_case_condition(query), person_id=OuterRef("pk"))
    pattern = search.exact_name_pattern
    exact = Q(name_keys__regex=pattern) if pattern else Q(pk__in=[])
    people = (
        search.matching_people()
        .filter(Exists(narrowed))
        .annotate(
            qkey=Value(query.key),
            exact=ExpressionWrapper(exact, output_field=BooleanField()),
            closeness=TrigramWordSimilarity(Value(search.name_key or search.raw), "name_keys"),
            public_cases=_public_case_count(),
        )
        .order_by("-exact", "-closeness", "id")
        .values(*PERSON_FIELDS)
    )
    # More than asked: the nearest forms are scored here, and a second exact
    # candidate makes the first ambiguous.
    return people[: query.limit * 4 + 1]


def _cases_branch(query: Query, search: SearchText):
    by_name = Q(person_id__in=search.matching_people().values("id"))
    by_id = Q(public_id=search.raw.strip().upper())
    by_docket = Q(Exact(Upper("docket_number"), search.docket)) if search.docket else Q(pk__in=[])
    searchable = visibility.searchable_people().filter(pk=OuterRef("person_id"))
    cases = (
        visibility.public_cases()
        .filter(_case_condition(query))
        .filter(by_name | by_id | by_docket)
        .annotate(
            qkey=Value(query.key),
            # The name is scored only where it may be searched: a public figure's.
            searchable_keys=Subquery(searchable.order_by().values("name_keys")[:1]),
            by_id=ExpressionWrapper(by_id, output_field=BooleanField()),
            by_docket=ExpressionWrapper(by_docket, output_field=BooleanField()),
        )
        .order_by("-by_id", "-by_docket", "-listed_on", "id")
        .values(*CASE_FIELDS)
    )
    return cases[: query.limit * 4 + 1]


def _union(branches):
    if not branches:
        return []
    first, *rest = branches
    return list(first.union(*rest, all=True)) if rest else list(first)


def reconcile(queries: list[Query]) -> dict[str, dict]:
    """The batch's answers, {key: {"result": [candidates]}}, best first."""
    searches = {q.key: q.search for q in queries}
    prime_name_probes([s for s in searches.values() if s is not None])
    runnable = [q for q in queries if searches[q.key] is not None]
    people_rows = _union(
        [_people_branch(q, searches[q.key]) for q in runnable if "person" in q.types]
    )
    case_rows = _union([_cases_branch(q, searches[q.key]) for q in runnable if "case" in q.types])
    found: dict[str, list[Candidate]] = {q.key: [] for q in queries}
    for row in people_rows:
        found[row["qkey"]].append(person_candidate(row, searches[row["qkey"]]))
    for row in case_rows:
        found[row["qkey"]].append(case_candidate(row, searches[row["qkey"]]))
    answers = {}
    limits = {q.key: q.limit for q in queries}
    for key, candidates in found.items():
        answers[key] = {"result": [c.as_result() for c in rank(candidates, limits[key])]}
    return answers


def rank(candidates: list[Candidate], limit: int) -> list[Candidate]:
    candidates.sort(key=lambda c: (-c.score, c.name, c.id))
    exact = [c for c in candidates if c.exact]
    if len(exact) == 1:
        exact[0].match = True
    return candidates[:limit]


def person_candidate(row: dict, search: SearchText) -> Candidate:
    score, exact = name_score(search, row["name_keys"])
    if row["exact"]:
        score, exact = EXACT_SCORE, True
    count = row["public_cases"] or 0
    described = [row["occupation"], f"{count} published case{'s' if count != 1 else ''}"]
    return Candidate(
        id=f"{PERSON_PREFIX}{row['id']}",
        name=visibility.public_name(_named(row)),
        type="person",
        description=" · ".join(part for part in described if part),
        score=score,
        exact=exact,
    )


def case_candidate(row: dict, search: SearchText) -> Candidate:
    if row["by_id"] or row["by_docket"]:
        score, exact = EXACT_SCORE, True
    else:
        score, exact = name_score(search, row["searchable_keys"])
    return Candidate(
        id=row["public_id"],
        name=case_name(row),
        type="case",
        description=case_description(row),
        score=score,
        exact=exact,
    )


def _named(row: dict, prefix: str = "") -> SimpleNamespace:
    """A row's person, as visibility.public_name() reads one."""
    fields = ("privacy", "name_original", "name_romanized", "pseudonym")
    return SimpleNamespace(**{name: row[f"{prefix}{name}"] for name in fields})


def case_name(row: dict) -> str:
    from casefile.cases.vocabularies import ListName

    return (
        f"{visibility.public_name(_named(row, 'person__'))}: "
        f"{ListName(row['list_name']).label}, case {row['public_id']}"
    )


def case_description(row: dict) -> str:
    from casefile.core.dates import PartialDate

    parts = [row["authority__name"] or ""]
    if row["listed_on"]:
        listed = PartialDate(row["listed_on"], row["listed_on_precision"])
        parts.append(f"listed {listed.iso}")
    return " · ".join(part for part in parts if part)


# --- suggest --------------------------------------------------------------------------


def suggest_entities(prefix: str, types: list[str], cursor: int) -> list[dict]:
    """Entities whose names start (or contain) the typed text, for autocompletion."""
    query = Query("suggest", prefix, types, min(MAX_LIMIT, cursor + MAX_SUGGEST))
    answer = reconcile([query])["suggest"]["result"][cursor : cursor + MAX_SUGGEST]
    return [
        {
            "id": item["id"],
            "name": item["name"],
            "description": item["description"],
            "notable": item["type"],
        }
        for item in answer
    ]


def suggest_from(options: dict[str, str], prefix: str) -> list[dict]:
    typed = latin_key(prefix)
    return [
        {"id": key, "name": key, "description": description}
        for key, description in options.items()
        if typed in latin_key(key) or typed in latin_key(description)
    ]
