"""`make bench-pages`: time the search pages at scale, through Django's test client.

Runs on the benchmark database's synthetic cases (casefile.cases.benchmark; generated
first when the database does not hold --cases of them). Each page is requested once
with an empty cache (cold), then repeatedly with the facet counts cached (warm), then
repeatedly with the cache emptied before every request (uncached: the full SQL cost
every time). Times are of the whole request, template rendering included. The SQL
queries of one request are counted, warm and uncached, beside the number of results,
and the last line says whether they grow with it.
"""

import itertools
import time

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casefile.cases.benchmark import dataset, ensure_synthetic_cases, machine, percentiles
from casefile.cases.filters import CaseFilter
from casefile.cases.models import Case

PAGES = [
    ("pinyin name", "/cases/?q=wang+wei"),
    ("Chinese name, 2 chars", "/cases/?q=王伟"),
    ("full text", "/cases/?q=kindergarten"),
    ("full text, common word", "/cases/?q=mortgage"),
    ("two facets", "/cases/?restriction=high_speed_rail&province=guangdong"),
    ("unfiltered + all facets", "/cases/"),
    ("two facets, page 5", "/cases/?restriction=air_travel&offence=unpaid_debt&page=5"),
    ("one rare facet", "/cases/?restriction=ringback_tone"),
    ("case page", "/cases/{case}/"),
    # The same pages in Chinese (/zh-hans/): translated labels, Chinese dates and names.
    ("zh: pinyin name", "/zh-hans/cases/?q=wang+wei"),
    ("zh: Chinese name, 2 chars", "/zh-hans/cases/?q=王伟"),
    ("zh: full text", "/zh-hans/cases/?q=kindergarten"),
    ("zh: two facets", "/zh-hans/cases/?restriction=high_speed_rail&province=guangdong"),
    ("zh: unfiltered + facets", "/zh-hans/cases/"),
    ("zh: case page", "/zh-hans/cases/{case}/"),
]


# The English search pages without a search: their query counts must not grow.
ENGLISH_SEARCHES = {label for label, url in PAGES if url.startswith("/cases/?") or url == "/cases/"}


class Command(BaseCommand):
    help = "Benchmark the search pages; generates the synthetic cases first when needed."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--seed", type=int, default=2018)

    def handle(self, *args, cases, repeat, seed, **options):
        ensure_synthetic_cases(cases, seed=seed, stdout=self.stdout)
        client = Client()
        self.stdout.write(f"\nSearch pages: {dataset()}")
        self.stdout.write(f"{repeat} requests per column; ms; {machine()}\n")
        header = (
            f"{'page':<26}{'results':>9}{'cold':>8}{'warm p50':>10}{'warm p95':>10}"
            f"{'uncached p50':>14}{'uncached p95':>14}{'queries warm/uncached':>23}"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        queries = {}  # results -> uncached query count, for pages without a search
        newest = Case.objects.published().order_by("-id").values_list("public_id", flat=True)
        for label, url in PAGES:
            url = url.format(case=newest.first())
            cache.clear()
            if client.get(url).status_code == 404:
                self.stdout.write(f"{label:<26}  (no such page with this few cases)")
                continue
            cache.clear()
            cold, _ = self.timed(client, url)
            warm = [self.timed(client, url)[0] for _ in range(repeat)]
            with CaptureQueriesContext(connection) as warm_queries:
                self.timed(client, url)
            uncached = []
            for _ in range(repeat):
                cache.clear()
                uncached.append(self.timed(client, url)[0])
            cache.clear()
            with CaptureQueriesContext(connection) as uncached_queries:
                self.timed(client, url)
            results = self.results(url)
            if "q=" not in url and label in ENGLISH_SEARCHES:
                queries[results] = len(uncached_queries)
            (warm_p50, warm_p95), (uncached_p50, uncached_p95) = (
                percentiles(warm),
                percentiles(uncached),
            )
            self.stdout.write(
                f"{label:<26}{results:>9,}{cold:>8.0f}{warm_p50:>10.0f}{warm_p95:>10.0f}"
                f"{uncached_p50:>14.0f}{uncached_p95:>14.0f}"
                f"{len(warm_queries):>12}/{len(uncached_queries)}"
            )
        counts = ", ".join(f"{n} for {results:,} results" for results, n in sorted(queries.items()))
        ordered = [n for results, n in sorted(queries.items()) if results]
        grows = any(later > earlier for earlier, later in itertools.pairwise(ordered))
        verdict = "GROW with the number of results" if grows else "do not grow with results"
        self.stdout.write(f"\nQueries per uncached facet page {verdict}: {counts}")
        self.stdout.write(f"Done; {machine()}")

    def timed(self, client, url):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return elapsed, response

    @staticmethod
    def results(url: str) -> int:
        if "?" not in url and url.rstrip("/") != "/cases" and not url.endswith("/cases/"):
            return 1  # a case page
        filterset = CaseFilter(QueryDict(url.partition("?")[2]), queryset=Case.objects.published())
        filterset.is_valid()
        return sum(filterset.qs.facet_counts()["status"].values())
