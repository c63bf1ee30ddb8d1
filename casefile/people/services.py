"""Writes on person records. The admin, the editorial pages and commands call these."""

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from casefile.people.models import Person


@transaction.atomic
def merge_people(*, keep: Person, merge: Person, by) -> Person:
    """Merge the record `merge` into `keep`: two records found to be one person.

    The merged record's cases move to `keep`; its names become aliases of `keep`; its
    notes are appended; of the two privacy levels the more protective one is kept (a
    withheld person must not become visible through a merge). The merged record is then
    deleted; its whole history, including its last state, stays in the history tables,
    and the merge is recorded with both ids.
    """
    from casefile.cases.corrections import check_person_change, least_visible
    from casefile.cases.models import Case

    if not by.has_perm("people.merge_person"):
        raise PermissionDenied("Only reviewers can merge person records.")
    if keep.pk == merge.pk:
        raise ValidationError("Choose two different person records to merge.")
    # Lock both rows in id order, so two merges of the same pair cannot deadlock.
    locked = {
        person.pk: person
        for person in Person.objects.select_for_update()
        .filter(pk__in=[keep.pk, merge.pk])
        .order_by("pk")
    }
    keep, merge = locked[keep.pk], locked[merge.pk]
    with pghistory.context(
        action="merge_people", user=by.pk, kept_person=keep.pk, merged_person=merge.pk
    ):
        Case.objects.filter(person=merge).update(person=keep)

        known = {
            name.casefold()
            for name in (keep.name_original, keep.name_romanized, *keep.aliases)
            if name
        }
        aliases = list(keep.aliases)
        for name in (merge.name_original, merge.name_romanized, *merge.aliases):
            if name and name.casefold() not in known:
                aliases.append(name)
                known.add(name.casefold())
        merged = {
            "aliases": aliases,
            "privacy": least_visible(keep.privacy, merge.privacy),
            "occupation": keep.occupation or merge.occupation,
            "pseudonym": keep.pseudonym or merge.pseudonym,
        }
        # The merged names change what keep's published cases show: a reviewer's step.
        check_person_change(by=by, person=keep, values=merged)
        for name, value in merged.items():
            setattr(keep, name, value)
        if merge.notes:
            keep.notes = "\n\n".join(
                part
                for part in (keep.notes, f"From merged record #{merge.pk}: {merge.notes}")
                if part
            )
        keep.full_clean()
        keep.save()
        merge.delete()
    return keep
