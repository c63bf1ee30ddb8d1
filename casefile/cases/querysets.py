from django.db import models

from casefile.cases.vocabularies import PublicationState
from casefile.people.models import Privacy


class CaseQuerySet(models.QuerySet):
    def published(self):
        """Cases any public surface may show: published, and their person not withheld.

        Every page, API endpoint, export, feed and count starts from here.
        """
        return self.filter(publication_state=PublicationState.PUBLISHED).exclude(
            person__privacy=Privacy.WITHHELD
        )

    def for_display(self):
        return self.select_related("person", "authority")
