"""`make bench-stats`: /stats/ at scale, over HTTP.

Runs on the benchmark database's synthetic cases (casefile.cases.benchmark; generated
first when the database does not hold --cases of them). Casefile runs under gunicorn (2
workers, production settings, as `make bench-peer` runs it: casefile.cases.management.
commands.bench_peer) and each request is timed whole from this process over one kept-alive
connection: the page rendered, its SQL, its cache reads and writes.

Families, each with its target at a million cases:
- filter-only searches (p95 ≤ 200 ms), and the same through /api/v1/stats/;
- text searches (p95 ≤ 1 s);
- the unfiltered archive (≤ 50 ms), also the first request after a publication: a case
  is taken out of the published set and put back (two UPDATEs, untimed, which fire the
  triggers a reviewer's publication fires: a new public data version, so no figure
  cached before it is read again), then /stats/ is timed.
"Cold" is a request with the cache emptied first (every figure computed); "warm" the
same request again (figures from the cache).
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.utils import timezone

from casefile.cases.benchmark import dataset, ensure_synthetic_cases, machine, percentiles
from casefile.cases.management.commands.bench_peer import Timer, free_port, server
from casefile.cases.models import Case

FAMILIES = {
    "filter-only": (
        200,
        [
            "/stats/?province=hubei",
            "/stats/?restriction=air_travel",
            "/stats/?offence=unpaid_debt&status=listed",
            "/stats/?listed_from=2016&listed_to=2018&notified=no",
            "/stats/?removed_from=2019&removed_to=2019",
            "/stats/?amount_min=1000&amount_max=20000&currency=CNY",
            "/stats/?list=spc_dishonest_debtors&province=sichuan&province=yunnan",
            "/stats/?restriction=ringback_tone",
            "/stats/?restriction=high_speed_rail&province=guangdong",
            "/stats/?status=removed",
        ],
    ),
    "filter-only, API": (
        200,
        [
            "/api/v1/stats/?province=hubei",
            "/api/v1/stats/?restriction=air_travel&offence=unpaid_debt",
            "/api/v1/stats/?listed_from=2016&listed_to=2018",
        ],
    ),
    "text search": (
        1000,
        [
            "/stats/?q=wang+wei",
            "/stats/?q=王伟",
            "/stats/?q=kindergarten",
            "/stats/?q=mortgage",
            "/stats/?q=court",
            "/stats/?q=liu&province=hubei",
        ],
    ),
    "unfiltered": (50, ["/stats/"]),
}


WARM_UP = 6


def address(url: str) -> str:
    """The URL as sent: its non-ASCII characters percent-encoded."""
    return quote(url, safe="/?=&+%")


class Command(BaseCommand):
    help = "Benchmark /stats/ over HTTP; generates the synthetic cases first when needed."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=20, help="warm requests a query")
        parser.add_argument("--cold", type=int, default=5, help="cold requests a query")
        parser.add_argument("--seed", type=int, default=2018)

    def handle(self, *args, cases, repeat, cold, seed, **options):
        self.verbosity = options["verbosity"]
        ensure_synthetic_cases(cases, seed=seed, stdout=self.stdout)
        port = free_port()
        environment = {
            **os.environ,
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "API_THROTTLE_ANON": "100000000/minute",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-not-a-secret",
        }
        environment.pop("STATIC_MANIFEST", None)
        subprocess.run(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "collectstatic",
             "--noinput", "-v0"],
            env=environment, check=True,
        )  # fmt: skip
        log = Path(settings.BASE_DIR) / ".data" / "bench-stats-gunicorn.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"\n/stats/ over HTTP (gunicorn, 2 workers): {dataset()}")
        self.stdout.write(f"{cold} cold and {repeat} warm requests a query; ms; {machine()}\n")
        header = (
            f"{'family':<28}{'queries':>8}{'cold p50':>10}{'cold p95':>10}"
            f"{'warm p50':>10}{'warm p95':>10}{'target p95':>12}"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        with ExitStack() as stack:
            stack.enter_context(
                server(
                    [str(Path(sys.executable).parent / "gunicorn"), "casefile.wsgi",
                     "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
                    environment, port, "gunicorn", log,
                )
            )  # fmt: skip
            timer = Timer(port)
            # Each worker's first requests load templates and code: not what is measured.
            for _ in range(WARM_UP):
                timer.get("/stats/?list=other")
                timer.get("/api/v1/stats/?list=other")
            for family, (target, urls) in FAMILIES.items():
                colds, warms = [], []
                for url in map(address, urls):
                    for _ in range(cold):
                        cache.clear()
                        colds.append(timer.get(url))
                    warms.extend(timer.get(url) for _ in range(repeat))
                self.row(family, len(urls), colds, warms, target)
            colds, warms = [], []
            for _ in range(max(cold, repeat)):
                self.publish_again()
                colds.append(timer.get("/stats/"))
                warms.append(timer.get("/stats/"))
            self.row("unfiltered, after publishing", 1, colds, warms, 50)
        self.stdout.write(f"\nDone; {machine()}")

    def row(self, family, queries, colds, warms, target):
        if self.verbosity > 1:
            self.stdout.write(f"  cold: {', '.join(f'{ms:.0f}' for ms in colds)}")
        (cold_p50, cold_p95), (warm_p50, warm_p95) = percentiles(colds), percentiles(warms)
        self.stdout.write(
            f"{family:<28}{queries:>8}{cold_p50:>10.0f}{cold_p95:>10.0f}"
            f"{warm_p50:>10.0f}{warm_p95:>10.0f}{target:>12}"
        )

    @staticmethod
    def publish_again():
        """Take the newest public case out of the published set and publish it again."""
        case = Case.objects.published().order_by("-id").only("id").first()
        Case.objects.filter(pk=case.pk).update(publication_state="in_review")
        Case.objects.filter(pk=case.pk).update(
            publication_state="published", published_at=timezone.now()
        )
