"""Changes to what a published case shows are a reviewer's step, wherever they come from.

The case itself is guarded by services.can_edit_case. This module guards the records a
case shows beside its own fields, for the admin, the importer and the merge alike:

- making a person more visible (withheld → pseudonymised → public), always;
- changing the names, aliases, pseudonym or occupation of a person who has a case that
  is no longer a draft (in review, published or retracted), except the pseudonym that
  comes with making the person less visible;
- changing a source, a capture or an authority that a published case cites or uses;
- attaching a file to a capture that a published case cites (its hash, size and type
  show on the case, and its text decides whether the case's quotes are verified);
- making a source's kept files public (Sharing.PUBLIC), always: copyright and the
  people named in a file are a reviewer's to weigh.

Editors may always make a person less visible. Reviewers (and administrators: the
cases.publish_case permission) may do all of these; each change is recorded in the
history with who and when (the models are history-tracked and the request or command
names its user) and touches the published cases it changes (database triggers), so it
shows in their change log and in the change feed as a correction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef

from casefile.cases.vocabularies import PublicationState
from casefile.people.models import Person, Privacy

# From the most hidden to the most visible.
VISIBILITY_ORDER = [Privacy.WITHHELD, Privacy.PSEUDONYMISED, Privacy.PUBLIC]
# What a published case shows of its person (the pseudonym of a pseudonymised one).
PERSON_SHOWN_FIELDS = ("name_original", "name_romanized", "aliases", "pseudonym", "occupation")
REVIEWED_CASE_STATES = (
    PublicationState.IN_REVIEW,
    PublicationState.PUBLISHED,
    PublicationState.RETRACTED,
)


def may_correct_published(user) -> bool:
    """Reviewers and administrators change what published cases show."""
    return bool(user and user.has_perm("cases.publish_case"))


def more_visible(before: str, after: str) -> bool:
    return VISIBILITY_ORDER.index(after) > VISIBILITY_ORDER.index(before)


def less_visible(before: str, after: str) -> bool:
    return VISIBILITY_ORDER.index(after) < VISIBILITY_ORDER.index(before)


def least_visible(*levels: str) -> str:
    return min(levels, key=VISIBILITY_ORDER.index)


def has_reviewed_case(person_id) -> bool:
    from casefile.cases.models import Case

    return Case.objects.filter(
        person_id=person_id, publication_state__in=REVIEWED_CASE_STATES
    ).exists()


def people_with_reviewed_cases(person_ids) -> set[int]:
    """Of these people, those with a case past the draft stage (one query)."""
    from casefile.cases.models import Case

    return set(
        Case.objects.filter(
            person_id__in=list(person_ids), publication_state__in=REVIEWED_CASE_STATES
        )
        .values_list("person_id", flat=True)
        .distinct()
    )


def person_change_reasons(person: Person, values: dict) -> list[str]:
    """Why changing `person` (as stored) to `values` (field name → new value) is a
    reviewer's step; empty when an editor may make it."""
    if person.pk is None:  # a new person: nothing published shows them yet
        return []
    reasons = []
    privacy = values.get("privacy", person.privacy)
    if more_visible(person.privacy, privacy):
        reasons.append(
            f"it makes the person more visible ({Privacy(person.privacy).label.split(':')[0]} "
            f"→ {Privacy(privacy).label.split(':')[0]})"
        )
    guarded = list(PERSON_SHOWN_FIELDS)
    if less_visible(person.privacy, privacy):
        guarded.remove("pseudonym")  # hiding a person often means naming them anew
    changed = [
        Person._meta.get_field(name).verbose_name
        for name in guarded
        if name in values and _normalised(values[name]) != _normalised(getattr(person, name))
    ]
    if changed and has_reviewed_case(person.pk):
        reasons.append(
            f"it changes the {', '.join(str(label) for label in changed)} of a person whose "
            "case is in review, published or retracted"
        )
    return reasons


def _normalised(value):
    if isinstance(value, list):
        return [item.strip() for item in value if item.strip()]
    return (value or "").strip()


def check_person_change(*, by, person: Person, values: dict) -> None:
    """PermissionDenied, saying why, unless `by` may change `person` to `values`."""
    if may_correct_published(by):
        return
    reasons = person_change_reasons(person, values)
    if reasons:
        raise PermissionDenied(
            f"Only a reviewer can make this change to person #{person.pk}: "
            + "; ".join(reasons)
            + "."
        )


# --- sources, captures, authorities ----------------------------------------------------------


