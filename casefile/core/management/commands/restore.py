"""`manage.py restore DIR`: rebuild an empty database and the capture file store from a
backup, and check them against its manifest (casefile/core/backups.py)."""

from django.core.management.base import BaseCommand, CommandError

from casefile.core.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup (manage.py backup) into an empty database and the file store."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A folder written by manage.py backup.")

    def handle(self, *args, folder, **options):
        try:
            outcome = restore(folder)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = outcome.manifest
        for problem in outcome.problems:
            self.stdout.write(f"PROBLEM  {problem}")
        if not outcome.ok:
            raise CommandError(
                f"The restore does not match the backup: {len(outcome.problems)} problem(s)."
            )
        self.stdout.write(
            f"Restored {len(manifest['tables'])} tables ({sum(manifest['tables'].values()):,} rows) "
            f"and {len(manifest['files'])} kept files from {outcome.folder}; row counts and file "
            "digests match the manifest. Run manage.py migrate if this code is newer than the backup."
        )
