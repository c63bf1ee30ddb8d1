"""What the benchmarks share (`make bench`: bench_pages, bench_api, bench_import): the
benchmark database's synthetic data, and how figures and the machine are reported.

The data are `manage.py generate_cases N` (casefile/cases/synthetic.py), written into
the database the environment names (the Makefile's CASEFILE_DB_NAME=casefile_bench_<N>),
once: a later run that finds N cases there reuses them.
"""

from __future__ import annotations

import math
import os
import statistics
import time

from django.core.management import call_command
from django.db import connection

from casefile.cases.models import Case


def ensure_synthetic_cases(count: int, *, seed: int = 2018, stdout) -> None:
    """Make the database hold exactly `count` synthetic cases, generating them if it
    does not (generate_cases --replace, which refuses any database whose name does not
    contain "bench")."""
    have = Case.objects.count()
    if have == count:
        return
    stdout.write(f"The database holds {have:,} cases; generating {count:,}…")
    started = time.perf_counter()
    call_command("generate_cases", count, seed=seed, replace=True, stdout=stdout)
    stdout.write(f"Generation took {time.perf_counter() - started:.0f} s.")


def dataset() -> str:
    """The data a benchmark ran on, in one line."""
    total = Case.objects.count()
    public = Case.objects.published().count()
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (size,) = cursor.fetchone()
    return f"{total:,} cases ({public:,} published and public) in database {name!r}, {size}"


def machine() -> str:
    """The machine's load, which matters on a shared machine."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"load average {load} (1, 5, 15 min) on {os.cpu_count()} cores"


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95): the median, and the nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
