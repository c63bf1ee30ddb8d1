"""Writing a checked file: set-based statements (COPY for new rows, VALUES-list updates), a
fixed number per batch however many rows, under the rules of who may change what.

- New cases are drafts, each with its person (new, or an existing one the row is attached
  to), restrictions, amount, and citations of the row's source capture for the listing,
  each restriction and the amount.
- A draft whose key is known is updated to match its row. A case in review or published
  is corrected so only when a reviewer imports (casefile.cases.corrections), in a history
  context of its own ("import_correction", a correction in the public change log), and is
  then name-checked like every correction (a finding refuses the whole file); a retracted
  case is never changed. Every other row of a case past the draft stage is reported, with
  the reason.
- The cases updated are locked first (SELECT … FOR UPDATE, as services.lock_case does) and
  read under the lock: an editor saving one meanwhile either saved first (and the import
  works from that version) or is told, when saving, that the import changed it.
- A person is changed only through their only case, while it is a draft, and made more
  visible only by a reviewer; an existing person a row is attached to, sources and
  existing captures are never changed: the report lists what differs instead.
"""

from __future__ import annotations

from functools import lru_cache

import pghistory
import pgtrigger
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count

from casefile.authorities.models import Authority, AuthorityKind, Province
from casefile.cases import quotes
from casefile.cases.corrections import (
    may_correct_published,
    more_visible,
    people_with_reviewed_cases,
)
from casefile.cases.models import Amount, Case, Citation, Restriction, new_public_id
from casefile.cases.name_leaks import unresolved_name_leaks
from casefile.cases.vocabularies import CaseStatus, CitedField, PublicationState
from casefile.core.bulk import any_of, bulk_update_from_values, copy_insert
from casefile.core.text import has_cjk
from casefile.editorial.importing.checks import CaseRow, Plan, SourceSpec
from casefile.editorial.importing.duplicates import NewPerson
from casefile.editorial.importing.report import ImportReport, RowError, RowOutcome, admin_change_url
from casefile.people.models import Person, Privacy
from casefile.people.name_forms import PersonNames, person_name_fields
from casefile.sources.models import CaptureFile, Source, SourceCapture, SourceKind
from casefile.sources.services import attach_capture_file

IMPORT_CAPTURE_LABEL = "as cited in a spreadsheet import"
UNIDENTIFIED_AUTHORITY = "Unidentified authority"
BATCH = 5000
ANALYZE_AFTER_ROWS = 1000
NOT_YET_CREATED = -1  # the id of an authority a dry run would create

CASE_IMPORT_FIELDS = [
    "person_id",
    "authority_id",
    "list_name",
    "reason_original",
    "reason_en",
    "offence_category",
    "status",
    "listed_on",
    "listed_on_precision",
    "discovered_on",
    "discovered_on_precision",
    "removed_on",
    "removed_on_precision",
    "outcome",
    "notes",
]
# Case fields written from an optional column only when the file has it.
CASE_OPTIONAL_FIELDS = {"summary": "summary"}
# The person's columns a report names when it does not apply them.
PERSON_REPORTED_FIELDS = {
    "name_original": "person_name",
    "name_romanized": "person_name_romanized",
    "aliases": "person_aliases",
    "occupation": "occupation",
    "privacy": "public_figure",
}
PERSON_IMPORT_FIELDS = [
    "name_original",
    "name_romanized",
    "aliases",
    "name_keys",
    "name_spellings",
    "occupation",
    "privacy",
    "pseudonym",
]
# The triggers that touch a case when a part of it is written. New cases are inserted with
# their restriction kinds and timestamps already right, so for their parts these triggers
# would only rewrite each new case three more times (every rewrite writes a new row
# version and its index entries): they are skipped for them.
TOUCH_TRIGGERS = (
    "cases.Restriction:case_restriction_kinds_ins",
    "cases.Amount:touch_case_amount_ins",
    "cases.Citation:touch_case_citation_ins",
)


