"""A pseudonymised person's real name never appears in the public text of their cases.

`find_name_leaks(case)` reads every text of a case that a public surface shows (its
fields, its person's pseudonym and occupation, its parts, its citations and the
captures and sources they cite) and reports each place where a form of the person's
real name appears: a `Finding` names the place ("summary", "citation #7 quote"), the
name form and an excerpt. Publishing and every correction of a published case refuse
while a finding has no reviewer's override (casefile.cases.services.refuse_name_leaks);
`manage.py check_name_leaks` lists the published cases that fail today.

The name forms of a person (`name_forms`), from the original name, the romanised name
and every alias:

- in Chinese characters: each name's characters, matched in simplified and traditional
  script alike (text and names are both compared in simplified characters, and as
  written); a name written in several runs (买买提·艾力) matches with or without a
  separator between them;
- in Latin letters: the pinyin of each Chinese name (pypinyin, surname readings as in
  casefile.people.romanization) and each name written in Latin letters, surname first
  and given name first, tone marks and case ignored, with or without spaces, hyphens,
  apostrophes or dots between syllables ("Liu Hu", "LiuHu", "liu-hu", "Liú Hǔ",
  "Hu Liu"); ü also as u, v and yu. A Latin form matches only as whole words: "Hu" in
  "human" never matches, and "liuhu" inside "liuhua" does not either.

Limits, on purpose:

- A form needs two Chinese characters or two syllables (a word that is not pinyin
  counts as one): a surname alone ("Mr Liu", 刘先生) or a one-syllable alias is not a
  finding, as single syllables and characters are everywhere in ordinary text.
- A given name alone is not checked (建国, 志强 and many others are ordinary words);
  add it as an alias when the person is known by it, and it is checked.
- A two-syllable name can still be a common word ("Hu Bei" in "Hubei", 高兴 in a
  quote): that is what a reviewer's override is for (NameLeakOverride: one case, one
  place, one form, with a reason).
- Initials are not checked (they are what a pseudonym is made of), nor misspellings.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from pypinyin.pinyin_dict import pinyin_dict

from casefile.cases.models import Amount, Case, Citation, Event, NameLeakOverride, Restriction
from casefile.cases.visibility import is_public_figure
from casefile.core.text import (
    CJK_RUN,
    COMBINING_MARKS,
    cjk_runs,
    fold,
    fold_char,
    has_cjk,
    to_simplified,
    to_traditional,
)
from casefile.people.models import Person
from casefile.people.romanization import romanize_name

# People whose real names must not appear in their cases' public text. Withheld people
# too: their cases are hidden today, but making them pseudonymised makes every text
# public at once (that change runs the check too: casefile.cases.corrections).

MIN_CHINESE_CHARACTERS = 2
MIN_LATIN_UNITS = 2  # pinyin syllables, or words that are not pinyin

# What may stand between the syllables or words of a name written in Latin letters, and
# between the runs of a name written in characters: spaces, hyphens and dashes, the
# apostrophe pinyin puts before a/o/e, dots (e-mail addresses, "Liu.Hu"), underscores
# (handles), middle dots. At most three, so "Liu … Hu" far apart is not a name.
SEPARATORS = r"[\s\-‐‑‒–—_.'’·・•‧]{0,3}"
# A Latin form starts and ends at a word boundary; digits are boundaries ("liuhu2017").
LETTERS = r"a-z\u00c0-\u024f"
LETTER = re.compile(f"[{LETTERS}]")
EXCERPT_CHARS = 30


def needs_name_check(case: Case) -> bool:
    """Everyone's but a public figure's name is kept out of the case's public text."""
    return not is_public_figure(case.person)


# --- Normalising text and names the same way ------------------------------------------------

# Text and names are folded and converted by casefile.core.text (fold, fold_char,
# to_simplified, to_traditional), which the quote check shares.


