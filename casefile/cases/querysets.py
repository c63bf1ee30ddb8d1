from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchHeadline, SearchRank
from django.core.cache import cache
from django.db import connection, models
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from casefile.cases import visibility
from casefile.cases.search import SearchText
from casefile.core.bulk import AnyOf

# The case's search columns: read by the search, never shown (lists and pages defer them).
SEARCH_COLUMNS = ("search_text", "search_vector", "text_grams")

# Sentinels around highlighted words in a snippet; the page escapes the snippet
# and only then turns them into <mark> (casefile.cases.templatetags).
HIGHLIGHT_START, HIGHLIGHT_STOP = "\x02", "\x03"

ORDERINGS = {
    "relevance": _("Relevance"),
    "-listed": _("Date listed, newest first"),
    "listed": _("Date listed, oldest first"),
    "-amount": _("Amount, largest first"),
    "amount": _("Amount, smallest first"),
}

# Result sets up to this size are counted exactly; larger ones on their sample, one case
# in SAMPLE_MODULUS by id (the partial index case_published_sample, migration 0014).
EXACT_UP_TO = 10_000
SAMPLE_MODULUS = 64
# A result set the planner expects to exceed EXACT_UP_TO this many times over goes to
# its sample directly (the planner's estimates err, but not by a factor of five).
CLEARLY_LARGE = 5

# A search matching more cases than this (and no name) lists them newest first (ordered()).
RANK_UP_TO = 2_000

# Facet counts are cached under the data version (below) and the query's SQL; the
# time limit only bounds what the version cannot see (see data_version()).
FACET_CACHE_SECONDS = 600


def data_version() -> str:
    """A key that changes whenever public search results or counts may have changed
    (one primary-key read; see PublicDataVersion)."""
    return visibility.public_data_version()


def cached_by_data_version(name: str, parts: str, compute):
    """compute(), cached under `name`, the data version and `parts` (e.g. a query's SQL)."""
    digest = hashlib.sha256(f"{data_version()}|{parts}".encode()).hexdigest()
    key = f"casefile:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, FACET_CACHE_SECONDS)
    return value


# Facets counted from columns of the case itself, by one GROUPING SETS query.
GROUPED_FACETS = {
    "list": "list_name",
    "offence": "offence_category",
    "status": "status",
    "year": "listed_year",
    "notified": "notified",
    "authority": "authority_id",
}


def _in_list(column: str, values: list):
    """`column = ANY(values)` as a boolean value, the list sent as one array parameter
    (PostgreSQL plans it as a constant and tests rows against a hash of it)."""
    if not values:
        return Value(False)
    # RawSQL: the list goes to the driver as it is, not through the field's per-item
    # conversion (thousands of ids).
    array = RawSQL("%s::bigint[]", (values,), output_field=ArrayField(models.BigIntegerField()))
    return AnyOf(F(column), array)


