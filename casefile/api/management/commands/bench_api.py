"""`make bench-api`: the API's speed on the benchmark database.

Runs on the same synthetic cases as the search pages' benchmark (casefile.cases.
benchmark: the database the environment names, casefile_bench_<N> in the Makefile;
generated first when it does not hold --cases of them). Reports p50/p95 of filtered
list pages, case details and other endpoints, SQL queries per request at two page
sizes and for a rare and a common filter, and the NDJSON/CSV export throughput with
the exporting process's peak RSS (each export in a fresh process): NDJSON twice, first
with no stored records (built and stored as a first export does), then reading them;
and the bridges to researchers' tools: a reconciliation batch of 100 names (OpenRefine's
POST), the search's Atom feed, and the persons, sources and citations CSV tables (rows/s
and peak RSS, each in a fresh process).
"""

import json
import random
import resource
import subprocess
import sys
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection
from django.http import QueryDict
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from casefile.api.models import CaseRecord
from casefile.cases import visibility
from casefile.cases.benchmark import dataset, ensure_synthetic_cases, machine, percentiles
from casefile.cases.filters import CaseFilter
from casefile.cases.models import Case
from casefile.people.models import Person

# The filtered list pages the target is about: facet filters, ranges, date orderings.
LIST_QUERIES = [
    "restriction=air_travel&province=hubei",
    "offence=unpaid_debt&status=listed",
    "listed_from=2016&listed_to=2018&notified=no",
    "amount_min=1000&amount_max=20000&currency=CNY",
    "restriction=high_speed_rail&ordering=listed",
    "list=spc_dishonest_debtors&province=sichuan&province=yunnan",
]
# Reported apart: their cost is the shared search module's (ranking every match, or
# the largest amount of every matching case), not the API's.
OTHER_QUERIES = {
    "search by name (q=王伟)": "q=王伟",
    "search, common word (q=court)": "q=court",
    "ordering=-amount (whole list)": "list=spc_dishonest_debtors&ordering=-amount&currency=CNY",
}
TARGET_MS = 50
TARGET_RATE = 20_000
TARGET_RECONCILE_MS = 300
RECONCILE_BATCH = 100
# The exports, by --format: their path, and how many rows (or cases) they hold.
EXPORTS = {
    "ndjson": ("/api/v1/exports/cases.ndjson", lambda: visibility.public_cases().count()),
    "csv": ("/api/v1/exports/cases.csv", lambda: visibility.public_cases().count()),
    "persons": ("/api/v1/exports/persons.csv", lambda: visibility.public_people().count()),
    "sources": ("/api/v1/exports/sources.csv", lambda: visibility.public_captures().count()),
    "citations": ("/api/v1/exports/citations.csv", lambda: visibility.public_citations().count()),
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(client: Client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    if response.streaming:
        for _ in response.streaming_content:
            pass
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return elapsed


class Command(BaseCommand):
    help = "Benchmark the REST API on the benchmark database's synthetic cases."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000, help="synthetic cases")
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--requests", type=int, default=200, help="samples per endpoint")
        parser.add_argument("--part", choices=["all", "latency", "export"], default="all")
        parser.add_argument("--format", choices=list(EXPORTS), default="ndjson")
        parser.add_argument(
            "--forget-records",
            action="store_true",
            help="empty the NDJSON export's stored records first: a first (cold) export",
        )

    def handle(self, *args, cases, seed, requests, part, **options):
        rates = {"anonymous": "100000000/minute", "token": "100000000/minute"}
        with override_settings(
            REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates},
            ALLOWED_HOSTS=["localhost"],
        ):
            if part == "export":
                return self.export(options["format"], options["forget_records"])
            ensure_synthetic_cases(cases, seed=seed, stdout=self.stdout)
            self.stdout.write(f"\nREST API: {dataset()}")
            self.measure(requests)
            if part == "all":
                self.report_export("NDJSON, first (records built and stored)", "ndjson", True)
                self.report_export("NDJSON, again (records stored)", "ndjson")
                self.report_export("CSV", "csv")
                for fmt in ("persons", "sources", "citations"):
                    self.report_export(f"{fmt}.csv", fmt, unit="rows")
            self.stdout.write(f"\nDone; {machine()}")

    def measure(self, requests: int):
        client = Client(HTTP_HOST="localhost")
        rng = random.Random(4)
        ids = list(Case.objects.published().values_list("public_id", flat=True)[:5000])
        lists = [f"/api/v1/cases/?{LIST_QUERIES[n % len(LIST_QUERIES)]}" for n in range(requests)]
        details = [f"/api/v1/cases/{rng.choice(ids)}/" for _ in range(requests)]
        for url in lists[:16] + details[:16]:  # warm caches and connections
            timed(client, url)
        results = {}
        for name, urls in (("filtered list page (20 cases)", lists), ("case detail", details)):
            samples = [timed(client, url) for url in urls]
            results[name] = percentiles(samples)
        page = client.get("/api/v1/cases/?restriction=air_travel").json()
        if page["next"]:
            cursor_samples = [timed(client, page["next"]) for _ in range(50)]
            results["list page 2 by cursor"] = percentiles(cursor_samples)
        feed = "/api/v1/cases/?updated_since=2000-01-01T00:00:00Z"
        results["change feed page"] = percentiles([timed(client, feed) for _ in range(50)])
        facets = "/api/v1/cases/facets/?restriction=air_travel"
        results["facets (whole dataset scan)"] = percentiles(
            [timed(client, facets) for _ in range(20)]
        )
        for name, query in OTHER_QUERIES.items():
            url = f"/api/v1/cases/?{query}"
            results[name] = percentiles([timed(client, url) for _ in range(10)])
        feeds = ["/cases/feed.atom", *(f"/cases/feed.atom?{q}" for q in LIST_QUERIES),
                 "/cases/feed.atom?q=王伟"]  # fmt: skip
        for url in feeds:  # warm
            timed(client, url)
        feed_samples = [timed(client, feeds[n % len(feeds)]) for n in range(max(50, requests))]
        results["search feed (Atom, 50 entries)"] = percentiles(feed_samples)
        batches = reconciliation_batches(rng, max(10, requests // 10))
        timed_post(client, batches[0])  # warm
        results[f"reconcile, batch of {RECONCILE_BATCH}"] = percentiles(
            [timed_post(client, batch) for batch in batches]
        )

        self.stdout.write(
            f"\nLatency, ms, in-process ({requests} requests for each of the first two lines, "
            f"50, 20 or 10 for the others, {len(feed_samples)} feeds over {len(feeds)} searches, "
            f"{len(batches)} reconciliation batches); {machine()}:"
        )
        for name, (p50, p95) in results.items():
            targeted = name.startswith(
                ("filtered list", "case detail", "list page 2", "search feed")
            )
            target = TARGET_RECONCILE_MS if name.startswith("reconcile") else TARGET_MS
            verdict = "  ok" if p95 <= target else f"  ABOVE {target} ms"
            mark = verdict if targeted or name.startswith("reconcile") else ""
            self.stdout.write(f"  {name:34} p50 {p50:6.1f}   p95 {p95:6.1f}{mark}")

        self.stdout.write("\nSQL queries per request:")
        counts = {}
        for label, url in (
            ("list, page_size=5", "/api/v1/cases/?restriction=air_travel&page_size=5"),
            ("list, page_size=100", "/api/v1/cases/?restriction=air_travel&page_size=100"),
            ("list, rare filter", "/api/v1/cases/?restriction=ringback_tone"),
            ("list, common filter", "/api/v1/cases/?restriction=air_travel"),
            ("case detail", details[0]),
            ("facets", facets),
        ):
            cache.clear()  # the full cost, facet counts included
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            counts[label] = len(captured)
        matches = {
            label: self.matches(query)
            for label, query in (
                ("list, rare filter", "restriction=ringback_tone"),
                ("list, common filter", "restriction=air_travel"),
            )
        }
        for label, count in counts.items():
            more = f"  ({matches[label]:,} matching cases)" if label in matches else ""
            self.stdout.write(f"  {label:22} {count:>3}{more}")
        # (A filter that matches nothing answers with fewer.)
        lists = [
            count
            for label, count in counts.items()
            if label.startswith("list") and matches.get(label, 1)
        ]
        verdict = "the same" if len(set(lists)) == 1 else "NOT the same"
        self.stdout.write(f"  list pages: {verdict} at any page size and number of results")

    def matches(self, query: str) -> int:
        filterset = CaseFilter(QueryDict(query), queryset=Case.objects.published())
        filterset.is_valid()
        return filterset.qs.count()

    def report_export(
        self, label: str, fmt: str, forget_records: bool = False, unit: str = "cases"
    ):
        report = self.export_in_subprocess(fmt, forget_records)
        ok = "ok" if report["rate"] >= TARGET_RATE else f"BELOW {TARGET_RATE:,}/s"
        self.stdout.write(
            f"\nExport {label}: {report['cases']:,} {unit}, {report['megabytes']:.1f} MB in "
            f"{report['seconds']:.2f} s = {report['rate']:,.0f} {unit}/s  {ok}\n"
            f"  exporting process RSS: {report['rss_before_mb']:.0f} MB before, "
            f"peak {report['peak_rss_mb']:.0f} MB"
        )

    def export_in_subprocess(self, fmt: str, forget_records: bool) -> dict:
        """A fresh process, so its peak RSS is the export's, not the data generator's."""
        manage = settings.BASE_DIR / "manage.py"
        command = [sys.executable, manage, "bench_api", "--part", "export", "--format", fmt]
        command += ["--forget-records"] if forget_records else []
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        return json.loads(output.strip().splitlines()[-1])

    def export(self, fmt: str, forget_records: bool = False):
        if forget_records:
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {CaseRecord._meta.db_table}")
        client = Client(HTTP_HOST="localhost")
        client.get("/api/v1/info/")  # load everything once: RSS "before" is the baseline
        before = peak_rss_mb()
        start = time.perf_counter()
        path, count = EXPORTS[fmt]
        response = client.get(path)
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        seconds = time.perf_counter() - start
        cases = count()  # rows, for the tables
        self.stdout.write(
            json.dumps(
                {
                    "cases": cases,
                    "seconds": seconds,
                    "rate": cases / seconds,
                    "megabytes": size / 1e6,
                    "rss_before_mb": before,
                    "peak_rss_mb": peak_rss_mb(),
                }
            )
        )


def timed_post(client: Client, batch: dict) -> float:
    """One reconciliation batch as OpenRefine sends it (a form-encoded POST), in ms."""
    body = urlencode({"queries": json.dumps(batch, ensure_ascii=False)})
    start = time.perf_counter()
    response = client.post("/reconcile", body, content_type="application/x-www-form-urlencoded")
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.content[:300]
    return elapsed


def reconciliation_batches(rng: random.Random, count: int) -> list[dict]:
    """Batches of RECONCILE_BATCH names as a researcher's spreadsheet holds them: public
    figures in characters, pinyin with and without spaces, tone marks or given name
    first; pseudonymised people's real names (no candidate may come back); and names that
    are not in the archive. A fifth are asked as cases."""
    public = list(
        visibility.searchable_people()
        .filter(pk__in=visibility.public_people().values("id"))
        .values_list("name_original", "name_romanized")[:2000]
    )
    hidden = list(
        Person.objects.exclude(pk__in=visibility.searchable_people().values("id")).values_list(
            "name_original", flat=True
        )[:500]
    )
    misses = ["Nobody Atall", "Jane Doe", "司马光明", "Ouyang Feifei", "Qwerty Uiop"]
    batches = []
    for _ in range(count):
        batch = {}
        for n in range(RECONCILE_BATCH):
            roll = rng.random()
            if roll < 0.7:
                original, romanised = rng.choice(public)
                surname, _, given = romanised.partition(" ")
                text = rng.choice(
                    [original, romanised, romanised.replace(" ", "").lower(), f"{given} {surname}"]
                )
            elif roll < 0.85:
                text = rng.choice(hidden)
            else:
                text = rng.choice(misses)
            batch[f"q{n}"] = {"query": text, "type": "case" if n % 5 == 4 else "person"}
        batches.append(batch)
    return batches
