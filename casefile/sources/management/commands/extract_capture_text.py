"""Extract the text of kept files again: those not extracted yet or whose extraction
failed (by default), every file (--all, e.g. after an extractor was upgraded), or some
(--file ID). Each file's quotes are checked again. Files whose stored bytes no longer
have their digest are marked and left alone (see verify_captures)."""

from django.core.management.base import BaseCommand

from casefile.sources.models import CaptureFile, TextStatus
from casefile.sources.services import extract_text_again


class Command(BaseCommand):
    help = "Extract the text of kept files again (pending and failed ones by default)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Every kept file.")
        parser.add_argument("--file", type=int, action="append", help="A kept file's id.")

    def handle(self, *args, **options):
        files = CaptureFile.objects.select_related("capture__source").defer("text", "match_text")
        if options["file"]:
            files = files.filter(pk__in=options["file"])
        elif not options["all"]:
            files = files.filter(text_status__in=[TextStatus.PENDING, TextStatus.FAILED])
        counts: dict[str, int] = {}
        total = 0
        for kept in files.order_by("id").iterator(chunk_size=100):
            kept = extract_text_again(capture_file=kept)
            outcome = kept.text_status if kept.integrity == "intact" else f"bytes {kept.integrity}"
            counts[outcome] = counts.get(outcome, 0) + 1
            total += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"#{kept.pk} {kept.sha256}: {outcome} {kept.text_error}")
        summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
        self.stdout.write(
            f"{total} file{'s' if total != 1 else ''} processed"
            + (f": {summary}" if summary else ".")
        )
