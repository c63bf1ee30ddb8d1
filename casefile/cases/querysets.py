from __future__ import annotations

from collections import Counter, defaultdict

from django.contrib.postgres.search import SearchHeadline, SearchRank
from django.db import connection, models
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery

from casefile.cases.search import SearchText
from casefile.cases.vocabularies import PublicationState
from casefile.people.models import Person, Privacy

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

# Facets counted from columns of the case itself, by one GROUPING SETS query.
GROUPED_FACETS = {
    "list": "list_name",
    "offence": "offence_category",
    "status": "status",
    "year": "listed_year",
    "notified": "notified",
    "authority": "authority_id",
}


class CaseQuerySet(models.QuerySet):
    def published(self):
        """Cases any public surface may show: published, and their person not withheld.

        Every page, API endpoint, export, feed and count starts from here. The
        withheld people are few, so the test is a hashed anti-join, not a join.
        """
        withheld = Person.objects.filter(privacy=Privacy.WITHHELD).values("id")
        return self.filter(publication_state=PublicationState.PUBLISHED).exclude(
            person_id__in=withheld
        )

    def not_published(self):
        """Every case published() leaves out (its complement, row by row): what the
        change feed reports as tombstones. Kept beside published() so the two agree."""
        withheld = Person.objects.filter(privacy=Privacy.WITHHELD).values("id")
        return self.filter(
            ~Q(publication_state=PublicationState.PUBLISHED) | Q(person_id__in=withheld)
        )

    def for_display(self):
        """Rows for lists and pages: related names loaded, search columns left behind."""
        return self.select_related("person", "authority").defer("search_vector", "text_grams")

    def search(self, text: str | SearchText | None):
        """Cases matching a search box, annotated with `name_match` and `rank`.

        Each way of matching is its own index-bound query; their ids are united
        before the rest of the filters apply.
        """
        search = text if isinstance(text, SearchText) else SearchText.parse(text)
        if search is None:
            return self
        people = search.matching_people().values("id")
        by_name = self.model.objects.filter(person_id__in=people).order_by().values("id")
        by_text = self.model.objects.filter(search.matches_case_text()).order_by().values("id")
        return self.filter(id__in=by_name.union(by_text)).annotate(
            name_match=Exists(people.filter(id=OuterRef("person_id"))),
            rank=SearchRank(F("search_vector"), search.full_text),
        )

    def ordered(self, ordering: str | None, *, currency: str | None = None):
        """Order by one of ORDERINGS; relevance needs search() first. Always total (by id)."""
        if ordering == "relevance" and "rank" in self.query.annotations:
            return self.order_by(
                "-name_match", "-rank", F("listed_on").desc(nulls_last=True), "-id"
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

    def facet_counts(self) -> dict[str, Counter]:
        """Counts of this result set by every facet, in two scans of it.

        Returns {"restriction": Counter({"air_travel": 12, ...}), "list": ..., "offence": ...,
        "status": ..., "year": Counter({2017: 3, None: 1}), "notified": Counter({True: 2,
        False: 1, None: 4}), "province": Counter({"hubei": 5, "": 2})}; the statuses add
        up to the number of cases.
        """
        matched = self.order_by().values("restriction_kinds", *GROUPED_FACETS.values())
        inner_sql, params = matched.query.sql_with_params()
        columns = list(GROUPED_FACETS.values())
        pick = " ".join(f"WHEN GROUPING({column}) = 0 THEN {column}::text" for column in columns)
        facet = " ".join(
            f"WHEN GROUPING({column}) = 0 THEN '{name}'" for name, column in GROUPED_FACETS.items()
        )
        sets = ", ".join(f"({column})" for column in columns)
        sql = f"""
            SELECT 'restriction', kind, count(*)
            FROM ({inner_sql}) AS matched, unnest(matched.restriction_kinds) AS kind
            GROUP BY kind
            UNION ALL
            SELECT CASE {facet} END, CASE {pick} END, count(*)
            FROM ({inner_sql}) AS matched
            GROUP BY GROUPING SETS ({sets})
        """
        counts: dict[str, Counter] = defaultdict(Counter)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *params])
            for name, value, count in cursor.fetchall():
                counts[name][value] = count
        return _typed_facets(counts)


def _typed_facets(raw: dict[str, Counter]) -> dict[str, Counter]:
    from casefile.authorities.models import Authority

    facets = {name: Counter() for name in ("restriction", *GROUPED_FACETS, "province")}
    for name in ("restriction", "list", "offence", "status"):
        facets[name].update(raw.get(name, {}))
    for value, count in raw.get("year", {}).items():
        facets["year"][int(value) if value is not None else None] = count
    for value, count in raw.get("notified", {}).items():
        facets["notified"][{"true": True, "false": False}.get(value)] = count
    by_authority = raw.get("authority", {})
    provinces = dict(
        Authority.objects.filter(id__in=[int(a) for a in by_authority if a]).values_list(
            "id", "province"
        )
    )
    for authority_id, count in by_authority.items():
        province = provinces.get(int(authority_id), "") if authority_id else ""
        facets["province"][province] += count
    facets.pop("authority")
    return facets
