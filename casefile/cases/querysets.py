from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchHeadline, SearchRank
from django.core.cache import cache
from django.db import connection, models
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper

from casefile.cases import visibility
from casefile.cases.search import SearchText
from casefile.core.bulk import AnyOf

# Sentinels around highlighted words in a snippet; the page escapes the snippet
# and only then turns them into <mark> (casefile.cases.templatetags).
HIGHLIGHT_START, HIGHLIGHT_STOP = "\x02", "\x03"

ORDERINGS = {
    "relevance": "Relevance",
    "-listed": "Date listed, newest first",
    "listed": "Date listed, oldest first",
    "-amount": "Amount, largest first",
    "amount": "Amount, smallest first",
}

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


# Up to this many people matched by name are listed in the query as constants.
MAX_LISTED_NAME_MATCHES = 5000


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
        return self.select_related("person", "authority").defer("search_vector", "text_grams")

    def search(self, text: str | SearchText | None):
        """Cases matching a search box, annotated with `name_match`, `name_exact` (the
        name is the query itself, "Wang Wei" rather than "Wang Weimin") and `rank`.

        Each way of matching is its own index-bound query; their ids are united
        before the rest of the filters apply.
        """
        search = text if isinstance(text, SearchText) else SearchText.parse(text)
        if search is None:
            return self
        people = search.matching_people()
        # The people matched are usually few: fetch them once, so that each case is then
        # tested against a constant (hashed) list rather than by a subquery per row.
        matched = list(people.values_list("id", "name_keys")[: MAX_LISTED_NAME_MATCHES + 1])
        listed = len(matched) <= MAX_LISTED_NAME_MATCHES
        if listed:
            pattern = re.compile(search.exact_name_pattern) if search.exact_name_pattern else None
            ids = [pk for pk, _ in matched]
            exact = [pk for pk, keys in matched if pattern and pattern.search(keys)]
            by_person = Q(_in_list("person_id", ids)) if ids else None
            name_match, name_exact = _in_list("person_id", ids), _in_list("person_id", exact)
        else:
            people_ids = people.values("id")
            by_person = Q(person_id__in=people_ids)
            name_match = Exists(people_ids.filter(id=OuterRef("person_id")))
            name_exact = (
                Exists(
                    people_ids.filter(
                        id=OuterRef("person_id"), name_keys__regex=search.exact_name_pattern
                    )
                )
                if search.exact_name_pattern
                else Value(False)
            )
        by_text = search.matches_case_text()
        if listed:
            # One scan: a bitmap OR of the people's cases and the text indexes.
            condition = by_text if by_person is None else by_text | by_person
        else:
            # id = ANY(ARRAY(…)): the matching ids are collected once, first, and the
            # cases then fetched by primary key. (With id IN (…) PostgreSQL may read
            # every case and hash-join the matches instead.)
            by_name = self.model.objects.filter(by_person).order_by().values("id")
            by_text = self.model.objects.filter(by_text).order_by().values("id")
            condition = AnyOf(F("id"), ArraySubquery(by_name.union(by_text)))
        return self.filter(condition).annotate(
            name_match=name_match,
            name_exact=name_exact,
            rank=SearchRank(F("search_vector"), search.full_text),
        )

    def ordered(self, ordering: str | None, *, currency: str | None = None):
        """Order by one of ORDERINGS; relevance needs search() first. Always total (by id)."""
        if ordering == "relevance" and "rank" in self.query.annotations:
            return self.order_by(
                "-name_match", "-name_exact", "-rank", F("listed_on").desc(nulls_last=True), "-id"
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
        return self.order_by(F("listed_on").desc(nulls_last=True), "-id")

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
        """Counts of this result set by every facet, in one scan of it; cached under
        the data version and the query (cached=False always counts afresh).

        Returns {"restriction": Counter({"air_travel": 12, ...}), "list": ..., "offence": ...,
        "status": ..., "year": Counter({2017: 3, None: 1}), "notified": Counter({True: 2,
        False: 1, None: 4}), "province": Counter({"hubei": 5, "": 2})}; the statuses add
        up to the number of cases.
        """
        if cached:
            sql, params = self.query.sql_with_params()
            return cached_by_data_version(
                "facets", f"{sql}|{params!r}", lambda: self.facet_counts(cached=False)
            )
        matched = self.order_by().values("restriction_kinds", *GROUPED_FACETS.values())
        inner_sql, params = matched.query.sql_with_params()
        # One scan, three groupings: the small vocabularies together (a few thousand
        # combinations at most), the authorities, and each combination of restriction
        # kinds as a whole (few distinct ones); the sums per facet are taken here.
        small = [column for column in GROUPED_FACETS.values() if column != "authority_id"]
        sql = f"""
            SELECT {", ".join(small)}, authority_id, restriction_kinds,
                   GROUPING(authority_id), GROUPING(restriction_kinds), count(*)
            FROM ({inner_sql}) AS matched
            GROUP BY GROUPING SETS (({", ".join(small)}), (authority_id), (restriction_kinds))
        """
        names = [name for name, column in GROUPED_FACETS.items() if column != "authority_id"]
        counts: dict[str, Counter] = defaultdict(Counter)
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
        return _typed_facets(counts)


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
