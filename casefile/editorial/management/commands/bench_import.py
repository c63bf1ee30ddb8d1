"""`make bench-import`: time the spreadsheet import on a deterministic file of
fictitious cases (casefile/editorial/bench.py): a dry run, the import, a re-import of
the same file (nothing changes) and of a file in which every row changed.

It runs on the benchmark database beside the search pages' and the API's synthetic
cases, and leaves their data and statistics as it found them: the four stages run in
one transaction that is rolled back (each stage's time includes the foreign-key checks
its commit would run); the row counts are checked afterwards; and,
outside a transaction, the database is vacuumed and analysed, since the rolled-back
rows leave dead tuples and the importer's ANALYZE left row estimates that counted
them. (The tables keep the space those rows took, for the next run to reuse.)
"""

import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from casefile.cases.benchmark import dataset, ensure_synthetic_cases, machine
from casefile.editorial.bench import generate_csv
from casefile.editorial.importer import import_cases

# The tables whose row counts must not change.
CHECKED = (
    "cases.Case",
    "cases.Restriction",
    "cases.Amount",
    "cases.Citation",
    "people.Person",
    "sources.Source",
    "sources.SourceCapture",
    "authorities.Authority",
)


def row_counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in CHECKED}


class Command(BaseCommand):
    help = (
        "Time the spreadsheet import on a deterministic file of fictitious cases: a dry run, "
        "the import, a re-import of the same file (nothing changes) and of a file in which "
        "every row changed. Everything is rolled back at the end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument(
            "--cases",
            type=int,
            default=0,
            help="first make the (benchmark) database hold this many synthetic cases, as "
            "bench_pages and bench_api do; 0: import beside whatever it holds",
        )

    def handle(self, *args, rows, seed, cases, **options):
        if rows > settings.IMPORT_MAX_ROWS:
            raise CommandError(
                f"The importer takes at most {settings.IMPORT_MAX_ROWS:,} rows; set "
                f"IMPORT_MAX_ROWS={rows} to time {rows:,}."
            )
        if cases:
            ensure_synthetic_cases(cases, stdout=self.stdout)
        started = time.perf_counter()
        data = generate_csv(rows, seed=seed)
        changed = generate_csv(rows, seed=seed, outcome="Removed from the list after payment.")
        self.stdout.write(
            f"\nImport: a file of {rows:,} rows ({len(data) / 1_048_576:.1f} MB), generated in "
            f"{time.perf_counter() - started:.1f} s, imported beside {dataset()}; {machine()}"
        )
        before = row_counts()
        # One transaction, rolled back: the benchmark leaves the database as it found it.
        with transaction.atomic():
            stages = (
                ("dry run", data, True),
                ("import", data, False),
                ("re-import", data, False),
                ("update", changed, False),
            )
            for label, content, dry_run in stages:
                started = time.perf_counter()
                report = import_cases(data=content, filename="bench.csv", dry_run=dry_run)
                # The foreign keys are checked at commit (deferred constraints); the
                # benchmark never commits, so it runs the checks here, as a commit would.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                elapsed = time.perf_counter() - started
                if not report.ok:
                    raise CommandError(f"The benchmark file was rejected: {report.errors[:5]}")
                self.stdout.write(f"{label:>10}: {elapsed:6.1f} s  {report.summary()}")
            transaction.set_rollback(True)
        if row_counts() != before:
            raise CommandError("The benchmark did not roll back.")
        if not connection.in_atomic_block:  # VACUUM cannot run in a transaction (tests)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            self.stdout.write(
                f"Rolled back; VACUUM ANALYZE afterwards took {time.perf_counter() - started:.0f} s"
            )
        self.stdout.write(f"Done; {machine()}")
