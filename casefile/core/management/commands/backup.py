"""`manage.py backup DIR`: the database (pg_dump, one transaction), every kept file, and a
manifest of their SHA-256 digests and the tables' row counts (casefile/core/backups.py)."""

from django.core.management.base import BaseCommand, CommandError

from casefile.core.backups import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent snapshot of the database and the kept files into DIR."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A new or empty folder.")

    def handle(self, *args, folder, **options):
        try:
            outcome = backup(folder)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = outcome.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({rows:,} rows; database.dump "
            f"{manifest['database']['size']:,} bytes) and {len(manifest['files'])} kept files "
            f"into {outcome.folder}."
        )
        for problem in outcome.problems:
            self.stdout.write(f"PROBLEM  {problem}")
        if not outcome.ok:
            raise CommandError(
                f"{len(outcome.problems)} kept file(s) could not be backed up as recorded; "
                "see above (and manage.py verify_captures)."
            )