class _Haystack:
    """A text prepared for matching: `folded` (compatibility forms unified, diacritics
    dropped, lower case) and `simplified` (also traditional characters made simplified).
    Both are made by whole-string conversions, fast; the slower character-by-character
    version that maps back into the text as written is made only for an excerpt."""

    def __init__(self, text: str):
        self.original = text
        self.folded = fold(text)
        self._simplified = None

    @property
    def simplified(self) -> str:
        if self._simplified is None:
            self._simplified = to_simplified(self.folded) if has_cjk(self.folded) else ""
        return self._simplified

    def excerpt(self, form: "NameForm") -> tuple[str, str]:
        """The first match of `form` as written in the text, and the words around it."""
        if self.original.isascii():
            mapped, positions = self.folded, range(len(self.original))
        else:
            mapped, positions = _fold_with_positions(self.original)
        match = form.search(mapped) or form.search(_simplify_runs(mapped))
        if match is None:  # the conversions disagree: show the text as matching saw it
            match = form.search(self.folded) or form.search(self.simplified)
            return _around(match.string, *match.span())
        start, end = match.span()
        return _around(self.original, positions[start], positions[end - 1] + 1)


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """`text` folded as _Haystack does, one character at a time, with the position in
    `text` of each character of the result."""
    pieces, positions = [], []
    for index, char in enumerate(text):
        folded_char = fold_char(char)
        pieces.append(folded_char)
        positions.extend([index] * len(folded_char))
    return "".join(pieces), positions


def _simplify_runs(text: str) -> str:
    """Traditional characters made simplified, keeping the text's length (so positions
    still point into it): runs whose conversion changes length go character by character."""

    def convert(run: re.Match) -> str:
        converted = to_simplified(run.group())
        if len(converted) == len(run.group()):
            return converted
        return "".join(c if len(c := to_simplified(ch)) == 1 else ch for ch in run.group())

    return CJK_RUN.sub(convert, text) if has_cjk(text) else text


def _around(text: str, start: int, end: int) -> tuple[str, str]:
    before = text[max(0, start - EXCERPT_CHARS) : start]
    after = text[end : end + EXCERPT_CHARS]
    excerpt = " ".join(f"{before}{text[start:end]}{after}".split())
    prefix = "…" if start > EXCERPT_CHARS else ""
    suffix = "…" if end + EXCERPT_CHARS < len(text) else ""
    return text[start:end], f"{prefix}{excerpt}{suffix}"


# --- The name forms of a person ------------------------------------------------------------


