from django.db import models
from django.db.models.functions import Upper

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

    def retracted(self):
        """Retracted cases whose URL answers 410 Gone with the retraction note. A withheld
        person's retracted case stays unknown (404): even its retraction says too much."""
        return self.filter(publication_state=PublicationState.RETRACTED).exclude(
            person__privacy=Privacy.WITHHELD
        )

    def possible_duplicates(self, *, docket_number: str, person_id, authority_id, exclude_pk=None):
        """Cases that may be the same case: the same docket number (ignoring letter case),
        or the same person listed by the same authority. Editors are
        warned, not stopped: two listings can share both."""
        same = models.Q()
        if docket_number.strip():
            same |= models.Q(docket_upper=docket_number.strip().upper())
        if person_id and authority_id:
            same |= models.Q(person_id=person_id, authority_id=authority_id)
        if not same:
            return self.none()
        # Upper() matches the case_docket_upper index.
        candidates = self.alias(docket_upper=Upper("docket_number")).filter(same)
        return candidates.exclude(pk=exclude_pk) if exclude_pk else candidates

    def for_display(self):
        return self.select_related("person", "authority")
