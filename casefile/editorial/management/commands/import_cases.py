from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casefile.editorial.importer import ImportFileError, import_cases


class Command(BaseCommand):
    help = (
        "Import cases from a CSV or XLSX spreadsheet (one row per case; the columns of the "
        "template in the admin). Any invalid row rejects the whole file. Imported cases are drafts."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of a .csv or .xlsx file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report what would be created and updated; change nothing",
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if path.stat().st_size > settings.IMPORT_MAX_BYTES:
            raise CommandError(
                f"{path} is larger than the import limit of {settings.IMPORT_MAX_BYTES} bytes "
                "(IMPORT_MAX_BYTES)."
            )
        try:
            report = import_cases(data=path.read_bytes(), filename=path.name, dry_run=dry_run)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        if not report.ok:
            listed = report.errors if options["verbosity"] > 1 else report.listed_errors
            for error in listed:
                self.stderr.write(str(error))
            if len(listed) < len(report.errors):
                self.stderr.write(
                    f"… and {len(report.errors) - len(listed)} more (-v 2 lists them all)."
                )
            raise CommandError(report.summary())
        prefix = "Dry run: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))
        for line in report.person_differences:
            self.stdout.write(self.style.WARNING(line))
        if options["verbosity"] > 1:
            for label, keys in (
                ("created", report.created),
                ("updated", report.updated),
                ("skipped", report.skipped),
            ):
                for key in keys:
                    self.stdout.write(f"{label}: {key}")
