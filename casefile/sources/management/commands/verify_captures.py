"""Re-hash every kept file: report those whose bytes no longer match their SHA-256 or
that the store lost (and exit with status 1), and list the captures published cases cite
that keep no file. The results are recorded on each file for the editors' dashboard."""

from django.core.management.base import BaseCommand, CommandError

from casefile.sources.integrity import captures_without_kept_files, check_kept_files


class Command(BaseCommand):
    help = "Re-hash every kept capture file; exit 1 if any no longer matches or is missing."

    def handle(self, *args, **options):
        report = check_kept_files()
        self.stdout.write(
            f"{report.checked} kept file{'s' if report.checked != 1 else ''} checked: "
            f"{report.bytes_read / 1e6:,.1f} MB in {report.seconds:.2f} s "
            f"({report.megabytes_per_second:,.0f} MB/s)."
        )
        for kept in report.changed:
            self.stdout.write(
                f"CHANGED  file #{kept.pk} of capture #{kept.capture_id}: {kept.storage_name} "
                f"no longer has SHA-256 {kept.sha256}"
            )
        for kept in report.missing:
            self.stdout.write(
                f"MISSING  file #{kept.pk} of capture #{kept.capture_id}: {kept.storage_name} "
                "is not in the file store"
            )
        unkept = list(captures_without_kept_files().select_related("source").order_by("id"))
        self.stdout.write(
            f"{len(unkept)} capture{'s' if len(unkept) != 1 else ''} cited by published cases "
            "keep no file" + (":" if unkept else ".")
        )
        for capture in unkept:
            self.stdout.write(f"  capture #{capture.pk}: {capture}")
        if not report.ok:
            raise CommandError(
                f"{len(report.changed)} kept file(s) changed and {len(report.missing)} "
                "missing: restore them from a backup (manage.py restore)."
            )
