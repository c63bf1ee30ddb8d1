"""What the public may see: the one definition, read by every public surface.

A case is public when it is published and its person is not withheld. Everything
else public follows from the public cases:

- a person is public when they have a public case, and is shown under the name their
  privacy level allows (public_name); only public figures' names are searchable;
- an authority, a source, a capture or a citation is public when a public case uses it;
- a file kept of a capture: its facts (hash, size, type, when it was attached) are public
  with its capture; the file itself may be downloaded only when its source's sharing is
  public and no case citing its capture, in any state, is of a person who is not a
  public figure (shareable_capture_files; file_sharing says what a page may offer);
- an address (a case's public id) answers with the case, with 410 Gone for a case
  that was public and was retracted, or 404 for anything else;
- the public totals count public cases, people, authorities and sources;
- the public data version moves only when public data changes (never with draft
  work, nor with edits of a withheld person's cases): caches, ETags, Last-Modified and
  the change feed read it.

Pages, the API, exports, feeds and counts ask this module; nothing else compares a
publication state or a privacy level to decide what is shown. Where SQL must encode
the rule (the trigger that stamps first_public_at / left_public_at and moves the public
data version, migration cases 0012), tests/test_visibility_rule.py checks it against
public_cases() for every state and privacy level.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.lookups import IsNull
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casefile.cases.vocabularies import PublicationState
from casefile.core.languages import is_chinese
from casefile.people.models import Person, Privacy

if TYPE_CHECKING:
    from casefile.cases.models import Case

# --- the rule --------------------------------------------------------------------------------


def withheld_people():
    """The people no public surface may show, nor any of their cases (ids, as a subquery)."""
    return Person.objects.filter(privacy=Privacy.WITHHELD).values("id")


def public_case_condition() -> Q:
    """Published, and the person not withheld. The withheld are few: a hashed anti-join
    (index person_withheld), not a join with every person."""
    return Q(publication_state=PublicationState.PUBLISHED) & ~Q(person_id__in=withheld_people())


# The same rule over one row of cases_case (alias c) and its person, for the trigger that
# keeps first_public_at and left_public_at (migration cases 0012). test_visibility_rule
# checks that the two agree.
PUBLIC_ROW_SQL = (
    "{row}.publication_state = 'published' AND NOT EXISTS ("
    "SELECT 1 FROM people_person AS p WHERE p.id = {row}.person_id AND p.privacy = 'withheld')"
)
# A row the trigger found public when it was last written: what the statement-level
# trigger that moves the public data version tests on old and new rows.
STAMPED_PUBLIC_SQL = "{row}.first_public_at IS NOT NULL AND {row}.left_public_at IS NULL"

# What a case's search text holds of its person (people_person, alias {person}), by the
# rules of public_name() and searchable_people(): a public figure's every name form
# (name_spellings) and occupation; a pseudonymised person's pseudonym, as the pages show
# it, and occupation, never a name; nothing of a withheld person. The function that
# builds the text (migration cases 0013) embeds it; test_visibility_rule checks it.
PERSON_SEARCH_TEXT_SQL = (
    "CASE {person}.privacy "
    "WHEN 'public' THEN concat_ws(E'\\n', {person}.name_spellings, {person}.occupation) "
    "WHEN 'withheld' THEN NULL "
    "ELSE concat_ws(E'\\n', coalesce(nullif({person}.pseudonym, ''), 'Unnamed person'), "
    "{person}.occupation) END"
)
# (The same function adds the titles and quotations of the sources a case cites only
# where its person is a public figure, as searchable_people() says: a title or a
# quotation may name a private person.)


def public_cases():
    """Cases any public surface may show. Every page, API endpoint, export, feed and
    count starts from here (Case.objects.published() is this)."""
    from casefile.cases.models import Case

    return Case.objects.published()


def public_cases_of_shown_people():
    """public_cases(), for a query that already holds its people to shown ones (taken from
    shown_people(), searchable_people() or public_people(), and matched by person_id):
    a shown person's case is public when it is published, so the withheld test is left
    out. (It hashes every withheld person each time it is used: once per name in a
    reconciliation batch of a hundred.) For any other query, use public_cases()."""
    from casefile.cases.models import Case

    return Case.objects.filter(publication_state=PublicationState.PUBLISHED)


def _gone_condition() -> Q:
    """Retracted, and the person not withheld now: said of a case that was public."""
    return Q(publication_state=PublicationState.RETRACTED) & ~Q(person_id__in=withheld_people())


def gone_cases():
    """Cases whose address answers 410 Gone with the retraction note: retracted after
    having been public, and their person not withheld now. A withheld person's
    retracted case stays unknown (404): even its retraction says too much."""
    from casefile.cases.models import Case

    return Case.objects.filter(_gone_condition(), first_public_at__isnull=False)


def tombstones():
    """Cases that were public once and are not now, each as of when it left
    (left_public_at), annotated `tombstone`: "retracted" where the address answers 410,
    else "withdrawn" (a withheld person's cases never say more). A case never public
    (a draft, a case in review, a withheld person's case from the start) is not here."""
    from casefile.cases.models import Case

    said = models.Case(
        models.When(_gone_condition(), then=models.Value("retracted")),
        default=models.Value("withdrawn"),
        output_field=models.CharField(),
    )
    return Case.objects.filter(left_public_at__isnull=False).annotate(tombstone=said)


# --- people ----------------------------------------------------------------------------------


def shown_people():
    """People who may appear on a public surface at all (under public_name)."""
    return Person.objects.exclude(privacy=Privacy.WITHHELD)


def public_people():
    """People with at least one public case."""
    return shown_people().filter(Exists(public_cases().filter(person_id=OuterRef("pk"))))


def searchable_people():
    """People whose real names may be shown and searched: public figures only. A
    pseudonymised or withheld person's name must not be confirmable by a search."""
    return Person.objects.filter(privacy=Privacy.PUBLIC)


def named_public_people():
    """Public figures with at least one public case: the names a public surface may offer
    unasked (the search page's "did you mean"). A public figure known only from drafts
    stays unnamed."""
    return searchable_people().filter(Exists(public_cases().filter(person_id=OuterRef("pk"))))


def is_public_figure(person) -> bool:
    return person.privacy == Privacy.PUBLIC


def public_name(person) -> str:
    """The name a public surface may show, as the privacy level allows: the real name
    of a public figure, the pseudonym of anyone else. `person` needs privacy,
    name_original, name_romanized and pseudonym (a Person or a row of them)."""
    if person.privacy == Privacy.PUBLIC:
        if person.name_romanized and person.name_original:
            return f"{person.name_romanized} ({person.name_original})"
        return person.name_romanized or person.name_original
    if person.privacy == Privacy.PSEUDONYMISED:
        return person.pseudonym or "Unnamed person"
    return "Name withheld"


# The pseudonyms Casefile makes ("Unnamed man, Henan"; "Unnamed person" for none): made
# again from their parts in the page's language. Any other pseudonym is an editor's text.
GENERATED_PSEUDONYM = re.compile(r"^Unnamed (person|man|woman)(?:, ([A-Z][A-Za-z ]+))?$")
UNNAMED = {"person": _("Unnamed person"), "man": _("Unnamed man"), "woman": _("Unnamed woman")}


def display_name(person) -> str:
    """public_name() as a page in the active language shows it: a public figure's name
    in characters first in Chinese ("刘虎（Liu Hu）"), romanisation first in English
    ("Liu Hu (刘虎)"); a pseudonym Casefile made, in the page's language ("未具名男子
    （河南）"). Exports, the API and search keep public_name()."""
    if person.privacy == Privacy.PUBLIC:
        original, romanized = person.name_original, person.name_romanized
        if original and romanized and is_chinese():
            return f"{original}（{romanized}）"
        return public_name(person)
    if person.privacy == Privacy.PSEUDONYMISED:
        return localized_pseudonym(person.pseudonym or "Unnamed person")
    return gettext("Name withheld")


def localized_pseudonym(pseudonym: str) -> str:
    from casefile.authorities.models import Province

    match = GENERATED_PSEUDONYM.match(pseudonym)
    if not match:
        return pseudonym
    unnamed, place = str(UNNAMED[match.group(1)]), match.group(2)
    province = Province.lookup(place) if place else None
    if place and province is None:
        return pseudonym
    if province is None:
        return unnamed
    return gettext("%(unnamed)s, %(province)s") % {
        "unnamed": unnamed,
        "province": province.chinese if is_chinese() else province.english,
    }


# --- what public cases use --------------------------------------------------------------------


def public_authorities():
    from casefile.authorities.models import Authority

    return Authority.objects.filter(Exists(public_cases().filter(authority_id=OuterRef("pk"))))


def public_citations():
    from casefile.cases.models import Citation

    return Citation.objects.filter(case__in=public_cases().values("id"))


def _one_of(queryset) -> IsNull:
    """`queryset` (correlated) has a row, as a condition that stops at its first one."""
    return IsNull(Subquery(queryset.order_by().values("pk")[:1]), False)


def _cited_by_a_public_case(**where) -> IsNull:
    """Some citation (`where`, correlated) is of a public case: each citation's case is
    looked up by its key until one is public, usually the first. (As an EXISTS over
    public_citations(), PostgreSQL joins every citation with every public case: seconds
    at a million cases, to list a few thousand captures or sources.)"""
    from casefile.cases.models import Citation

    public = _one_of(public_cases().filter(pk=OuterRef("case_id")))
    return _one_of(Citation.objects.filter(**where).filter(public))


def public_captures():
    """Captures a public case cites; others (cited by drafts only) are never shown."""
    from casefile.sources.models import SourceCapture

    return SourceCapture.objects.filter(_cited_by_a_public_case(capture_id=OuterRef("pk")))


def public_sources():
    from casefile.sources.models import Source

    return Source.objects.filter(_cited_by_a_public_case(capture__source_id=OuterRef("pk")))


# --- files kept of captures --------------------------------------------------------------------


def public_capture_files():
    """Kept files whose facts (SHA-256, size, media type, when attached) are public: those
    of public captures, so that anyone holding a copy can check it."""
    from casefile.sources.models import CaptureFile

    return CaptureFile.objects.filter(Exists(public_captures().filter(pk=OuterRef("capture_id"))))


def _cited_for_someone_not_a_public_figure() -> Exists:
    """Whether a case of a person who is not a public figure cites the file's capture,
    whatever the case's state: such a file may name them, and publishing or un-withholding
    that case later would tie the file to them. So it is never public, from the moment
    such a case cites it."""
    from casefile.cases.models import Citation

    return Exists(
        Citation.objects.filter(capture_id=OuterRef("capture_id")).exclude(
            case__person__privacy=Privacy.PUBLIC
        )
    )


def shareable_capture_files():
    """Kept files the public may download: of a public capture, their source's sharing
    public, and not a file of a case whose person is not a public figure (in any state)."""
    from casefile.sources.models import Sharing

    return (
        public_capture_files()
        .filter(capture__source__sharing=Sharing.PUBLIC)
        .exclude(_cited_for_someone_not_a_public_figure())
    )


def may_file_be_public(capture_file) -> bool:
    """Whether this kept file may be downloaded by anyone."""
    return shareable_capture_files().filter(pk=capture_file.pk).exists()


def file_sharing(capture_files) -> dict[int, str]:
    """What a public page may offer of each of these kept files (all of public captures),
    by id: "public" (a download), "on_request" (the editors share a copy with those who
    ask) or "never". A file of a case whose person is not a public figure is "never",
    whatever its source says. Two queries for any number of files."""
    from casefile.sources.models import CaptureFile, Sharing

    ids = [f.pk for f in capture_files]
    if not ids:
        return {}
    rows = (
        CaptureFile.objects.filter(pk__in=ids)
        .annotate(
            protected=_cited_for_someone_not_a_public_figure(),
            public=Exists(public_captures().filter(pk=OuterRef("capture_id"))),
        )
        .values_list("pk", "capture__source__sharing", "protected", "public")
    )
    return {
        pk: sharing if public and not protected else Sharing.NEVER.value
        for pk, sharing, protected, public in rows
    }


# --- an address ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    """What a case's public id answers: the public case (200), a retraction (410 Gone,
    `case` holds its note and date), or nothing (404)."""

    case: Case | None
    gone: bool = False

    @property
    def found(self) -> bool:
        return self.case is not None and not self.gone


def case_at(public_id: str, queryset=None) -> Address:
    """The answer for a case's address. `queryset` narrows public_cases() (e.g. with the
    related rows a page shows); it must be a filter of it."""
    public_id = public_id.upper()
    cases = public_cases() if queryset is None else queryset
    case = cases.filter(public_id=public_id).first()
    if case is not None:
        return Address(case)
    retracted = gone_cases().filter(public_id=public_id).first()
    return Address(retracted, gone=True) if retracted is not None else Address(None)


# --- counts and the data version --------------------------------------------------------------


def public_totals() -> dict[str, int]:
    """The archive's public totals (cases, people, authorities, sources): cached under the
    public data version, so draft work never changes them nor recomputes them."""
    from casefile.cases.querysets import cached_by_data_version

    def count():
        # The people and authorities of public cases are the public ones (see above),
        # counted from the cases' index rather than by a probe per person.
        cases = public_cases().order_by()
        return {
            "cases": cases.count(),
            "people": cases.values("person_id").distinct().count(),
            "authorities": cases.exclude(authority=None).values("authority_id").distinct().count(),
            "sources": public_sources().count(),
        }

    return cached_by_data_version("public-totals", "", count)


def public_last_modified() -> datetime.datetime | None:
    """When public data last changed: a case became public, changed while public, left,
    or was deleted (PublicDataVersion, moved by the database). None before any case was
    ever public."""
    from casefile.cases.models import PublicDataVersion

    return PublicDataVersion.objects.filter(pk=1).values_list("changed_at", flat=True).first()


def public_data_version() -> str:
    """The public data version as a cache key part ("" before any case was public)."""
    changed_at = public_last_modified()
    return changed_at.isoformat() if changed_at else ""
