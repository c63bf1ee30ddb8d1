"""A case page's content in reading order, with its footnotes numbered.

Every claim on the page (a fact of the case, a restriction, an amount, a timeline
event, the summary, narrative and outcome) carries the citations that support it.
Footnotes are numbered in the order the claims appear; citations of the same
capture with the same locator and quote share one note. The template only loops.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.cases.visibility import file_sharing, public_cases
from casefile.cases.vocabularies import CitedField, QuoteCheck
from casefile.core.languages import is_chinese
from casefile.sources.models import CaptureFile, SourceCapture


@dataclass
class Ref:
    """One footnote mark on the page: its note's number and the mark's own anchor."""

    number: int
    anchor: str


@dataclass
class Note:
    number: int
    capture: SourceCapture
    locator: str
    quote: str
    quote_check: str = ""
    backlinks: list[str] = field(default_factory=list)
    # (kept file, what the public may have of it), set by CasePage
    files: list[tuple[CaptureFile, str]] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """The quote was found in the text of a file kept of the capture."""
        return self.quote_check == QuoteCheck.FOUND

    @property
    def source(self):
        return self.capture.source

    @property
    def anchor(self) -> str:
        return f"note-{self.number}"


class Footnotes:
    def __init__(self):
        self.notes: list[Note] = []
        self._by_key: dict[tuple, Note] = {}

    def refs(self, citations) -> list[Ref]:
        refs = []
        for citation in citations:
            key = (citation.capture_id, citation.locator, citation.quote)
            note = self._by_key.get(key)
            if note is None:
                note = Note(
                    len(self.notes) + 1,
                    citation.capture,
                    citation.locator,
                    citation.quote,
                    citation.quote_check,
                )
                self.notes.append(note)
                self._by_key[key] = note
            if any(ref.number == note.number for ref in refs):
                continue
            anchor = f"ref-{note.number}-{len(note.backlinks) + 1}"
            note.backlinks.append(anchor)
            refs.append(Ref(note.number, anchor))
        return refs


@dataclass
class Fact:
    label: str
    value: str
    refs: list[Ref]
    original: str = ""  # the same in Chinese, when there is one
    url: str = ""


@dataclass
class Claim:
    """A restriction, amount or event with its footnote marks."""

    item: Restriction | Amount | Event
    refs: list[Ref]
    differing: list[Claim] = field(default_factory=list)  # the same figure, reported otherwise


@dataclass
class Passage:
    heading: str
    text: str
    refs: list[Ref]


def _authority_fact(authority) -> Fact:
    """The listing authority: in English its English name and place, with the Chinese
    name below; in Chinese its Chinese name and place (the English name below)."""
    place_parts = (authority.city, authority.province_name)
    if is_chinese() and authority.name_original:
        place = "，".join(p for p in place_parts if p)
        name = f"{authority.name_original}（{place}）" if place else authority.name_original
        return Fact(_("Listed by"), name, [], authority.name, authority.get_absolute_url())
    place = ", ".join(p for p in place_parts if p)
    name = f"{authority.name} ({place})" if place else authority.name
    return Fact(_("Listed by"), name, [], authority.name_original, authority.get_absolute_url())


def yes_no(value: bool | None) -> str:
    return str({True: _("Yes"), False: _("No"), None: _("Unknown")}[value])


class CasePage:
    """Everything the case page shows, in order; build with CasePage.load(public_id)."""

    def __init__(self, case: Case):
        self.case = case
        self.footnotes = Footnotes()
        by_field, by_part = defaultdict(list), defaultdict(list)
        for citation in case.citations.all():
            if citation.case_field:
                by_field[citation.case_field].append(citation)
            else:
                part = ("restriction", citation.restriction_id) if citation.restriction_id else (
                    ("amount", citation.amount_id) if citation.amount_id else
                    ("event", citation.event_id)
                )  # fmt: skip
                by_part[part].append(citation)
        self._by_part = by_part
        cite = self.footnotes.refs
        self.facts = self._facts(case, by_field, cite)
        self.restrictions = [
            Claim(r, cite(by_part["restriction", r.id])) for r in case.restrictions.all()
        ]
        self.amounts = [Claim(a, cite(by_part["amount", a.id])) for a in case.amounts.all()]
        self._mark_differing_amounts()
        self.events = [Claim(e, cite(by_part["event", e.id])) for e in case.events.all()]
        self.passages = [
            Passage(heading, text, cite(by_field[cited]))
            for heading, text, cited in (
                (_("Summary"), case.summary, CitedField.SUMMARY),
                (_("Account"), case.narrative, CitedField.NARRATIVE),
                (_("Outcome"), case.outcome, CitedField.OUTCOME),
            )
            if text
        ]
        self.notes = self.footnotes.notes
        self._add_kept_files()

    def _add_kept_files(self) -> None:
        """Each note's kept files (hash, size, type: public with the capture) and what the
        public may have of each (visibility.file_sharing: one query for the page)."""
        files = {kept.pk: kept for note in self.notes for kept in note.capture.files.all()}
        sharing = file_sharing(files.values())
        for note in self.notes:
            note.files = [
                (kept, sharing.get(kept.pk, "never")) for kept in note.capture.files.all()
            ]

    @classmethod
    def queryset(cls):
        """Published cases with everything the page shows: six queries in all, and one
        for what the public may have of the kept files."""
        cited = Citation.objects.select_related("capture__source").order_by("id")
        kept = CaptureFile.objects.only(
            "id", "capture_id", "sha256", "size", "media_type", "storage_name", "attached_at"
        ).order_by("attached_at", "id")
        return (
            public_cases()
            .for_display()
            .prefetch_related(
                Prefetch("citations", queryset=cited),
                Prefetch("citations__capture__files", queryset=kept),
                "restrictions",
                "amounts",
                "events",
            )
        )

    @staticmethod
    def _facts(case: Case, by_field, cite) -> list[Fact]:
        person, authority = case.person, case.authority
        facts = [Fact(_("Person"), person.display_name(), [])]
        if person.occupation:
            facts.append(Fact(_("Occupation"), person.occupation, []))
        facts[0].refs = cite(by_field[CitedField.PERSON])
        facts.append(
            Fact(_("List"), case.get_list_name_display(), cite(by_field[CitedField.LISTING]))
        )
        if authority:
            facts.append(_authority_fact(authority))
        if case.docket_number:
            facts.append(Fact(_("Docket number"), "", [], case.docket_number))
        if case.listed:
            facts.append(Fact(_("Listed"), str(case.listed), []))
        if case.reason_original or case.reason_en:
            facts.append(
                Fact(_("Stated reason"), case.reason_en, cite(by_field[CitedField.REASON]),
                     case.reason_original)
            )  # fmt: skip
        facts.append(
            Fact(_("Offence alleged"), case.get_offence_category_display(),
                 cite(by_field[CitedField.OFFENCE]))
        )  # fmt: skip
        status = str(case.get_status_display())
        if case.removed:
            status = gettext("%(status)s (%(removed)s)") % {
                "status": status,
                "removed": case.removed,
            }
        facts.append(Fact(_("Status"), status, cite(by_field[CitedField.STATUS])))
        notified = yes_no(case.notified)
        if case.discovered:
            notified = gettext("%(notified)s; learned of the listing: %(discovered)s") % {
                "notified": notified,
                "discovered": case.discovered,
            }
        facts.append(Fact(_("Notified"), notified, cite(by_field[CitedField.NOTIFIED])))
        if case.appeal_available is not None or case.appeal_attempted is not None:
            appeal = gettext("Route to appeal: %(available)s; appealed: %(attempted)s") % {
                "available": yes_no(case.appeal_available).lower(),
                "attempted": yes_no(case.appeal_attempted).lower(),
            }
            facts.append(Fact(_("Appeal"), appeal, cite(by_field[CitedField.APPEAL])))
        return facts

    def _mark_differing_amounts(self) -> None:
        """Amounts of one kind taken from different captures of the same source with
        different figures: the source was revised. Each such amount names the others."""
        for claim in self.amounts:
            sources = self._sources_of(claim)
            for other in self.amounts:
                if other is claim or other.item.kind != claim.item.kind:
                    continue
                same_figure = (other.item.value, other.item.currency) == (
                    claim.item.value,
                    claim.item.currency,
                )
                if (
                    not same_figure
                    and sources & self._sources_of(other)
                    and self._captures_of(other) != self._captures_of(claim)
                ):
                    claim.differing.append(other)

    def _sources_of(self, claim: Claim) -> set[int]:
        return {c.capture.source_id for c in self._by_part["amount", claim.item.id]}

    def _captures_of(self, claim: Claim) -> set[int]:
        return {c.capture_id for c in self._by_part["amount", claim.item.id]}
