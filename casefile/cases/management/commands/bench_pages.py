"""`make bench`: time the search pages at scale, through Django's test client.

Each page is requested once with an empty cache (cold), then repeatedly with the
facet counts cached (warm), then repeatedly with the cache emptied before every
request (uncached: the full SQL cost every time). Times are of the whole request,
template rendering included.
"""

import math
import statistics
import time

from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

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
]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Command(BaseCommand):
    help = "Benchmark the search pages; generates the synthetic cases first when needed."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--seed", type=int, default=2018)

    def handle(self, *args, cases, repeat, seed, **options):
        have = Case.objects.count()
        if have != cases:
            self.stdout.write(f"The database holds {have:,} cases; generating {cases:,}…")
            started = time.perf_counter()
            call_command("generate_cases", cases, seed=seed, replace=True, stdout=self.stdout)
            self.stdout.write(f"Generation took {time.perf_counter() - started:.0f} s.")
        client = Client()
        name = connection.settings_dict["NAME"]
        self.stdout.write(
            f"\n{cases:,} cases in database {name!r}; {repeat} requests per column; ms.\n"
        )
        header = (
            f"{'page':<26}{'results':>9}{'cold':>8}{'warm p50':>10}{'warm p95':>10}"
            f"{'uncached p50':>14}{'uncached p95':>14}{'queries warm/uncached':>23}"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for label, url in PAGES:
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
            self.stdout.write(
                f"{label:<26}{self.results(url):>9,}{cold:>8.0f}"
                f"{statistics.median(warm):>10.0f}{percentile(warm, 0.95):>10.0f}"
                f"{statistics.median(uncached):>14.0f}{percentile(uncached, 0.95):>14.0f}"
                f"{len(warm_queries):>12}/{len(uncached_queries)}"
            )

    def timed(self, client, url):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return elapsed, response

    @staticmethod
    def results(url: str) -> int:
        filterset = CaseFilter(QueryDict(url.partition("?")[2]), queryset=Case.objects.published())
        filterset.is_valid()
        return sum(filterset.qs.facet_counts()["status"].values())
