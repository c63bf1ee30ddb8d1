"""`manage.py bench_api`: the API's speed at 100,000 published cases.

Runs against its own database (casefile_bench, created and filled on first use and
kept for later runs; --drop removes it), never the development data. Reports p50/p95
of a filtered list page and of a case detail, queries per request at two page sizes,
and the NDJSON/CSV export throughput with the exporting process's peak RSS.
"""

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from casefile.api import benchdata
from casefile.cases.models import Case

BENCH_DATABASE = "casefile_bench"
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


def use_bench_database(*, drop: bool = False) -> None:
    """Point the default connection at the benchmark database, creating it if needed."""
    connection.settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DATABASE
    if drop:
        connection.creation.destroy_test_db(BENCH_DATABASE, verbosity=0, keepdb=False)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)


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


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


class Command(BaseCommand):
    help = "Benchmark the REST API on 100,000 published cases (its own database)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000, help="published cases wanted")
        parser.add_argument("--requests", type=int, default=200, help="samples per endpoint")
        parser.add_argument("--drop", action="store_true", help="rebuild the bench database")
        parser.add_argument("--part", choices=["all", "export"], default="all")
        parser.add_argument("--format", choices=["ndjson", "csv"], default="ndjson")

    def handle(self, *args, cases, requests, drop, part, **options):
        use_bench_database(drop=drop)
        rates = {"anonymous": "100000000/minute", "token": "100000000/minute"}
        from django.conf import settings

        with override_settings(
            REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates},
            ALLOWED_HOSTS=["localhost"],
        ):
            if part == "export":
                return self.export(options["format"])
            self.ensure_data(cases)
            self.measure(requests)

    def ensure_data(self, wanted: int):
        have = Case.objects.published().count()
        if have < wanted:
            missing = int((wanted - have) / 0.93) + 1  # some are drafts or withheld
            self.stdout.write(f"Generating {missing:,} cases (once; kept in {BENCH_DATABASE})…")
            start = time.perf_counter()
            benchdata.generate(missing)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write(f"  done in {time.perf_counter() - start:.0f} s")
        total = Case.objects.count()
        published = Case.objects.published().count()
        self.stdout.write(f"Dataset: {published:,} published cases ({total:,} in all states)")

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

        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        self.stdout.write(
            f"\nLatency over {requests} requests each (in-process, ms; load average {load} "
            f"on {os.cpu_count()} cores):"
        )
        for name, (p50, p95) in results.items():
            targeted = name.startswith(("filtered list", "case detail", "list page 2"))
            verdict = "  ok" if p95 <= TARGET_MS else f"  ABOVE {TARGET_MS} ms"
            mark = verdict if targeted else ""
            self.stdout.write(f"  {name:34} p50 {p50:6.1f}   p95 {p95:6.1f}{mark}")

        self.stdout.write("\nQueries per request:")
        for size in (5, 100):
            with CaptureQueriesContext(connection) as captured:
                client.get(f"/api/v1/cases/?restriction=air_travel&page_size={size}")
            self.stdout.write(f"  list, page_size={size:<3}  {len(captured)} queries")
        with CaptureQueriesContext(connection) as captured:
            client.get(details[0])
        self.stdout.write(f"  case detail          {len(captured)} queries")

        for fmt in ("ndjson", "csv"):
            report = self.export_in_subprocess(fmt)
            ok = "ok" if report["rate"] >= TARGET_RATE else f"BELOW {TARGET_RATE:,}/s"
            self.stdout.write(
                f"\nExport {fmt}: {report['cases']:,} cases, {report['megabytes']:.0f} MB in "
                f"{report['seconds']:.2f} s = {report['rate']:,.0f} cases/s  {ok}\n"
                f"  exporting process RSS: {report['rss_before_mb']:.0f} MB before, "
                f"peak {report['peak_rss_mb']:.0f} MB"
            )

    def export_in_subprocess(self, fmt: str) -> dict:
        """A fresh process, so its peak RSS is the export's, not the data generator's."""
        output = subprocess.run(
            [sys.executable, "manage.py", "bench_api", "--part", "export", "--format", fmt],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(output.strip().splitlines()[-1])

    def export(self, fmt: str):
        client = Client(HTTP_HOST="localhost")
        client.get("/api/v1/info/")  # load everything once: RSS "before" is the baseline
        before = peak_rss_mb()
        start = time.perf_counter()
        response = client.get(f"/api/v1/exports/cases.{fmt}")
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        seconds = time.perf_counter() - start
        cases = lines - (1 if fmt == "csv" else 0)
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