def _published_cases():
    from casefile.cases.models import Case

    return Case.objects.filter(publication_state=PublicationState.PUBLISHED)


def source_in_published_use(source_id) -> bool:
    from casefile.cases.models import Citation

    return Citation.objects.filter(
        capture__source_id=source_id, case__in=_published_cases().values("id")
    ).exists()


def captures_in_published_use():
    """The captures a published case cites (as a queryset)."""
    from casefile.cases.models import Citation
    from casefile.sources.models import SourceCapture

    cited = Citation.objects.filter(
        capture_id=OuterRef("pk"), case__in=_published_cases().values("id")
    )
    return SourceCapture.objects.filter(Exists(cited))


def capture_in_published_use(capture_id) -> bool:
    from casefile.cases.models import Citation

    return Citation.objects.filter(
        capture_id=capture_id, case__in=_published_cases().values("id")
    ).exists()


def authority_in_published_use(authority_id) -> bool:
    return _published_cases().filter(authority_id=authority_id).exists()


IN_USE = {
    "source": source_in_published_use,
    "sourcecapture": capture_in_published_use,
    "authority": authority_in_published_use,
}


def may_change_shown_record(user, obj) -> bool:
    """Whether `user` may change this source, capture or authority: anyone who may edit
    it while no published case shows it, reviewers once one does."""
    if obj is None or obj.pk is None or may_correct_published(user):
        return True
    return not IN_USE[obj._meta.model_name](obj.pk)


def check_shown_record_change(*, by, obj) -> None:
    if not may_change_shown_record(by, obj):
        raise PermissionDenied(
            f"Only a reviewer can change this {obj._meta.verbose_name}: a published case "
            "shows it, so the change is a correction of that case."
        )


# --- kept files of captures ------------------------------------------------------------------


def check_capture_file_attach(*, by, capture) -> None:
    """PermissionDenied, saying why, unless `by` may attach a file to `capture`: anyone
    who may add kept files while no published case cites the capture, reviewers once one
    does. `by=None` is a trusted command run without a user."""
    if by is None:
        return
    if not by.has_perm("sources.add_capturefile"):
        raise PermissionDenied("You cannot attach files to captures.")
    if capture_in_published_use(capture.pk) and not may_correct_published(by):
        raise PermissionDenied(
            "Only a reviewer can attach a file to this capture: a published case cites it, "
            "so the change is a correction of that case."
        )


def sharing_change_reason(source, sharing: str) -> str | None:
    """Why setting `source` (as stored) to `sharing` is a reviewer's step, or None."""
    from casefile.sources.models import Sharing

    before = source.sharing if source.pk else None
    if sharing == Sharing.PUBLIC and before != Sharing.PUBLIC:
        return (
            "making a source's kept files public is a reviewer's step (copyright, and the "
            "people the files name)"
        )
    return None


def check_sharing_change(*, by, source, sharing: str) -> None:
    if by is None or may_correct_published(by):
        return
    reason = sharing_change_reason(source, sharing)
    if reason:
        raise PermissionDenied(f"Only a reviewer can make this change: {reason}.")


# --- the name check on corrections of what published cases show -------------------------------


def published_cases_showing(obj):
    """The published cases that show this person, source or capture."""
    from casefile.cases.models import Citation

    name = obj._meta.model_name
    if name == "person":
        return _published_cases().filter(person_id=obj.pk)
    citing = Citation.objects.filter(
        **({"capture__source_id": obj.pk} if name == "source" else {"capture_id": obj.pk})
    )
    return _published_cases().filter(id__in=citing.values("case_id"))


def name_leaks_in_cases_showing(obj) -> list:
    """(case, unaccepted findings) for each published case showing `obj`, as saved so
    far in this transaction, whose text names its person (casefile.cases.name_leaks)."""
    from casefile.cases.name_leaks import needs_name_check, unresolved_name_leaks

    failing = []
    for case in published_cases_showing(obj).select_related("person"):
        if needs_name_check(case):
            findings = unresolved_name_leaks(case)
            if findings:
                failing.append((case, findings))
    return failing


def refuse_name_leaks_in_cases_showing(obj) -> None:
    """A correction through a person, source or capture is a correction of each
    published case showing it: refused (NameLeakFound, rolling the write back) when one
    of them would name its person."""
    from casefile.cases.services import NameLeakFound

    for case, findings in name_leaks_in_cases_showing(obj):
        raise NameLeakFound(case=case, findings=findings)