@dataclass(frozen=True)
class NameForm:
    """One form of a real name: `key` is what findings and overrides name ("刘虎" in
    simplified characters, "liu hu" as lower-case syllables in the order found)."""

    key: str
    chinese: bool
    pattern: re.Pattern  # starts with the name itself, so re scans for it fast

    def search(self, text: str) -> re.Match | None:
        """The first match in `text` (folded): for a Latin form, one that starts a word.
        (Checked here rather than by a lookbehind, which would make re try every
        position of the text: ten times slower.)"""
        match = self.pattern.search(text)
        while (
            match and not self.chinese and match.start() and LETTER.match(text, match.start() - 1)
        ):
            match = self.pattern.search(text, match.start() + 1)
        return match


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable, with ü written v (lv, nve)."""
    syllables = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            decomposed = unicodedata.normalize("NFKD", reading).replace("u\u0308", "v")
            syllables.add(COMBINING_MARKS.sub("", decomposed).lower())
    return frozenset(s for s in syllables if s.isalpha() and s.isascii())


def _syllabify(piece: str) -> list[str]:
    """A piece of a Latin name split into pinyin syllables, as few as possible ("xiaoming"
    -> xiao ming, "xian" -> xian); a piece that is not pinyin stays whole."""
    syllables = pinyin_syllables()
    best: list[list[str] | None] = [[]] + [None] * len(piece)
    for end in range(1, len(piece) + 1):
        for start in range(max(0, end - 6), end):  # no syllable is longer than six letters
            head = best[start]
            if head is not None and piece[start:end] in syllables:
                candidate = [*head, piece[start:end]]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[-1] or [piece]


def _latin_words(name: str) -> list[list[str]]:
    """A name in Latin letters as words, each a list of syllables (or whole non-pinyin
    words), ü written v: "Liú Xiǎo-míng" -> [["liu"], ["xiao", "ming"]]."""
    decomposed = unicodedata.normalize("NFKD", name).lower().replace("u\u0308", "v")
    text = COMBINING_MARKS.sub("", decomposed)
    words = []
    for word in text.split():
        units = []
        for piece in re.split(r"[^a-z0-9]+", word):
            if piece:
                units += _syllabify(piece)
        if units:
            words.append(units)
    return words


def _spellings(unit: str) -> list[str]:
    """ü is written u, v or yu: lv -> lu, lv, lyu (only in pinyin syllables)."""
    if "v" in unit and unit in pinyin_syllables():
        return [unit.replace("v", "u"), unit, unit.replace("v", "yu")]
    return [unit]


def _as_named(unit: str) -> str:
    """A unit as findings name it: lv -> lü."""
    return unit.replace("v", "ü") if len(_spellings(unit)) > 1 else unit


def _latin_pattern(units: list[str]) -> re.Pattern:
    alternatives = ["|".join(map(re.escape, _spellings(unit))) for unit in units]
    body = SEPARATORS.join(f"(?:{alternative})" for alternative in alternatives)
    return re.compile(f"(?:{body})(?![{LETTERS}])")  # and starts a word: NameForm.search


def _chinese_pattern(runs: list[str]) -> re.Pattern:
    spellings = []
    for script in (lambda s: s, to_simplified, to_traditional):
        spellings.append(SEPARATORS.join(re.escape(script(run)) for run in runs))
    return re.compile("|".join(dict.fromkeys(spellings)))


def _latin_orders(words: list[list[str]]) -> list[list[str]]:
    """Surname first as written, and given name first (the first word moved last)."""
    flat = [unit for word in words for unit in word]
    orders = [flat]
    if len(words) > 1:
        orders.append([unit for word in [*words[1:], words[0]] for unit in word])
    return orders


@lru_cache(maxsize=4096)
def _forms(names: tuple[str, ...]) -> tuple[NameForm, ...]:
    forms: dict[str, NameForm] = {}
    latin_names = []
    for name in names:
        runs = [unicodedata.normalize("NFKC", run) for run in cjk_runs(name)]
        if sum(map(len, runs)) >= MIN_CHINESE_CHARACTERS:
            key = to_simplified("".join(runs))
            forms.setdefault(key, NameForm(key, True, _chinese_pattern(runs)))
        if runs:
            latin_names.append(romanize_name(name))
        latin_names.append(CJK_RUN.sub(" ", name))  # the Latin part of a mixed name
    for name in latin_names:
        for units in _latin_orders(_latin_words(name)):
            if len(units) >= MIN_LATIN_UNITS:
                key = " ".join(map(_as_named, units))
                forms.setdefault(key, NameForm(key, False, _latin_pattern(units)))
    return tuple(forms.values())


@lru_cache(maxsize=4096)
def _any_of(forms: tuple[NameForm, ...]) -> re.Pattern:
    """A pattern that matches wherever any form might (word starts are not checked)."""
    return re.compile("|".join(f"(?:{form.pattern.pattern})" for form in forms))


def name_forms(person: Person) -> tuple[NameForm, ...]:
    """Every form of the person's real names that the check looks for."""
    names = (person.name_original, person.name_romanized, *person.aliases)
    return _forms(tuple(name for name in names if name and name.strip()))