class CaseQuerySet(models.QuerySet):
    def published(self):
        """Cases any public surface may show: published, and their person not withheld
        (casefile.cases.visibility, the one rule). Every page, API endpoint, export,
        feed and count starts from here."""
        return self.filter(visibility.public_case_condition())

    def possible_duplicates(self, *, docket_number: str, person_id, authority_id, exclude_pk=None):
        """Cases that may be the same case: the same docket number (ignoring letter case),
        or the same person listed by the same authority. Editors are
        warned, not stopped: two listings can share both."""
        same = models.Q()
        if docket_number.strip():
            same |= models.Q(docket_upper=docket_number.strip().upper())
        if person_id and authority_id:
            same |= models.Q(person_id=person_id, authority_id=authority_id)
        if not same:
            return self.none()
        # Upper() matches the case_docket_upper index.
        candidates = self.alias(docket_upper=Upper("docket_number")).filter(same)
        return candidates.exclude(pk=exclude_pk) if exclude_pk else candidates

    def for_display(self):
        """Rows for lists and pages: related names loaded, search columns left behind."""
        return self.select_related("person", "authority").defer(*SEARCH_COLUMNS)

    def search(self, text: str | SearchText | None):
        """Cases matching a search box, annotated with `name_match`, `name_rank` (2: the
        name is the query itself, "Wang Wei" rather than "Wang Weimin"; 1: the query's
        words are whole words of it, "Chan" of "Chan Wai Keung"; else 0) and `rank`.

        Each way of matching is its own index-bound query; their ids are united
        before the rest of the filters apply.
        """
        search = text if isinstance(text, SearchText) else SearchText.parse(text)
        if search is None:
            return self
        matches = search.name_matches
        by_text = search.matches_case_text()
        if not matches.ids and matches.listed and not self.filter(by_text).exists():
            # Nothing matches as typed, within the other filters: near misses of a name.
            matches = search.near_misses
            search.near_miss = bool(matches.ids) or not matches.listed
        if matches.listed:
            # The people matched are usually few: fetched once, so that each case is then
            # tested against a constant (hashed) list rather than by a subquery per row.
            name_match = _in_list("person_id", matches.ids)
            name_rank = models.Case(
                models.When(_in_list("person_id", matches.exact_ids), then=Value(2)),
                models.When(_in_list("person_id", matches.word_ids), then=Value(1)),
                default=Value(0),
            )
            # One scan: a bitmap OR of the people's cases and the text indexes.
            condition = by_text | Q(name_match) if matches.ids else by_text
        else:
            people_ids = matches.queryset.values("id")
            name_match = Exists(people_ids.filter(id=OuterRef("person_id")))
            regex = search.exact_name_regex()
            name_rank = (
                models.Case(
                    models.When(
                        Exists(people_ids.filter(id=OuterRef("person_id"), name_keys__regex=regex)),
                        then=Value(2),
                    ),
                    default=Value(0),
                )
                if regex and not matches.near_miss
                else Value(0)
            )
            # id = ANY(ARRAY(…)): the matching ids are collected once, first, and the
            # cases then fetched by primary key. (With id IN (…) PostgreSQL may read
            # every case and hash-join the matches instead.)
            by_name = self.model.objects.filter(person_id__in=people_ids).order_by().values("id")
            by_text = self.model.objects.filter(by_text).order_by().values("id")
            condition = AnyOf(F("id"), ArraySubquery(by_name.union(by_text)))
        return self.filter(condition).annotate(
            name_match=name_match,
            name_rank=name_rank,
            rank=SearchRank(F("search_vector"), search.full_text),
        )

    def ordered(
        self, ordering: str | None, *, currency: str | None = None, sort_matches: bool = False
    ):
        """Order by one of ORDERINGS; relevance needs search() first. Always total (by id).

        `sort_matches`: the filters select cases by a column correlated with the listing
        date (cases removed in a period were listed before its end), so the newest-listed
        cases the case_published_listed index reads first may hold none of them and the
        walk would cross most of the archive: newest first is then written in a form no
        index gives — the same order, undated cases last — and PostgreSQL sorts the
        matches its filters' index finds (2 s → 20 ms for two years of removals at a
        million cases).

        Relevance: cases of the names matched first (the name itself, then names holding
        the query's words, then others), then by full-text rank. When no name matched and
        the words are found in more than RANK_UP_TO cases, every one of them holds the
        words and their ranks say little: they come newest first, read in the order of the
        case_published_listed index, so that the first page costs what a page of the
        unfiltered list costs rather than a rank of each of the matches."""
        if ordering == "relevance" and "rank" in self.query.annotations:
            if self._ranks_too_many():
                return self.order_by(F("listed_on").desc(nulls_last=True), "-id")
            return self.order_by(
                "-name_match", "-name_rank", "-rank", F("listed_on").desc(nulls_last=True), "-id"
            )
        if ordering in ("amount", "-amount"):
            from casefile.cases.models import Amount

            largest = Amount.objects.filter(case=OuterRef("pk"))
            if currency:
                largest = largest.filter(currency=currency)
            largest = largest.order_by().values("case").annotate(top=Max("value")).values("top")
            sort_key = Subquery(largest)
            direction = (
                sort_key.desc(nulls_last=True)
                if ordering == "-amount"
                else sort_key.asc(nulls_last=True)
            )
            return self.order_by(direction, "-id")
        if ordering == "listed":
            return self.order_by(F("listed_on").asc(nulls_last=True), "id")
        if sort_matches:
            undated = ExpressionWrapper(Q(listed_on__isnull=True), output_field=BooleanField())
            return self.order_by(undated.asc(), F("listed_on").desc(nulls_last=True), "-id")
        return self.order_by(F("listed_on").desc(nulls_last=True), "-id")

    def _ranks_too_many(self) -> bool:
        """No name matched, and the planner expects more than RANK_UP_TO cases to rank
        (its statistics of the search vector's words are good for common words, which
        are the ones that matter here; counting them would cost as much as ranking)."""
        name_match = self.query.annotations.get("name_match")
        if not (isinstance(name_match, Value) and name_match.value is False):
            return False
        return self.estimated_count() > RANK_UP_TO

    def estimated_count(self) -> int:
        """The planner's estimate of how many rows this queryset holds (one EXPLAIN)."""
        sql, params = self.order_by().values("id").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def with_snippet(self, text: str | SearchText | None):
        """Annotate `snippet`: a short extract with the matched English words between
        HIGHLIGHT_START and HIGHLIGHT_STOP. Costly: apply to one page of rows."""
        search = text if isinstance(text, SearchText) else SearchText.parse(text)
        if search is None:
            return self.annotate(snippet=F("summary"))
        return self.annotate(
            snippet=SearchHeadline(
                "summary",
                search.full_text,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=40,
                min_words=20,
                config="english",
            )
        )

    def facet_counts(self, *, cached: bool = True) -> dict[str, Counter]:
        """Exact counts of this result set by every facet, in one scan of it; cached under
        the data version and the query (cached=False always counts afresh).

        Returns {"restriction": Counter({"air_travel": 12, ...}), "list": ..., "offence": ...,
        "status": ..., "year": Counter({2017: 3, None: 1}), "notified": Counter({True: 2,
        False: 1, None: 4}), "province": Counter({"hubei": 5, "": 2})}; the statuses add
        up to the number of cases. Pages count with counted(), which estimates large sets.
        """
        if cached:
            sql, params = self.query.sql_with_params()
            return cached_by_data_version(
                "facets", f"{sql}|{params!r}", lambda: self.facet_counts(cached=False)
            )
        return _typed_facets(self._grouped_counts())

    def counted(self, *, everything: bool = False, cached: bool = True) -> FacetCounts:
        """The size of this result set and its counts by every facet, as pages show them:
        exact up to EXACT_UP_TO cases, estimated from the sample beyond (one case in
        SAMPLE_MODULUS, by id: case_published_sample), and read from FacetRollup when the
        result set is every public case (`everything`: no filter at all). Cached under
        the data version and the query."""
        if cached:
            sql, params = self.query.sql_with_params()
            return cached_by_data_version(
                "counted",
                f"{everything}|{sql}|{params!r}",
                lambda: self.counted(everything=everything, cached=False),
            )
        if everything:
            return _rollup_counts()
        # A set the planner expects to be many times the limit is not counted up to it
        # first (10,001 wide rows cost a third of a second at a million cases).
        if self.estimated_count() <= CLEARLY_LARGE * EXACT_UP_TO:
            raw = self._grouped_counts(limit=EXACT_UP_TO + 1)
            total = sum(raw["status"].values())
            if total <= EXACT_UP_TO:
                return FacetCounts(_typed_facets(raw), total)
        sample = self.alias(_sample=sample_key())._grouped_counts(sample=True)
        scaled = {
            name: Counter({value: count * SAMPLE_MODULUS for value, count in counter.items()})
            for name, counter in sample.items()
        }
        estimate = max(sum(scaled["status"].values()), EXACT_UP_TO + 1)
        return FacetCounts(_typed_facets(scaled), estimate, estimated=True)

    def _grouped_counts(self, *, limit: int | None = None, sample: bool = False):
        """Raw counts by facet of the rows matched (at most `limit` of them; the sample's
        with `sample`), in one scan: the small vocabularies together (a few thousand
        combinations at most), the authorities, and each combination of restriction kinds
        as a whole (few distinct ones); the sums per facet are taken here."""
        matched = self.order_by()
        if sample:
            matched = matched.filter(_sample=0)
        matched = matched.values("restriction_kinds", *GROUPED_FACETS.values())
        if limit is not None:
            matched = matched[:limit]
        inner_sql, params = matched.query.sql_with_params()
        small = [column for column in GROUPED_FACETS.values() if column != "authority_id"]
        sql = f"""
            SELECT {", ".join(small)}, authority_id, restriction_kinds,
                   GROUPING(authority_id), GROUPING(restriction_kinds), count(*)
            FROM ({inner_sql}) AS matched
            GROUP BY GROUPING SETS (({", ".join(small)}), (authority_id), (restriction_kinds))
        """
        names = [name for name, column in GROUPED_FACETS.items() if column != "authority_id"]
        counts: dict[str, Counter] = defaultdict(Counter)
        counts["status"]  # present even when nothing matched
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for *values, authority, kinds, by_authority, by_kinds, count in cursor.fetchall():
                if by_kinds == 0:
                    for kind in kinds:
                        counts["restriction"][kind] += count
                elif by_authority == 0:
                    counts["authority"][authority] += count
                else:
                    for name, value in zip(names, values, strict=True):
                        counts[name][value] += count
        return counts


