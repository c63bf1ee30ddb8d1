from django.core.management.base import BaseCommand, CommandError

from casefile.cases.models import Case
from casefile.cases.name_leaks import PREFETCH, unresolved_name_leaks
from casefile.cases.visibility import searchable_people
from casefile.cases.vocabularies import PublicationState


class Command(BaseCommand):
    help = (
        "List the published cases whose public text names their pseudonymised (or "
        "withheld) person, with each place and name form found; findings a reviewer "
        "accepted are left out. Exits with status 1 when any case fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Check cases in every state (drafts, cases in review, retracted), not only "
            "published ones.",
        )

    def handle(self, *args, all=False, **options):
        # Everyone's but a public figure's (whose name is meant to be shown).
        cases = Case.objects.exclude(person__in=searchable_people().values("id"))
        if not all:
            cases = cases.filter(publication_state=PublicationState.PUBLISHED)
        cases = cases.select_related("person").prefetch_related(*PREFETCH).order_by("id")
        checked = failing = 0
        # In chunks, each with its parts prefetched: memory stays flat over the archive.
        for case in cases.iterator(chunk_size=500):
            checked += 1
            findings = unresolved_name_leaks(case)
            if not findings:
                continue
            failing += 1
            person = case.person
            self.stdout.write(
                f"{case.public_id}  {person.pseudonym or person.public_name()} "
                f"({person.privacy}, {case.get_publication_state_display().lower()})"
            )
            for finding in findings:
                self.stdout.write(f"  {finding.place}: “{finding.form}” in “{finding.excerpt}”")
        scope = "cases" if all else "published cases"
        if failing:
            raise CommandError(
                f"{failing} of {checked} {scope} of pseudonymised or withheld people name them."
            )
        self.stdout.write(
            f"None of {checked} {scope} of pseudonymised or withheld people name them."
        )
