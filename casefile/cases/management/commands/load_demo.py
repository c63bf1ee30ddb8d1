from django.core.management.base import BaseCommand

from casefile.cases.demo_loader import load_demo
from casefile.cases.models import Case


class Command(BaseCommand):
    help = "Load the six demo cases of the seed article. Safe to run again: it changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into an archive with no cases yet (what `make run` does on first start).",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and Case.objects.exists():
            self.stdout.write("The archive already has cases; demo data not loaded.")
            return
        counts = load_demo()
        self.stdout.write(
            f"Demo data loaded: {counts['created']} rows created, {counts['updated']} updated."
        )