def sample_key():
    """mod(id, SAMPLE_MODULUS), as the predicate of case_published_sample writes it (= 0)."""
    return models.Func(
        F("id"), Value(SAMPLE_MODULUS), function="mod", output_field=models.BigIntegerField()
    )


@dataclass(frozen=True)
class FacetCounts:
    """A result set's size and its counts by facet (facet_counts()'s shape); `estimated`
    when they were scaled up from the sample."""

    facets: dict[str, Counter]
    total: int
    estimated: bool = False


# The running counts are folded into one row per value once they hold more rows than this.
COMPACT_ROLLUP_ABOVE = 2_000


def _rollup_counts() -> FacetCounts:
    """Every public case's counts: FacetRollup's rows added up (kept by the database)."""
    from django.db.models import Count, Sum

    from casefile.cases.models import FacetRollup

    typed = {
        "year": lambda v: int(v) if v else None,
        "notified": lambda v: {"true": True, "false": False}.get(v),
        "authority": lambda v: int(v) if v else None,
    }
    sums = (
        FacetRollup.objects.order_by()
        .values_list("facet", "value")
        .annotate(total=Sum("count"), rows=Count("id"))
    )
    raw: dict[str, Counter] = defaultdict(Counter)
    raw["status"]
    rows = 0
    for facet, value, total, count in sums:
        rows += count
        if total:
            raw[facet][typed.get(facet, str)(value)] += total
    if rows > COMPACT_ROLLUP_ABOVE:
        with connection.cursor() as cursor:
            cursor.execute("SELECT casefile_compact_facet_rollup()")
    facets = _typed_facets(raw)
    return FacetCounts(facets, sum(facets["status"].values()))


def _typed_facets(raw: dict[str, Counter]) -> dict[str, Counter]:
    from casefile.authorities.models import Authority

    facets = {name: Counter() for name in ("restriction", *GROUPED_FACETS, "province")}
    for name in ("restriction", "list", "offence", "status", "year", "notified"):
        facets[name].update(raw.get(name, {}))
    by_authority = raw.get("authority", {})
    provinces = dict(
        Authority.objects.filter(id__in=[a for a in by_authority if a]).values_list(
            "id", "province"
        )
    )
    for authority_id, count in by_authority.items():
        facets["province"][provinces.get(authority_id, "")] += count
    facets.pop("authority")
    return facets
