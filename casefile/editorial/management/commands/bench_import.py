import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from casefile.cases.models import Case
from casefile.editorial.bench import generate_csv
from casefile.editorial.importer import import_cases


class Command(BaseCommand):
    help = (
        "Time the spreadsheet import on a deterministic file of fictitious cases: a dry run, "
        "the import, a re-import of the same file (nothing changes) and of a file in which "
        "every row changed. Everything is rolled back at the end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2018)

    def handle(self, *args, rows, seed, **options):
        started = time.perf_counter()
        data = generate_csv(rows, seed=seed)
        changed = generate_csv(rows, seed=seed, outcome="Removed from the list after payment.")
        self.stdout.write(
            f"Generated {rows:,} rows ({len(data) / 1_048_576:.1f} MB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        before = Case.objects.count()
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
                elapsed = time.perf_counter() - started
                if not report.ok:
                    raise CommandError(f"The benchmark file was rejected: {report.errors[:5]}")
                self.stdout.write(f"{label:>10}: {elapsed:6.1f} s  {report.summary()}")
            transaction.set_rollback(True)
        if Case.objects.count() != before:
            raise CommandError("The benchmark did not roll back.")
