import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from casefile.cases import synthetic


class Command(BaseCommand):
    help = (
        "Add N synthetic published cases (deterministic for a given --seed), then VACUUM "
        "ANALYZE. For benchmarks and for trying the pages at scale; never on a real archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many cases to generate.")
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="First delete every case, person, authority and source. Allowed only on a "
            'database whose name contains "bench".',
        )

    def handle(self, *args, count, seed, replace, **options):
        if count < 1:
            raise CommandError("Give a positive number of cases.")
        if replace:
            name = connection.settings_dict["NAME"]
            if "bench" not in name:
                raise CommandError(
                    f"--replace would wipe the database {name!r}; it is allowed only on a "
                    'benchmark database (a name containing "bench", e.g. CASEFILE_DB_NAME=casefile_bench_1000).'
                )
            synthetic.wipe()
        started = time.perf_counter()

        def progress(done):
            elapsed = time.perf_counter() - started
            self.stdout.write(f"  {done:,} cases written ({elapsed:.0f} s)")

        counts = synthetic.generate(count, seed=seed, progress=progress)
        written = time.perf_counter() - started
        synthetic.vacuum_analyze()
        total = time.perf_counter() - started
        rows = ", ".join(f"{n:,} {table.split('_', 1)[1]}" for table, n in counts.items() if n)
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {count:,} cases in {written:.1f} s, VACUUM ANALYZE done at {total:.1f} s "
                f"({rows})."
            )
        )
