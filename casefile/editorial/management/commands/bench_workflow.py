"""`make bench-workflow`: time publishing complete drafts in bulk, beside the benchmark's
synthetic cases: a reviewer's "submit and publish" on 1,000 drafts (imported from the
import benchmark's file, so each has its listing, restrictions and amount cited), through
services.take_step, the function the admin's and the dashboard's bulk pages call: each
case locked, gated, name-checked and recorded as the single step would.

Everything runs in one transaction that is rolled back (each case's own transaction is
then a savepoint; a commit costs about half a millisecond more per case here), so the
benchmark data are left as they were; the foreign keys are checked before the rollback,
as a commit would.
"""

import time

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from casefile.cases import services
from casefile.cases.benchmark import dataset, ensure_synthetic_cases, machine
from casefile.cases.models import Case
from casefile.editorial.bench import generate_csv
from casefile.editorial.importer import NEW, import_cases
from casefile.editorial.roles import create_user_with_role, sync_role_groups

SAMPLE = 20


class Command(BaseCommand):
    help = "Time a reviewer's bulk submit-and-publish of complete drafts (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--drafts", type=int, default=1000)
        parser.add_argument("--cases", type=int, default=0, help="synthetic cases beside them")

    def handle(self, *args, drafts, cases, **options):
        if cases:
            ensure_synthetic_cases(cases, stdout=self.stdout)
        self.stdout.write(
            f"\nBulk workflow: {drafts:,} complete drafts beside {dataset()}; {machine()}"
        )
        before = Case.objects.count()
        with transaction.atomic():
            sync_role_groups(apps)  # as the data migration made them
            reviewer = create_user_with_role(
                username="bench-reviewer", role="reviewer", password=None
            )
            reviewer = get_user_model().objects.get(pk=reviewer.pk)
            # 20 more, first published alone to count the statements a case takes.
            data = generate_csv(drafts + SAMPLE, seed=77, prefix="bulk")
            report = import_cases(
                data=data, filename="bulk.csv", dry_run=False, by=reviewer, people=NEW
            )
            if not report.ok:
                raise CommandError(f"The drafts were not imported: {report.summary()}")
            ids = list(
                Case.objects.filter(external_key__startswith="bulk-")
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            sample, rest = ids[:SAMPLE], ids[SAMPLE:]
            with CaptureQueriesContext(connection) as queries:
                services.take_step(
                    step="submit_and_publish", cases=dict.fromkeys(sample), by=reviewer
                )
            started = time.perf_counter()
            outcomes = services.take_step(
                step="submit_and_publish", cases=dict.fromkeys(rest), by=reviewer
            )
            with connection.cursor() as cursor:  # the foreign-key checks a commit would run
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            elapsed = time.perf_counter() - started
            done = sum(outcome.done for outcome in outcomes)
            published = Case.objects.filter(pk__in=ids, publication_state="published").count()
            transaction.set_rollback(True)
        if Case.objects.count() != before:
            raise CommandError("The benchmark did not roll back.")
        refused = {o.reason for o in outcomes if not o.done}
        self.stdout.write(
            f"submit and publish: {len(rest):,} drafts in {elapsed:.1f} s "
            f"({elapsed / len(rest) * 1000:.1f} ms a case), {done:,} published"
            + (f"; not published: {sorted(refused)[:3]}" if refused else "")
            + f"; {len(queries) / len(sample):.0f} SQL statements a case; "
            f"{published:,} of {len(ids):,} published in all"
        )
        self.stdout.write(f"Rolled back. Done; {machine()}")
