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

A batch (at most MAX_BATCH queries) is answered by at most six statements whatever its
size (reconcile() says which): one UNION ALL of every query's people, one of every
query's cases, one for cases by docket number or id, and for the names not found, which
keys some public figure's name holds (SearchText's one probe per search, asked for all
at once) and people and cases again for near misses. Each branch is built from the
search's own condition (SearchText.matching_people()) and visibility's public cases, so
better name matching in search.py reaches reconciliation unchanged.

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
from types import SimpleNamespace

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Upper

from casefile.authorities.models import Authority, Province
from casefile.cases import visibility
from casefile.cases.filters import MAX_QUERY_LENGTH
from casefile.cases.search import SearchText, index_scans_only
from casefile.core.text import (
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


def name_score(search: SearchText, name_keys: str | None, closeness: float | None):
    """(score, exact) of a name against the query: exact when the query is one of the
    name's forms; else how close its nearest form is (pg_trgm's word similarity)."""
    if not name_keys:
        return 0, False
    pattern = search.exact_name_regex()
    if pattern and re.search(pattern, name_keys):
        return EXACT_SCORE, True
    return min(BEST_INEXACT_SCORE, round((closeness or 0) * BEST_INEXACT_SCORE)), False


PERSON_FIELDS = (
    "qkey", "id", "privacy", "name_original", "name_romanized", "pseudonym", "occupation",
    "name_keys", "exact", "closeness", "public_cases",
)  # fmt: skip
CASE_FIELDS = (
    "qkey", "id", "public_id", "list_name", "listed_on", "listed_on_precision",
    "authority__name", "person__privacy", "person__name_original", "person__name_romanized",
    "person__pseudonym", "searchable_keys", "closeness",
)  # fmt: skip
PERSON_COLUMNS = ("id", "privacy", "name_original", "name_romanized", "pseudonym", "occupation",
                  "name_keys")  # fmt: skip
CASE_COLUMNS = ("id", "public_id", "list_name", "listed_on", "listed_on_precision", "person_id",
                "authority_id")  # fmt: skip


def _sql(queryset) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _fetched(query: Query) -> int:
    """Rows a branch fetches: the candidates asked for, and one more, so that a second
    exact match (which sorts first) makes the first ambiguous."""
    return query.limit + 1


def _narrowed(query: Query) -> bool:
    return bool(query.provinces or query.authorities or query.years)


def _cases_of_candidates(query: Query | None = None) -> tuple[str, list]:
    """The public cases of candidate people, as SQL: candidates come from
    matching_people(), public figures, so visibility's rule for shown people applies."""
    cases = visibility.public_cases_of_shown_people()
    if query is not None and _narrowed(query):
        cases = cases.filter(_case_condition(query))
    return _sql(cases.order_by().values(*CASE_COLUMNS))


# A batch's branches are SQL put together from the querysets that decide what they hold:
# SearchText.matching_people() for each query's people (the search's own name matching)
# and visibility's public cases. Building and compiling a hundred querysets of a hundred
# clauses each would cost more than running them.
# A candidate is a person with a public case (with the query's properties, if it has
# some); each comes with the number of their public cases.
PEOPLE_BRANCH = """
(SELECT %s, p.id, p.privacy, p.name_original, p.name_romanized, p.pseudonym, p.occupation,
        p.name_keys, {exact} AS exact, word_similarity(%s, p.name_keys) AS closeness,
        counted.n
 FROM ({people}) AS p
 CROSS JOIN LATERAL (
     SELECT count(*) AS n FROM ({all_cases}) AS c WHERE c.person_id = p.id
 ) AS counted
 WHERE counted.n > 0 {narrowed}
 ORDER BY 9 DESC, 10 DESC, p.id
 LIMIT %s)
"""
NARROWED = "AND EXISTS (SELECT 1 FROM ({cases}) AS c WHERE c.person_id = p.id)"
CASES_BRANCH = """
(SELECT %s, c.id, c.public_id, c.list_name, c.listed_on, c.listed_on_precision, a.name,
        p.privacy, p.name_original, p.name_romanized, p.pseudonym, p.name_keys,
        word_similarity(%s, p.name_keys) AS closeness
 FROM ({cases}) AS c
 JOIN people_person AS p ON p.id = c.person_id
 LEFT JOIN authorities_authority AS a ON a.id = c.authority_id
 WHERE c.person_id = ANY(ARRAY({people}))
 ORDER BY 13 DESC, c.listed_on DESC NULLS LAST, c.id
 LIMIT %s)
"""


def _people_branch(query: Query, search: SearchText, all_cases, near) -> tuple[str, list]:
    people = search.matching_people(near_misses=near)
    people, people_params = _sql(people.order_by().values(*PERSON_COLUMNS))
    narrowed, narrowed_params = "", []
    if _narrowed(query):
        cases, narrowed_params = _cases_of_candidates(query)
        narrowed = NARROWED.format(cases=cases)
    pattern = search.exact_name_regex()
    exact = "p.name_keys ~ %s" if pattern else "false"
    sql = PEOPLE_BRANCH.format(
        exact=exact, people=people, all_cases=all_cases[0], narrowed=narrowed
    )
    params = [query.key, *([pattern] if pattern else []), search.name_key or search.raw,
              *people_params, *all_cases[1], *narrowed_params, _fetched(query)]  # fmt: skip
    return sql, params


def _cases_branch(query: Query, search: SearchText, all_cases, near) -> tuple[str, list]:
    """The public cases of the public figures a query's name matches: the people are
    collected first (ARRAY(…)), then their cases read by the person index."""
    people = search.matching_people(near_misses=near)
    people, people_params = _sql(people.order_by().values("id"))
    cases, cases_params = _cases_of_candidates(query) if _narrowed(query) else all_cases
    sql = CASES_BRANCH.format(cases=cases, people=people)
    params = [query.key, search.name_key or search.raw, *cases_params, *people_params,
              _fetched(query)]  # fmt: skip
    return sql, params


def _union(branches: list[tuple[str, list]], fields) -> list[dict]:
    if not branches:
        return []
    sql = " UNION ALL ".join(branch for branch, _ in branches)
    params = [param for _, branch_params in branches for param in branch_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]


def _match(
    queries: list[Query], searches: dict[str, SearchText], *, near: bool = False
) -> list[tuple[str, dict]]:
    """("person" | "case", row) of every query's candidates by name, as typed or (`near`)
    their near misses: two statements."""
    all_cases = _cases_of_candidates()
    people = _union(
        [
            _people_branch(q, searches[q.key], all_cases, near)
            for q in queries
            if "person" in q.types
        ],
        PERSON_FIELDS,
    )
    cases = _union(
        [_cases_branch(q, searches[q.key], all_cases, near) for q in queries if "case" in q.types],
        CASE_FIELDS,
    )
    return [("person", row) for row in people] + [("case", row) for row in cases]


def _cases_by_number(queries: list[Query]) -> dict[str, list[dict]]:
    """Cases whose docket number or id is a query's text, for every case query of the
    batch in one statement; each query's properties then narrow its own."""
    wanted = {}
    for query in queries:
        search = query.search
        wanted[query.key] = (search.raw.strip().upper(), search.docket)
    ids = sorted({public_id for public_id, _ in wanted.values()})
    dockets = sorted({docket for _, docket in wanted.values() if docket})
    rows = (
        visibility.public_cases()
        .alias(docket_upper=Upper("docket_number"))
        .filter(Q(public_id__in=ids) | Q(docket_upper__in=dockets))
        .annotate(docket_key=Upper("docket_number"))
        .values(
            *[f for f in CASE_FIELDS if f not in ("qkey", "searchable_keys", "closeness")],
            "docket_key",
            "authority_id",
            "authority__province",
            "authority__name_original",
            "listed_year",
        )
    )
    rows = list(rows[: MAX_BATCH * MAX_LIMIT])
    found: dict[str, list[dict]] = {}
    for query in queries:
        public_id, docket = wanted[query.key]
        for row in rows:
            if (row["public_id"] == public_id or row["docket_key"] == docket) and _has(query, row):
                found.setdefault(query.key, []).append(
                    {**row, "qkey": query.key, "searchable_keys": None, "closeness": None,
                     "by_number": True}
                )  # fmt: skip
    return found


def _has(query: Query, row: dict) -> bool:
    """Whether a case row has the query's properties (_case_condition, in Python)."""
    if query.provinces and row["authority__province"] not in query.provinces:
        return False
    if query.years and row["listed_year"] not in query.years:
        return False
    if query.authorities:
        names = {str(item).lower() for item in query.authorities if isinstance(item, str)}
        by_name = (row["authority__name"] or "").lower() in names or (
            row["authority__name_original"] in {str(i) for i in query.authorities}
        )
        if row["authority_id"] not in query.authorities and not by_name:
            return False
    return True


def reconcile(queries: list[Query]) -> dict[str, dict]:
    """The batch's answers, {key: {"result": [candidates]}}, best first.

    As the search box does: names are matched as typed, for every query of the batch in
    one statement; only the queries that found nothing are matched again by their near
    misses (one more statement, read by index as SearchText.near_misses is)."""
    runnable = [q for q in queries if q.search is not None]
    searches = {query.key: query.search for query in runnable}
    found: dict[str, list[Candidate]] = {q.key: [] for q in queries}
    rows = _match(runnable, searches)
    numbered = _cases_by_number([q for q in runnable if "case" in q.types])
    unfound = {key for key in searches if key not in numbered} - {row["qkey"] for _, row in rows}
    if unfound:
        with index_scans_only():
            rows += _match([q for q in runnable if q.key in unfound], searches, near=True)
    for kind, row in rows:
        make = person_candidate if kind == "person" else case_candidate
        found[row["qkey"]].append(make(row, searches[row["qkey"]]))
    for key, rows_by_number in numbered.items():  # exact: they replace the same by name
        by_number = {row["public_id"] for row in rows_by_number}
        found[key] = [c for c in found[key] if c.id not in by_number]
        found[key] += [case_candidate(row, searches[key]) for row in rows_by_number]
    limits = {q.key: q.limit for q in queries}
    return {
        key: {"result": [c.as_result() for c in rank(candidates, limits[key])]}
        for key, candidates in found.items()
    }


def rank(candidates: list[Candidate], limit: int) -> list[Candidate]:
    candidates.sort(key=lambda c: (-c.score, c.type != "person", c.name, c.id))
    exact = [c for c in candidates if c.exact]
    if len(exact) == 1:
        exact[0].match = True
    return candidates[:limit]


def person_candidate(row: dict, search: SearchText) -> Candidate:
    score, exact = name_score(search, row["name_keys"], row["closeness"])
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
    if row.get("by_number"):
        score, exact = EXACT_SCORE, True
    else:
        score, exact = name_score(search, row["searchable_keys"], row["closeness"])
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
