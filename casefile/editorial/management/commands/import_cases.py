from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from casefile.editorial.importer import ATTACH, NEW, ImportFileError, import_cases
from casefile.editorial.importing.bundle import is_bundle


class Command(BaseCommand):
    help = (
        "Import cases from a CSV or XLSX spreadsheet (one row per case; the columns of the "
        "template in the admin). Any invalid row rejects the whole file. New cases are drafts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help="path of a .csv or .xlsx file, or of a .zip holding one and the captures' files "
            "its capture_file column names",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report what would be created and updated; change nothing",
        )
        parser.add_argument(
            "--people",
            choices=[ATTACH, NEW],
            default="",
            help="rows naming a person already in the archive: attach them to that person, "
            "or create new people (without this, a file with such rows imports nothing)",
        )
        parser.add_argument(
            "--user",
            default="",
            help="import as this user (recorded in the history; a reviewer's import also "
            "corrects cases in review and published)",
        )
        parser.add_argument("--errors-csv", default="", help="write the file's problems here")

    def handle(self, *args, file, dry_run, people, user, errors_csv, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        limit, setting = (
            (settings.IMPORT_ZIP_MAX_BYTES, "IMPORT_ZIP_MAX_BYTES")
            if is_bundle(path.name)
            else (settings.IMPORT_MAX_BYTES, "IMPORT_MAX_BYTES")
        )
        if path.stat().st_size > limit:
            raise CommandError(
                f"{path} is larger than the import limit of {limit} bytes ({setting})."
            )
        by = None
        if user:
            by = get_user_model().objects.filter(username=user, is_active=True).first()
            if by is None:
                raise CommandError(f"No active user {user!r}.")
        try:
            with path.open("rb") as file:
                report = import_cases(
                    data=file, filename=path.name, dry_run=dry_run, by=by, people=people
                )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        verbose = options["verbosity"] > 1
        for match in report.matches:
            found = [f"person #{p.id} {p.name} ({p.privacy.lower()})" for p in match.people]
            found += [f"case {c.public_id} ({c.why})" for c in match.cases]
            if match.same_rows:
                found.append("rows " + ", ".join(map(str, match.same_rows)))
            self.stdout.write(
                f"Row {match.row} ({match.key}) may repeat: {'; '.join(found)}"
                + (f" → {match.decision}" if match.decision else "")
            )
        if errors_csv and report.errors:
            Path(errors_csv).write_bytes(report.errors_csv())
        if not report.ok:
            groups = report.error_groups if verbose else report.listed_error_groups
            for group in groups:
                self.stderr.write(str(group))
            if len(groups) < len(report.error_groups):
                self.stderr.write(
                    f"… and {len(report.error_groups) - len(groups)} more (-v 2 lists them all)."
                )
            raise CommandError(report.summary())
        prefix = "Dry run: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))
        for line in report.person_differences:
            self.stdout.write(self.style.WARNING(line))
        for outcome in report.outcomes:
            if verbose or outcome.outcome == "skipped":
                case = f" {outcome.public_id}" if outcome.public_id else ""
                reason = f": {outcome.reason}" if outcome.reason else ""
                self.stdout.write(f"{outcome.outcome}: {outcome.key}{case}{reason}")
