"""Duplicates caught before they happen: for every row, the people already in the archive
it may name (by any name form the search knows, every privacy level), the cases it may
repeat (the same docket number as its case_key, or the same person and source URL), and
the other rows of the file naming the same person; then, for each row that creates a
case, whose case it becomes: the person given by person_id, the one person it matches
(when the editor chose to attach such rows), or a new person.

Everything is found for the whole file at once, a fixed number of queries whatever its
size. What is found is for staff only (the import report).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Upper
from django.utils import translation

from casefile.cases.models import Case, Citation
from casefile.core.bulk import any_of
from casefile.editorial.importing.checks import CaseRow, Plan
from casefile.editorial.importing.report import (
    ImportReport,
    MatchedCase,
    MatchedPerson,
    RowError,
    RowMatches,
    admin_change_url,
)
from casefile.people.matching import matching_people, name_keys
from casefile.people.models import Person, Privacy
from casefile.sources.models import Source

ATTACH, NEW = "attach", "new"
PEOPLE_CHOICES = {
    ATTACH: "Attach each such row to the person it matches",
    NEW: "Create a new person for each such row",
}
MATCHES_LISTED = 10  # people or cases listed per row


@dataclass(frozen=True)
class NewPerson:
    """A person the import creates: for this row, or shared by the rows of one group."""

    row: int  # the row whose columns make the person


def docket_form(text: str) -> str:
    """As Case.save() stores a docket number (NFKC, no spaces), upper-cased as the
    index case_docket_upper holds it."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def resolve_people(
    plan: Plan, existing: dict[str, Case], report: ImportReport, choice: str
) -> dict[int, int | NewPerson | None]:
    """{row number: the person its case is for}: an existing person's id, a NewPerson, or
    None (an existing case keeps its person). Adds each row's matches to the report, and
    row errors for a person_id that names nobody or a row that matches several people
    when rows are to be attached. Sets report.needs_decision when rows match and the
    editor has not chosen."""
    rows = plan.rows
    own_person = {
        row.number: existing[row.case_key].person_id for row in rows if row.case_key in existing
    }
    own_case = {row.number: existing[row.case_key].pk for row in rows if row.case_key in existing}

    by_name = matching_people(form for row in rows for form in row.name_forms)
    matched: dict[int, list[int]] = {}
    of_forms: dict[tuple, list[int]] = {}  # names repeat: each set of forms once
    for row in rows:
        forms = tuple(row.name_forms)
        ids = of_forms.get(forms)
        if ids is None:
            ids = of_forms[forms] = sorted({pk for f in forms for pk in by_name.get(f, ())})
        own = own_person.get(row.number)
        if own in ids:
            ids = [pk for pk in ids if pk != own]
        if ids:
            matched[row.number] = ids

    given_ids = {row.person_id for row in rows if row.person_id is not None}
    shown_ids = given_ids | {pk for ids in matched.values() for pk in ids[:MATCHES_LISTED]}
    people = {
        row[0]: row
        for row in Person.objects.filter(any_of("id", shown_ids)).values_list(*PERSON_SHOWN)
    }
    case_counts = dict(
        Case.objects.filter(any_of("person_id", people))
        .values_list("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    )
    for row in rows:
        if row.person_id is not None and row.person_id not in people:
            report.errors.append(
                RowError(
                    row.number,
                    "person_id",
                    f"there is no person #{row.person_id} in the archive.",
                    value=str(row.person_id),
                )
            )

    groups = _rows_naming_the_same_person(rows)
    cases = _matching_cases(rows, matched, own_person, own_case)

    matched_people: dict[int, MatchedPerson] = {}

    def shown(pk: int) -> MatchedPerson:
        if pk not in matched_people:
            matched_people[pk] = _matched_person(people[pk], case_counts.get(pk, 0))
        return matched_people[pk]

    decided: dict[int, int | NewPerson | None] = {}
    group_person: dict[int, NewPerson] = {}
    undecided = False
    for row in rows:
        ids = matched.get(row.number, [])
        exists = row.case_key in existing
        if row.person_id is not None:
            decision = row.person_id
            said = f"attached to person #{row.person_id} (person_id)"
            if exists and row.person_id == own_person[row.number]:
                decision, said = None, ""
        elif exists:
            decision, said = None, ""  # an existing case keeps its person
        elif ids and choice == ATTACH:
            if len(ids) == 1:
                decision, said = ids[0], f"attached to person #{ids[0]}"
            else:
                decision, said = None, ""
                report.errors.append(
                    RowError(
                        row.number,
                        "person_id",
                        f"“{row.shown_name}” matches several people in the archive ("
                        + ", ".join(f"#{pk}" for pk in ids[:MATCHES_LISTED])
                        + "): give the one meant in person_id, or import creating new people.",
                        value=row.shown_name,
                    )
                )
        elif choice == ATTACH and row.number in groups:
            first = groups[row.number][0]
            decision = group_person.setdefault(first, NewPerson(first))
            said = (
                "a new person"
                if first == row.number
                else f"the new person of row {first}, which names the same person"
            )
        else:
            decision, said = NewPerson(row.number), "a new person"
            if not choice and (ids or row.number in groups):
                undecided = True
                said = "to be decided: attach or create a new person"
        decided[row.number] = decision

        group = groups.get(row.number, ())
        if ids or cases.get(row.number) or group or row.person_id is not None:
            report.matches.append(
                RowMatches(
                    row=row.number,
                    key=row.case_key,
                    name=row.shown_name,
                    people=[shown(pk) for pk in ids[:MATCHES_LISTED] if pk in people],
                    more_people=max(0, len(ids) - MATCHES_LISTED),
                    cases=cases.get(row.number, [])[:MATCHES_LISTED],
                    same_rows=[n for n in group[: MATCHES_LISTED + 1] if n != row.number][
                        :MATCHES_LISTED
                    ],
                    more_rows=max(0, len(group) - 1 - MATCHES_LISTED),
                    decision=said,
                )
            )
    report.needs_decision = undecided
    return decided


# What the report shows of a person who may be a row's (a values_list row).
PERSON_SHOWN = ("id", "name_original", "name_romanized", "aliases", "pseudonym", "privacy")
with translation.override("en"):  # the import report is in English
    PRIVACY_LABELS = {key: str(label).split(":")[0] for key, label in Privacy.choices}


def _matched_person(person: tuple, cases: int) -> MatchedPerson:
    pk, original, romanized, aliases, pseudonym, privacy = person
    names = " ".join(part for part in (romanized, original) if part)
    if aliases:
        names += f" (also {', '.join(aliases)})"
    if pseudonym:
        names += f"; shown as “{pseudonym}”"
    return MatchedPerson(
        id=pk,
        name=names or pseudonym,
        privacy=PRIVACY_LABELS[privacy],
        cases=cases,
        admin_url=admin_change_url("admin:people_person_change", pk),
    )


def _rows_naming_the_same_person(rows: list[CaseRow]) -> dict[int, list[int]]:
    """{row: every row of its group, in order}, for the rows sharing a whole name key with
    another row, directly or through others. The members' list is shared by the group."""
    parent: dict[int, int] = {}

    def root(n: int) -> int:
        while parent.get(n, n) != n:
            parent[n] = parent.get(parent[n], parent[n])
            n = parent[n]
        return n

    first_with_key: dict[str, int] = {}
    keys_of_forms: dict[tuple, set[str]] = {}
    for row in rows:
        forms = tuple(row.name_forms)
        if not forms:
            continue
        keys = keys_of_forms.get(forms)
        if keys is None:
            keys = keys_of_forms[forms] = set().union(*(name_keys(form) for form in forms))
        for key in keys:
            other = first_with_key.setdefault(key, row.number)
            if other != row.number:
                a, b = root(row.number), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = defaultdict(list)
    for number in sorted(set(parent) | set(parent.values())):
        members[root(number)].append(number)
    return {number: group for group in members.values() for number in group if len(group) > 1}


def _matching_cases(
    rows: list[CaseRow], matched: dict[int, list[int]], own_person: dict, own_case: dict
) -> dict[int, list[MatchedCase]]:
    """Existing cases each row may repeat: the same docket number as its case_key, or the
    same person (matched, given or its own) and source URL. Two queries for the file."""
    found: dict[int, list[MatchedCase]] = defaultdict(list)
    dockets = {docket_form(row.case_key) for row in rows}
    by_docket = defaultdict(list)
    for pk, public_id, state, docket in (
        # Upper(docket_number) = ANY(…): the index case_docket_upper.
        Case.objects.filter(any_of(Upper("docket_number"), sorted(dockets), "text"))
        .exclude(docket_number="")
        .values_list("pk", "public_id", "publication_state", "docket_number")
    ):
        by_docket[docket_form(docket)].append((pk, public_id, state))
    for row in rows:
        for pk, public_id, state in by_docket.get(docket_form(row.case_key), ()):
            if pk != own_case.get(row.number):
                found[row.number].append(
                    _matched_case(pk, public_id, state, "the same docket number")
                )

    candidates = {
        row.number: {
            *matched.get(row.number, ()),
            *([row.person_id] if row.person_id else []),
            *([own_person[row.number]] if row.number in own_person else []),
        }
        for row in rows
        if row.source and row.source.url
    }
    people = {pk for ids in candidates.values() for pk in ids}
    urls = {row.source.url for row in rows if row.source and row.source.url}
    by_person_url = defaultdict(dict)
    # The sources first (index source_url): a file citing no source of the archive, as a
    # first import of new reporting does, needs no more.
    sources = dict(
        Source.objects.filter(any_of("url", urls, "text")).values_list("pk", "url")
        if people and urls
        else []
    )
    if sources:
        for pk, public_id, state, person_id, source_id in (
            Citation.objects.filter(
                any_of("capture__source_id", sources), any_of("case__person_id", people)
            )
            .values_list(
                "case_id",
                "case__public_id",
                "case__publication_state",
                "case__person_id",
                "capture__source_id",
            )
            .distinct()
        ):
            by_person_url[(person_id, sources[source_id])][pk] = (public_id, state)
    for row in rows:
        for person_id in sorted(candidates.get(row.number, ())):
            for pk, (public_id, state) in by_person_url.get(
                (person_id, row.source.url), {}
            ).items():
                if pk != own_case.get(row.number) and all(m.id != pk for m in found[row.number]):
                    found[row.number].append(
                        _matched_case(pk, public_id, state, "the same person and source URL")
                    )
    return found


def _matched_case(pk: int, public_id: str, state: str, why: str) -> MatchedCase:
    return MatchedCase(
        id=pk,
        public_id=public_id,
        state=state,
        why=why,
        admin_url=admin_change_url("admin:cases_case_change", pk),
    )