# --- Finding them in a case --------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One form of the real name in one public text of the case.

    `place` names the text for people ("citation #7 quote") and, with `form`, is what an
    override accepts; `path` is the same place as a dotted path in the case's record,
    like a validation error's (restrictions[0].details: the first of the case's
    restrictions by id, which for a list just written is its index in that list);
    `found` is the text as written, `excerpt` the words around it.
    """

    place: str
    path: str
    form: str
    found: str
    excerpt: str
    override: NameLeakOverride | None = None

    @property
    def token(self) -> str:
        """The finding as one form value (see parse_token)."""
        return json.dumps([self.place, self.form, self.path, self.excerpt], ensure_ascii=False)

    def is_named_by(self, token: tuple[str, str, str, str]) -> bool:
        """Whether a parsed token names this finding: the same place and form, or the same
        form in the same text at the same path. The second is the same finding when a
        refused admin form is saved again: its new parts are written again, with new ids."""
        place, form, path, excerpt = token
        same_text = path == self.path and excerpt == self.excerpt
        return form == self.form and (place == self.place or same_text)

    def __str__(self):
        return f"{self.place}: “{self.found}” in “{self.excerpt}”"


CASE_TEXTS = [
    ("summary", "summary"),
    ("narrative", "narrative"),
    ("outcome", "outcome"),
    ("reason_original", "stated reason (original)"),
    ("reason_en", "stated reason (English)"),
    ("docket_number", "docket number"),
]
PERSON_TEXTS = [("pseudonym", "person’s pseudonym"), ("occupation", "person’s occupation")]
PART_TEXTS = {
    "restriction": [("details", "details")],
    "amount": [("as_reported", "as reported"), ("description", "description")],
    "event": [("description", "description")],
}
CITATION_TEXTS = [("quote", "quote"), ("locator", "locator")]
CAPTURE_TEXTS = [("label", "label"), ("url", "URL"), ("archive_url", "archive URL")]
SOURCE_TEXTS = [("title", "title"), ("outlet", "outlet"), ("authors", "authors"), ("url", "URL")]

# What find_name_leaks reads, one query each (for any number of cases: check_name_leaks
# prefetches them for its chunks, bulk publishing too, whose citation gate reads the same
# rows: hence the kinds, values and claims). Only the texts: a large case loads in a few ms.
PREFETCH = [
    Prefetch(
        "restrictions", queryset=Restriction.objects.only("case", "kind", "details").order_by()
    ),
    Prefetch(
        "amounts",
        queryset=Amount.objects.only(
            "case", "kind", "value", "currency", "as_reported", "description"
        ).order_by(),
    ),
    Prefetch("events", queryset=Event.objects.only("case", "description").order_by()),
    Prefetch(
        "citations",
        queryset=Citation.objects.select_related("capture__source")
        .only(
            *("case", "case_field", "restriction", "amount", "event", "quote", "locator"),
            "quote_check",  # publishing's quote gate reads it from here too
            *(f"capture__{field}" for field, _ in CAPTURE_TEXTS),
            *(f"capture__source__{field}" for field, _ in SOURCE_TEXTS),
        )
        .order_by(),
    ),
    "name_leak_overrides",
]


def public_texts(case: Case) -> list[tuple[str, str, str]]:
    """Every text of the case a public surface shows, as (place, path, text)."""
    texts = [(place, field, getattr(case, field)) for field, place in CASE_TEXTS]
    person = case.person
    texts += [(place, f"person.{field}", getattr(person, field)) for field, place in PERSON_TEXTS]
    part_paths = {}
    for kind in PART_TEXTS:
        parts = sorted(getattr(case, f"{kind}s").all(), key=lambda part: part.pk)
        for index, part in enumerate(parts):
            path = part_paths[kind, part.pk] = f"{kind}s[{index}]"
            texts += [
                (f"{kind} #{part.pk} {label}", f"{path}.{field}", getattr(part, field))
                for field, label in PART_TEXTS[kind]
            ]
    citations = sorted(case.citations.all(), key=lambda citation: citation.pk)
    counts: dict[str, int] = {}
    captures, sources = {}, {}
    for citation in citations:
        claim = next((kind for kind in PART_TEXTS if getattr(citation, f"{kind}_id")), None)
        parent = part_paths[claim, getattr(citation, f"{claim}_id")] + "." if claim else ""
        number = counts[parent] = counts.get(parent, -1) + 1
        path = f"{parent}citations[{number}]"
        texts += [
            (f"citation #{citation.pk} {label}", f"{path}.{field}", getattr(citation, field))
            for field, label in CITATION_TEXTS
        ]
        captures.setdefault(citation.capture.pk, (citation.capture, f"{path}.capture"))
        source = citation.capture.source
        sources.setdefault(source.pk, (source, f"{path}.capture.source"))
    for pk, (capture, path) in sorted(captures.items()):
        texts += [
            (f"capture #{pk} {label}", f"{path}.{field}", getattr(capture, field))
            for field, label in CAPTURE_TEXTS
        ]
    for pk, (source, path) in sorted(sources.items()):
        for field, label in SOURCE_TEXTS:
            value = getattr(source, field)
            text = "; ".join(value) if isinstance(value, list) else value
            texts.append((f"source #{pk} {label}", f"{path}.{field}", text))
    return [(place, path, text) for place, path, text in texts if text]


def find_name_leaks(case: Case) -> list[Finding]:
    """Every place where a form of the real name of the case's person appears in the
    case's public text, with its override if a reviewer accepted it. None when the
    person is a public figure (their name is meant to be shown).

    Loads the case's parts, citations, captures, sources and overrides in one query
    each, unless the caller prefetched them (PREFETCH), as a check of many cases does.
    """
    if not needs_name_check(case):
        return []
    forms = name_forms(case.person)
    if not forms:
        return []
    prefetch_related_objects([case], *PREFETCH)  # skips what is prefetched already
    overrides = {(o.place, o.form): o for o in case.name_leak_overrides.all()}
    any_form = _any_of(forms)
    findings = []
    for place, path, text in public_texts(case):
        haystack = _Haystack(text)
        # Most texts name nobody: one search for all the forms, then each form's own.
        if not (
            any_form.search(haystack.folded)
            or (has_cjk(text) and any_form.search(haystack.simplified))
        ):
            continue
        for form in forms:
            if not (
                form.search(haystack.folded) or (form.chinese and form.search(haystack.simplified))
            ):
                continue
            found, excerpt = haystack.excerpt(form)
            override = overrides.get((place, form.key))
            findings.append(Finding(place, path, form.key, found, excerpt, override))
    return findings


def unresolved_name_leaks(case: Case) -> list[Finding]:
    """The findings no reviewer has accepted: they stop publication and corrections."""
    return [finding for finding in find_name_leaks(case) if finding.override is None]


def parse_token(token: str) -> tuple[str, str, str, str]:
    """A Finding.token back into (place, form, path, excerpt); ValidationError if it is
    not one."""
    try:
        values = json.loads(token)
    except (TypeError, ValueError) as error:
        raise ValidationError("Not a finding of the name check.") from error
    if not (
        isinstance(values, list)
        and len(values) == 4
        and all(isinstance(value, str) and value for value in values[:2])
        and all(isinstance(value, str) for value in values[2:])
    ):
        raise ValidationError("Not a finding of the name check.")
    return tuple(values)


# --- Reviewers' overrides ----------------------------------------------------------------


def _user_id(user):
    return user.pk if user is not None and user.is_authenticated else None


@transaction.atomic
def accept_name_leaks(
    *, case: Case, findings: list[tuple[str, str]], reason: str, by
) -> list[NameLeakOverride]:
    """A reviewer accepts findings of the case as not the person's name (a common word
    that happens to be one), giving the reason; each (place, form) must be a finding of
    the case as it is now, not yet accepted. The overrides are kept with who and when
    (and in history); each applies to its case, place and form only.
    """
    if not by.has_perm("cases.publish_case"):
        raise PermissionDenied("Only reviewers can accept a finding of the name check.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this is not the person’s name."})
    current = {(f.place, f.form): f for f in find_name_leaks(case)}
    overrides = []
    with pghistory.context(action="accept_name_leak", user=_user_id(by)):
        for place, form in findings:
            finding = current.get((place, form))
            if finding is None:
                raise ValidationError(
                    f"“{form}” is not found in the {place} of case {case.public_id} now."
                )
            if finding.override is not None:
                continue  # accepted meanwhile by someone else: keep their reason
            override = NameLeakOverride(
                case=case, place=place, form=form, reason=reason, accepted_by=by
            )
            override.full_clean()
            override.save()
            overrides.append(override)
    return overrides


@transaction.atomic
def withdraw_name_leak_override(*, override: NameLeakOverride, by) -> None:
    """A reviewer takes an override back: the finding stops the case again."""
    if not by.has_perm("cases.publish_case"):
        raise PermissionDenied("Only reviewers can withdraw an accepted finding.")
    with pghistory.context(action="withdraw_name_leak_override", user=_user_id(by)):
        override.delete()