class RefusedWhileWriting(Exception):
    """A rule only the writing can check refused rows: the whole file is refused (raised
    inside the import's transaction, which rolls everything back)."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(map(str, errors)))


class NamesInCorrections(RefusedWhileWriting):
    """A correction of a published case would name its person."""


class FilesRefused(RefusedWhileWriting):
    """A file could not be kept with its capture (the role, or the file itself)."""


def _pseudonym(row: CaseRow) -> str:
    place = Province(row.province).english if row.province else ""
    return f"Unnamed person, {place}" if place else "Unnamed person"


def _person_values(row: CaseRow, current_privacy: str | None, current_pseudonym: str) -> dict:
    names = _names_cached(row.name_original, row.name_romanized, row.aliases)
    privacy = Privacy.PUBLIC if row.public_figure else Privacy.PSEUDONYMISED
    if current_privacy == Privacy.WITHHELD:
        privacy = Privacy.WITHHELD  # never loosened by an import
    return {
        "name_original": row.name_original,
        "name_romanized": names.name_romanized,
        "aliases": list(row.aliases),
        "name_keys": names.name_keys,
        "name_spellings": names.name_spellings,
        "occupation": row.occupation,
        "privacy": privacy,
        "pseudonym": current_pseudonym or _pseudonym(row),
    }


@lru_cache(maxsize=65536)
def _names_cached(name: str, romanized: str, aliases: tuple[str, ...]) -> PersonNames:
    """The romanised name, search keys and spellings of a name, as Person.normalize_names
    derives them (computing name forms is slow, and names repeat)."""
    return person_name_fields(name.strip(), romanized.strip(), aliases)


def _case_values(row: CaseRow, person_id, authority_id, given: frozenset[str]) -> dict:
    chinese_reason = has_cjk(row.reason)
    values = {
        "person_id": person_id,
        "authority_id": authority_id,
        "list_name": row.list_name,
        "reason_original": row.reason if chinese_reason else "",
        "reason_en": "" if chinese_reason else row.reason,
        "offence_category": row.offence_category,
        "status": CaseStatus.REMOVED if row.removed else CaseStatus.UNKNOWN,
        "outcome": row.outcome,
        "notes": row.notes,
    }
    for name, partial in (
        ("listed_on", row.listed),
        ("discovered_on", row.discovered),
        ("removed_on", row.removed),
    ):
        values[name] = partial.date if partial else None
        values[f"{name}_precision"] = partial.precision if partial else ""
    for field, column in CASE_OPTIONAL_FIELDS.items():
        if column in given:
            values[field] = getattr(row, column)
    return values


class Writer:
    """Writes (or, in a dry run, reports what it would write for) the rows of a plan."""

    def __init__(
        self,
        plan: Plan,
        existing: dict[str, Case],
        people: dict,
        report: ImportReport,
        *,
        by=None,
        filename: str = "",
        now,
        bundle=None,
    ):
        self.rows = plan.rows
        self.given = plan.given
        self.files = plan.files  # row number -> bundle.NamedFile
        self.bundle = bundle  # the ZIP the files are read from
        self.existing = existing
        self.people = people  # row number -> existing person id, NewPerson, or None
        self.report = report
        self.by = by
        self.user_id = getattr(by, "pk", None)
        self.filename = filename[:200]
        self.now = now
        self.write = not report.dry_run

    # --- the plan of the rows -------------------------------------------------------------

    def run(self) -> None:
        new_rows, drafts, corrections = [], [], []
        for row in self.rows:
            case = self.existing.get(row.case_key)
            if case is None:
                new_rows.append(row)
            elif case.publication_state == PublicationState.DRAFT:
                drafts.append((row, case))
            elif case.publication_state == PublicationState.RETRACTED:
                self._skip(row, case, "the case is retracted; a retracted case is kept as it was.")
            elif may_correct_published(self.by):
                corrections.append((row, case))
            else:
                self._skip(
                    row,
                    case,
                    f"the case is {case.get_publication_state_display().lower()}: only a "
                    "reviewer corrects it by import (or in the admin).",
                )
        if self.report.dry_run and any(
            case.publication_state == PublicationState.PUBLISHED for _, case in corrections
        ):
            # A correction of a published case is name-checked as written, its new
            # citations and sources included: the dry run writes, checks, and is rolled
            # back (import_cases), so that it says exactly what the import would.
            self.write = True
            list(
                Case.objects.select_for_update(of=("self",))
                .filter(any_of("id", sorted(c.pk for _, c in drafts + corrections)))
                .values_list("id", flat=True)
            )
        outcomes = {}
        with pghistory.context(action="import", user=self.user_id, file=self.filename) as ctx:
            authorities = self._authorities()
            captures = self._captures() if self.write else {}
            self._create(new_rows, authorities, captures, outcomes)
            self._update(drafts, authorities, captures, outcomes, "updated")
        self._note_context(ctx, outcomes, ("created", "updated"))
        if corrections:
            with pghistory.context(
                action="import_correction", user=self.user_id, file=self.filename
            ) as ctx:
                self._update(corrections, authorities, captures, outcomes, "corrected")
            self._note_context(ctx, outcomes, ("corrected",))
            self._check_names(corrections, outcomes)
        if self.files and not self.report.dry_run:
            with pghistory.context(action="import", user=self.user_id, file=self.filename):
                self._keep_files(captures, outcomes)
        self.report.outcomes = sorted(
            [*self.report.outcomes, *outcomes.values()], key=lambda o: o.row
        )

    def _note_context(self, ctx, outcomes: dict, kinds: tuple[str, ...]) -> None:
        """Keep the history context of a phase that changed cases, for the report's link."""
        if self.report.dry_run:
            return
        if any(outcome.outcome in kinds for outcome in outcomes.values()):
            self.report.contexts.append(str(ctx.id))

    def _skip(self, row: CaseRow, case: Case, reason: str) -> None:
        self.report.outcomes.append(self._outcome(row, case, "skipped", reason))

    @staticmethod
    def _outcome(row: CaseRow, case: Case | None, outcome: str, reason: str = "") -> RowOutcome:
        return RowOutcome(
            row=row.number,
            key=row.case_key,
            outcome=outcome,
            case_id=case.pk if case else None,
            public_id=case.public_id if case else "",
            reason=reason,
            admin_url=admin_change_url("admin:cases_case_change", case.pk) if case else "",
        )

    # --- authorities, sources, captures ---------------------------------------------------------

    @staticmethod
    def _authority_key(row: CaseRow):
        if not (row.authority or row.province or row.city):
            return None
        return (row.authority or UNIDENTIFIED_AUTHORITY, row.province, row.city)

    def _authorities(self) -> dict[tuple, int]:
        wanted = {key for row in self.rows if (key := self._authority_key(row))}
        found = {
            (a.name, a.province, a.city): a.pk
            for a in Authority.objects.filter(any_of("name", {k[0] for k in wanted}, "text"))
        }
        missing = sorted(wanted - found.keys())
        if not self.write:
            # Not created in a dry run; a stand-in id no case has makes a case that
            # would get the new authority count as updated.
            return {**found, **dict.fromkeys(missing, NOT_YET_CREATED)}
        stamps = {"created_at": self.now, "updated_at": self.now}
        ids = copy_insert(
            Authority,
            [
                {
                    **stamps,
                    "name": name,
                    "province": province,
                    "city": city,
                    "kind": AuthorityKind.OTHER
                    if name == UNIDENTIFIED_AUTHORITY
                    else AuthorityKind.COURT,
                }
                for name, province, city in missing
            ],
        )
        found.update(zip(missing, ids, strict=True))
        return found

    def _sources(self) -> dict[tuple, int]:
        """The source of each distinct SourceSpec.key of the file, found or created."""
        first_spec: dict[tuple, SourceSpec] = {}
        for row in self.rows:
            if row.source:
                first_spec.setdefault(row.source.key, row.source)
        urls = {spec.url for spec in first_spec.values() if spec.url}
        titles = {spec.title for spec in first_spec.values() if not spec.url}
        found: dict[tuple, int] = {}
        for pk, url in (
            Source.objects.filter(any_of("url", urls, "text"))
            .order_by("id")
            .values_list("pk", "url")
        ):
            found.setdefault(("url", url), pk)
        for source in Source.objects.filter(any_of("title", titles, "text"), url="").order_by("id"):
            found.setdefault(("title", source.title, source.outlet, source.published), source.pk)
        missing = [key for key in first_spec if key not in found]
        stamps = {"created_at": self.now, "updated_at": self.now}
        ids = copy_insert(
            Source, [{**stamps, **self._source_values(first_spec[key])} for key in missing]
        )
        found.update(zip(missing, ids, strict=True))
        return found

    @staticmethod
    def _source_values(spec: SourceSpec) -> dict:
        return {
            "kind": SourceKind.OTHER,
            "title": spec.title,
            "outlet": spec.outlet,
            "authors": list(spec.authors),
            "url": spec.url,
            "language": spec.language,
            "published_on": spec.published.date if spec.published else None,
            "published_on_precision": spec.published.precision if spec.published else "",
        }

    def _captures(self) -> dict[int, int]:
        """{row number: the capture the row cites}: the capture of its source at its
        source_captured time, else the source's import capture (made at the first import
        that cited the source), created as needed; a new capture keeps the row's archive
        URL. Existing captures are never changed: a different archive URL is reported."""
        sources = self._sources()
        wanted: dict[tuple, str] = {}  # (source id, capture time or None) -> archive URL
        for row in self.rows:
            if row.source:
                key = (sources[row.source.key], row.captured)
                if row.archive_url or key not in wanted:
                    wanted[key] = row.archive_url or wanted.get(key, "")
        source_ids = sorted({source_id for source_id, _ in wanted})
        found: dict[tuple, tuple[int, str]] = {}
        for pk, source_id, captured_at, label, archive_url in (
            SourceCapture.objects.filter(any_of("source_id", source_ids))
            .order_by("-id")
            .values_list("pk", "source_id", "captured_at", "label", "archive_url")
        ):
            found[(source_id, captured_at)] = (pk, archive_url)
            if label == IMPORT_CAPTURE_LABEL:
                found[(source_id, None)] = (pk, archive_url)  # the first one wins
        missing = [key for key in wanted if key not in found]
        stamps = {"created_at": self.now, "updated_at": self.now}
        ids = copy_insert(
            SourceCapture,
            [
                {
                    **stamps,
                    "source_id": source_id,
                    "label": IMPORT_CAPTURE_LABEL,
                    "captured_at": captured or self.now,
                    "archive_url": wanted[(source_id, captured)],
                }
                for source_id, captured in missing
            ],
        )
        for key, pk in zip(missing, ids, strict=True):
            found[key] = (pk, wanted[key])
        capture_of = {}
        reported = set()
        for row in self.rows:
            if not row.source:
                continue
            key = (sources[row.source.key], row.captured)
            pk, archive_url = found[key]
            capture_of[row.number] = pk
            if row.archive_url and row.archive_url != archive_url and pk not in reported:
                reported.add(pk)
                self.report.person_differences.append(
                    f"Row {row.number} ({row.case_key}): the capture it cites (#{pk}) "
                    f"{'has the archive URL ' + archive_url if archive_url else 'has no archive URL'}; "
                    "the import does not change an existing capture: correct it in the admin "
                    "(or give source_captured for a capture of its own)."
                )
        return capture_of

    # --- new cases -------------------------------------------------------------------------

    def _create(self, rows: list[CaseRow], authorities, captures, outcomes) -> None:
        if not rows:
            return
        attached = self._attached_people(rows)
        if not self.write:
            for row in rows:
                outcomes[row.number] = self._outcome(row, None, "created")
            return
        with pgtrigger.ignore(*TOUCH_TRIGGERS):
            self._create_rows(rows, authorities, captures, attached, outcomes)
        if len(rows) >= ANALYZE_AFTER_ROWS:
            # The planner's statistics still describe the tables before the import, so
            # it would plan the next queries (a re-import's reads, the triggers' joins)
            # for nearly empty tables: nested loops over 100,000 rows. Refresh them now.
            with connection.cursor() as cursor:
                for model in (Person, Case, Restriction, Amount, Citation):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def _attached_people(self, rows: list[CaseRow]) -> dict[int, Person]:
        """The existing people rows are attached to; what the rows say of them differently
        is reported: the import does not change them."""
        ids = {
            self.people[row.number] for row in rows if isinstance(self.people.get(row.number), int)
        }
        people = Person.objects.in_bulk(list(ids))
        for row in rows:
            person = people.get(self.people.get(row.number))
            if person is not None:
                self._report_person(
                    row,
                    person,
                    f"the case is for person #{person.pk}, already in the archive, whom the "
                    "import does not change",
                )
        return people

    def _report_person(self, row: CaseRow, person: Person, situation: str) -> None:
        """Report what the row says of `person` differently, when the import may not apply
        it. A column the row leaves empty (not known) differs from nothing."""
        wanted = _person_values(row, person.privacy, person.pseudonym)
        given = {
            "name_original": bool(row.name_original),
            "name_romanized": bool(row.name_romanized),
            "aliases": bool(set(row.aliases) - set(person.aliases)),
            "occupation": bool(row.occupation),
            "privacy": True,
        }
        differ = [
            label
            for field, label in PERSON_REPORTED_FIELDS.items()
            if given[field] and wanted[field] != getattr(person, field)
        ]
        if differ:
            self.report.person_differences.append(
                f"Row {row.number} ({row.case_key}): {situation}; the file differs in "
                f"{', '.join(differ)}. Change the person in the admin if the file is right."
            )

    def _create_rows(self, rows: list[CaseRow], authorities, captures, attached, outcomes):
        """New cases and everything they own, with COPY: a handful of statements in all.

        Rows are passed to COPY as generators, so that building them (romanising names,
        above all) overlaps the server's inserting of the ones before."""
        stamps = {"created_at": self.now, "updated_at": self.now}
        new_people = []  # rows whose columns make a new person
        for row in rows:
            decision = self.people.get(row.number)
            if isinstance(decision, NewPerson) and decision.row == row.number:
                new_people.append(row)
        person_ids = copy_insert(
            Person,
            ({**stamps, **_person_values(row, None, "")} for row in new_people),
            len(new_people),
        )
        new_id = dict(zip((row.number for row in new_people), person_ids, strict=True))

        def person_of(row: CaseRow) -> int:
            decision = self.people.get(row.number)
            if isinstance(decision, NewPerson):
                return new_id[decision.row]
            return decision

        public_ids = [new_public_id() for _ in rows]
        case_ids = copy_insert(
            Case,
            (
                {
                    **stamps,
                    **_case_values(
                        row, person_of(row), authorities.get(self._authority_key(row)), self.given
                    ),
                    "public_id": public_id,
                    "external_key": row.case_key,
                    "publication_state": PublicationState.DRAFT,
                    "restriction_kinds": sorted(row.restrictions),
                }
                for row, public_id in zip(rows, public_ids, strict=True)
            ),
            len(rows),
        )
        restriction_rows = [
            (case_id, kind)
            for row, case_id in zip(rows, case_ids, strict=True)
            for kind in row.restrictions
        ]
        restriction_ids = copy_insert(
            Restriction,
            ({**stamps, "case_id": case_id, "kind": kind} for case_id, kind in restriction_rows),
            len(restriction_rows),
        )
        restriction_of = dict(zip(restriction_rows, restriction_ids, strict=True))
        amount_rows = [
            (row, case_id)
            for row, case_id in zip(rows, case_ids, strict=True)
            if row.amount is not None
        ]
        amount_ids = copy_insert(
            Amount,
            ({**stamps, **self._amount_values(row, case_id)} for row, case_id in amount_rows),
            len(amount_rows),
        )
        amount_of = {
            case_id: amount_id
            for (_, case_id), amount_id in zip(amount_rows, amount_ids, strict=True)
        }
        cited = [(row, case_id) for row, case_id in zip(rows, case_ids, strict=True) if row.source]

        # The listing citation carries the row's quote, checked against the capture's
        # kept files (casefile.cases.quotes) in one query for the whole file.
        quote_checks = quotes.results([(captures[row.number], row.quote) for row, _ in cited])

        def citations():
            for (row, case_id), quote_check in zip(cited, quote_checks, strict=True):
                cite = {**stamps, "case_id": case_id, "capture_id": captures[row.number]}
                yield {
                    **cite,
                    "case_field": CitedField.LISTING.value,
                    "quote": row.quote,
                    "quote_check": quote_check,
                }
                for kind in row.restrictions:
                    yield {**cite, "restriction_id": restriction_of[(case_id, kind)]}
                if case_id in amount_of:
                    yield {**cite, "amount_id": amount_of[case_id]}

        # The listing, each restriction and the amount: as many as citations() yields.
        count = sum(1 + len(row.restrictions) + (case_id in amount_of) for row, case_id in cited)
        copy_insert(Citation, citations(), count)
        for row, case_id, public_id in zip(rows, case_ids, public_ids, strict=True):
            outcomes[row.number] = RowOutcome(
                row=row.number,
                key=row.case_key,
                outcome="created",
                case_id=case_id,
                public_id=public_id,
                admin_url=admin_change_url("admin:cases_case_change", case_id),
            )

    def _amount_values(self, row: CaseRow, case_id) -> dict:
        if "amount_as_reported" in self.given:
            as_reported = row.amount_as_reported  # verbatim; empty: not known
        else:
            as_reported = f"{row.amount_text} {row.currency}"[:200]
        return {
            "case_id": case_id,
            "kind": row.amount_kind,
            "value": row.amount,
            "currency": row.currency,
            "as_reported": as_reported,
        }

    # --- existing cases --------------------------------------------------------------------

    def _update(self, pairs, authorities, captures, outcomes, outcome: str) -> None:
        """Make each pair's case match its row. The cases were read under a lock."""
        if not pairs:
            return
        case_ids = [case.pk for _, case in pairs]
        kinds: dict[int, dict[str, int]] = {}
        for pk, case_id, kind in Restriction.objects.filter(
            any_of("case_id", case_ids)
        ).values_list("pk", "case_id", "kind"):
            kinds.setdefault(case_id, {})[kind] = pk
        first_amount: dict[int, Amount] = {}
        for amount in Amount.objects.filter(any_of("case_id", case_ids)).order_by("-id"):
            first_amount[amount.case_id] = amount  # the lowest id wins: the row's amount
        reviewed = people_with_reviewed_cases({case.person_id for _, case in pairs})
        case_counts = dict(
            Case.objects.filter(any_of("person_id", {case.person_id for _, case in pairs}))
            .values_list("person_id")
            .annotate(n=Count("id"))
            .values_list("person_id", "n")
        )
        moved_to = Person.objects.in_bulk(
            [
                self.people[row.number]
                for row, case in pairs
                if isinstance(self.people.get(row.number), int)
            ]
        )

        listing: dict[int, dict[int, Citation]] = {}  # case -> capture -> its listing citation
        if "quote" in self.given:
            for citation in Citation.objects.filter(
                any_of("case_id", case_ids), case_field=CitedField.LISTING
            ):
                listing.setdefault(citation.case_id, {})[citation.capture_id] = citation

        changed_people, changed_cases, changed_amounts, changed_citations = [], [], [], []
        new_restrictions, new_amounts, gone_restrictions, gone_amounts = [], [], [], []
        changed_rows = []
        for row, case in pairs:
            person = case.person
            person_id = person.pk
            target = self.people.get(row.number)
            row_changed = False
            if isinstance(target, int) and target != person.pk:
                person_id = target  # person_id moves the case to that person
                self._report_person(
                    row,
                    moved_to[target],
                    f"person_id moves the case to person #{target}, whom the import does "
                    "not change",
                )
            elif person.pk not in reviewed and case_counts.get(person.pk, 0) > 1:
                self._report_person(
                    row,
                    person,
                    f"person #{person.pk} has other cases too, so the import does not change "
                    "them through this one",
                )
            else:
                person_values = self._person_changes(row, person, reviewed)
                if person_values:
                    for k, v in person_values.items():
                        setattr(person, k, v)
                    changed_people.append(person)
                    row_changed = True
            case_values = _case_values(
                row, person_id, authorities.get(self._authority_key(row)), self.given
            )
            if any(getattr(case, k) != v for k, v in case_values.items()):
                for k, v in case_values.items():
                    setattr(case, k, v)
                case.updated_at = self.now
                changed_cases.append(case)
                row_changed = True
            current_kinds = kinds.get(case.pk, {})
            for kind in row.restrictions:
                if kind not in current_kinds:
                    new_restrictions.append(Restriction(case_id=case.pk, kind=kind))
                    row_changed = True
            for kind, pk in current_kinds.items():
                if kind not in row.restrictions:
                    gone_restrictions.append(pk)
                    row_changed = True
            amount = first_amount.get(case.pk)
            if row.amount is None and amount is not None:
                gone_amounts.append(amount.pk)
                row_changed = True
            elif row.amount is not None and amount is None:
                new_amounts.append(Amount(**self._amount_values(row, case.pk)))
                row_changed = True
            elif row.amount is not None:
                wanted = self._amount_update(row, amount)
                if wanted:
                    for k, v in wanted.items():
                        setattr(amount, k, v)
                    changed_amounts.append(amount)
                    row_changed = True
            if "quote" in self.given and row.source:
                cited = listing.get(case.pk, {})
                if self.write:
                    citation = cited.get(captures[row.number])
                    if citation is not None and citation.quote != row.quote:
                        citation.quote = row.quote
                        changed_citations.append(citation)
                        row_changed = True
                elif cited and all(c.quote != row.quote for c in cited.values()):
                    row_changed = True
            if row_changed:
                changed_rows.append((row, case))
            outcomes[row.number] = self._outcome(row, case, outcome if row_changed else "unchanged")

        if not self.write:
            return
        bulk_update_from_values(Person, changed_people, PERSON_IMPORT_FIELDS)
        # Setting updated_at here spares the database a second write of each case
        # (case_touch_updated_at bumps it for updates that leave it as it was).
        fields = [
            *CASE_IMPORT_FIELDS,
            *(f for f, c in CASE_OPTIONAL_FIELDS.items() if c in self.given),
        ]
        bulk_update_from_values(Case, changed_cases, [*fields, "updated_at"])
        bulk_update_from_values(
            Amount, changed_amounts, ["kind", "value", "currency", "as_reported"]
        )
        Restriction.objects.filter(any_of("id", gone_restrictions)).delete()
        Amount.objects.filter(any_of("id", gone_amounts)).delete()
        Restriction.objects.bulk_create(new_restrictions, batch_size=BATCH)
        Amount.objects.bulk_create(new_amounts, batch_size=BATCH)
        # Citations are checked for every changed row with a source: an unchanged row
        # whose citation an editor deleted gets it back only when the row changes.
        self._cite(changed_rows, captures)
        quotes.assess_quotes(changed_citations)
        bulk_update_from_values(Citation, changed_citations, ["quote", "quote_check"])

    def _amount_update(self, row: CaseRow, amount: Amount) -> dict:
        """What changes of the case's amount (the row's: its first) to match the row, from
        the columns the file has."""
        wanted = self._amount_values(row, amount.case_id)
        compared = ["value", "currency"]
        if "amount_kind" in self.given:
            compared.append("kind")
        if "amount_as_reported" in self.given:
            compared.append("as_reported")
        if all(getattr(amount, k) == wanted[k] for k in compared):
            return {}
        changes = {k: wanted[k] for k in compared}
        if "amount_as_reported" not in self.given:
            changes["as_reported"] = wanted["as_reported"]  # version 1 kept "1330 CAD"
        return changes

    def _person_changes(self, row: CaseRow, person: Person, reviewed_people: set) -> dict:
        """What the row changes of its case's person, as far as the importing user may
        (casefile.cases.corrections): nothing of a person with a case past the draft
        stage, and a more visible privacy level only for a reviewer. What is not applied
        is reported."""
        wanted = _person_values(row, person.privacy, person.pseudonym)
        changes = {k: v for k, v in wanted.items() if getattr(person, k) != v}
        if "person_aliases" not in self.given and not row.aliases:
            changes.pop("aliases", None)  # a file without the column leaves aliases be
        shown = [name for name in changes if name in PERSON_REPORTED_FIELDS]
        if person.pk in reviewed_people:
            if shown:
                self.report.person_differences.append(
                    f"Row {row.number} ({row.case_key}): person #{person.pk} has a case in "
                    "review, published or retracted, so the import does not change them; the "
                    f"file differs in {', '.join(PERSON_REPORTED_FIELDS[n] for n in shown)}. "
                    "A reviewer can correct the person in the admin."
                )
            return {}
        loosens = "privacy" in changes and more_visible(person.privacy, changes["privacy"])
        if loosens and not may_correct_published(self.by):
            self.report.person_differences.append(
                f"Row {row.number} ({row.case_key}): public_figure would make person "
                f"#{person.pk} more visible ({person.privacy} → {changes['privacy']}); "
                "only a reviewer can, so their privacy level was kept."
            )
            changes.pop("privacy")
        return changes

    def _cite(self, pairs: list[tuple[CaseRow, Case]], captures) -> None:
        """Cite each row's capture for the listing, each restriction and the amount,
        unless that citation already exists."""
        cited_rows = [(row, case) for row, case in pairs if row.source]
        if not cited_rows:
            return
        case_ids = [case.pk for _, case in cited_rows]
        existing = set(
            Citation.objects.filter(any_of("case_id", case_ids)).values_list(
                "case_id", "capture_id", "case_field", "restriction_id", "amount_id"
            )
        )
        restrictions = {}
        for pk, case_id, kind in Restriction.objects.filter(
            any_of("case_id", case_ids)
        ).values_list("pk", "case_id", "kind"):
            restrictions[(case_id, kind)] = pk
        amounts = {}
        for pk, case_id in (
            Amount.objects.filter(any_of("case_id", case_ids))
            .order_by("-id")
            .values_list("pk", "case_id")
        ):
            amounts[case_id] = pk
        citations = []
        for row, case in cited_rows:
            capture_id = captures[row.number]
            claims = [(CitedField.LISTING.value, None, None)]
            claims += [("", restrictions[(case.pk, kind)], None) for kind in row.restrictions]
            if row.amount is not None:
                claims.append(("", None, amounts[case.pk]))
            for case_field, restriction_id, amount_id in claims:
                if (case.pk, capture_id, case_field, restriction_id, amount_id) not in existing:
                    citations.append(
                        Citation(
                            case_id=case.pk,
                            capture_id=capture_id,
                            case_field=case_field,
                            restriction_id=restriction_id,
                            amount_id=amount_id,
                            quote=row.quote if case_field else "",
                        )
                    )
        quotes.assess_quotes(citations)
        Citation.objects.bulk_create(citations, batch_size=BATCH)

    # --- the captures' files -------------------------------------------------------------------

    def _keep_files(self, captures: dict[int, int], outcomes: dict) -> None:
        """Keep each row's file with the capture the row cites, once per capture and file
        (rows naming one file for one capture share it; a file the capture keeps already
        is not kept again, so a corrected file can be imported again). The same rules
        as every attachment (casefile.sources.services.attach_capture_file): a capture a
        published case cites takes a file only from a reviewer. Rows that were skipped
        keep nothing."""
        wanted: dict[tuple[int, str], tuple[CaseRow, object]] = {}
        for row in self.rows:
            named = self.files.get(row.number)
            outcome = outcomes.get(row.number)
            if named is None or outcome is None or outcome.outcome == "skipped":
                continue
            wanted.setdefault((captures[row.number], named.checked.sha256), (row, named))
        kept = set(
            CaptureFile.objects.filter(any_of("capture_id", {c for c, _ in wanted})).values_list(
                "capture_id", "sha256"
            )
        )
        capture_of = SourceCapture.objects.select_related("source").in_bulk(
            {capture_id for capture_id, _ in wanted}
        )
        errors = []
        for (capture_id, sha256), (row, named) in sorted(
            wanted.items(), key=lambda w: w[1][0].number
        ):
            if (capture_id, sha256) in kept:
                continue
            try:
                with self.bundle.open(named.info) as member:
                    attach_capture_file(
                        capture=capture_of[capture_id],
                        file=member,
                        filename=named.info.filename,
                        by=self.by,
                        declared_sha256=row.capture_sha256 or None,
                    )
            except PermissionDenied as refused:
                errors.append(
                    RowError(row.number, "capture_file", str(refused), value=row.capture_file)
                )
            except ValidationError as refused:
                errors.extend(
                    RowError(row.number, "capture_file", " ".join(messages), value=row.capture_file)
                    for messages in refused.message_dict.values()
                )
            else:
                self.report.files_kept += 1
        if errors:
            raise FilesRefused(errors)

    # --- the name check of corrections -------------------------------------------------------

    def _check_names(self, corrections, outcomes) -> None:
        """A correction of a published case is refused while its public text names its
        person (casefile.cases.name_leaks), as every correction is: the whole file."""
        if not self.write:
            return
        errors = []
        for row, case in corrections:
            if outcomes[row.number].outcome != "corrected":
                continue
            if case.publication_state != PublicationState.PUBLISHED:
                continue
            fresh = Case.objects.select_related("person").get(pk=case.pk)
            findings = unresolved_name_leaks(fresh)
            if findings:
                errors.append(
                    RowError(
                        row.number,
                        "—",
                        f"the correction of published case {case.public_id} would name its "
                        "person, who is not a public figure, in its public text: "
                        + "; ".join(f"{f.place} (“{f.found}”)" for f in findings)
                        + ". Remove the name, or have a reviewer accept the finding on the "
                        "case's name-check page.",
                    )
                )
        if errors:
            raise NamesInCorrections(errors)
