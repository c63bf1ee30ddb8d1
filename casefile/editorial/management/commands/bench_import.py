"""`make bench-import`: time the spreadsheet import on a deterministic file of
fictitious cases (casefile/editorial/bench.py, format version 2 with the optional columns
filled): the dry run of a 25-row file (an editor's first look at a small file: its rows
match people of the archive), then on the large file a dry run, the import, a re-import of
the same file (nothing changes) and of a file in which every row changed. The large file's
names match people of the synthetic archive, so it is imported creating new people.

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
from django.test.utils import CaptureQueriesContext

from casefile.cases.benchmark import dataset, ensure_synthetic_cases, machine
from casefile.editorial.bench import generate_csv
from casefile.editorial.importer import NEW, import_cases

SMALL_FILE_ROWS = 25

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
        self._small_dry_run(seed)
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
                report = import_cases(
                    data=content, filename="bench.csv", dry_run=dry_run, people=NEW
                )
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

    def _small_dry_run(self, seed: int) -> None:
        """The dry run of a 25-row file, as an editor first checks one: its rows match
        people of the archive, and no choice is made yet. Its cost follows the file, not
        the archive: the statements are counted too."""
        data = generate_csv(SMALL_FILE_ROWS, seed=seed + 1, prefix="small")
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                report = import_cases(data=data, filename="small.csv", dry_run=True)
                timings.append(time.perf_counter() - started)
        if report.errors:
            raise CommandError(f"The small file was rejected: {report.errors[:5]}")
        matched = sum(1 for match in report.matches if match.people)
        people = sum(len(match.people) for match in report.matches)
        self.stdout.write(
            f"dry run of a {SMALL_FILE_ROWS}-row file: {min(timings):.2f} s best, "
            f"{sorted(timings)[2]:.2f} s median of 5; {len(queries)} SQL statements; "
            f"{matched} rows match people of the archive ({people} listed)"
        )
