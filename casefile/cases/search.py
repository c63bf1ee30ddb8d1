"""What one search box matches: names in any script or spelling, the words of the case
page (English text with stemming, Chinese text by substring) and docket numbers.

Names. A public figure's name keys (Person.name_keys, casefile.people.name_forms) hold
every form of their names: simplified and traditional characters, pinyin with or
without tones, Wade-Giles, Jyutping and Hong Kong spellings, surname first or last. A
query is reduced the same way ("Liú Hǔ", "liu2 hu3", "LIU-HU" → "liuhu", "liu2hu3"), and
matches a name that holds it (a substring: "liuh" finds Liu Hu). Only when no name holds
it are near misses looked for: names holding a key one edit away (a transposed, dropped,
doubled or wrong letter: "Lui Hu", "Lu Hu", "Liu Huu") or one syllable away ("Liu Hoo"),
so near misses never crowd out the names typed right. Only public figures' names are
searched (casefile.cases.visibility.searchable_people).

Words. A case's search vector and Chinese grams cover its own text and Case.search_text:
everything else its page shows (vocabulary labels, places, authority, the person's public
name forms and occupation, the sources' outlets and authors). A query in characters is
also tried in simplified and traditional characters.

Every branch is answered from an index: trigram, gram and key-list (GIN) indexes on
public figures' names, the case's full-text vector and gram array, and an expression
index on the docket number.
"""

from __future__ import annotations

import string
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Upper
from django.db.models.lookups import Exact

from casefile.cases.visibility import searchable_people
from casefile.core.expressions import KeyList
from casefile.core.text import cjk_query_grams, cjk_runs, latin_key
from casefile.people.name_forms import convert, name_syllable_inventory, without_tone_numbers

# A Latin-script key this short matches too much by substring and is too short
# for a trigram index; shorter names are matched whole.
MIN_SUBSTRING_KEY = 3
# Near misses are looked for from keys this long ("liuhu"); shorter ones have too many.
MIN_NEAR_MISS_KEY = 4
# Chinese text fields searched by substring (their grams are in Case.text_grams).
CHINESE_TEXT_FIELDS = (
    "reason_original",
    "summary",
    "narrative",
    "outcome",
    "docket_number",
    "search_text",
)
# Up to this many people matched by name are listed in the query as constants.
MAX_LISTED_NAME_MATCHES = 5000
LETTERS = string.ascii_lowercase


@dataclass
class NameMatches:
    """Public figures a search matched by name: their ids (at most
    MAX_LISTED_NAME_MATCHES; else `queryset` holds them), those whose name is the query
    itself ("Wang Wei" rather than "Wang Weimin"), and whether they are near misses."""

    ids: list[int] = field(default_factory=list)
    exact_ids: list[int] = field(default_factory=list)
    word_ids: list[int] = field(default_factory=list)  # the query's words are whole words
    near_miss: bool = False
    queryset: object = None  # people, when there are too many to list

    @property
    def listed(self) -> bool:
        return self.queryset is None


@dataclass(eq=False)
class SearchText:
    """A search as typed, and the forms of it each index understands."""

    raw: str
    # Set by CaseQuerySet.search(): no name nor text matched as typed, near misses did.
    near_miss: bool = False

    @classmethod
    def parse(cls, text: str | None) -> SearchText | None:
        text = unicodedata.normalize("NFKC", text or "").strip()
        return cls(text) if text else None

    @cached_property
    def name_key(self) -> str:
        """ "Liú Hǔ", "LIU HU", "liu hu" and "liuhu" all become "liuhu"."""
        return latin_key(self.raw)

    @cached_property
    def name_keys(self) -> tuple[str, ...]:
        """The Latin key, and without tone numbers if typed with them ("liu2hu3", "liuhu"):
        names hold both, so a wrong tone still finds the name."""
        keys = [self.name_key, without_tone_numbers(self.name_key)]
        return tuple(dict.fromkeys(key for key in keys if key))

    @cached_property
    def chinese_runs(self) -> list[str]:
        return cjk_runs(self.raw)

    @cached_property
    def chinese_forms(self) -> list[list[str]]:
        """The runs of characters as typed, in simplified and in traditional characters."""
        if not self.chinese_runs:
            return []
        forms = {tuple(self.chinese_runs): None}
        for config in ("t2s", "s2t", "s2hk", "s2tw"):
            forms.setdefault(tuple(convert(run, config) for run in self.chinese_runs), None)
        return [list(runs) for runs in forms]

    @cached_property
    def chinese_grams(self) -> list[str]:
        return cjk_query_grams(self.raw)

    @cached_property
    def docket(self) -> str:
        return self.raw.upper().replace(" ", "")

    @cached_property
    def full_text(self) -> SearchQuery:
        return SearchQuery(self.raw, search_type="websearch", config="english")

    @cached_property
    def words(self) -> list[str]:
        """The Latin-script words as typed, lower-case, without tone numbers."""
        cleaned = "".join(ch if ch.isalnum() else " " for ch in self.raw.lower())
        return [w for w in (without_tone_numbers(latin_key(word)) for word in cleaned.split()) if w]

    def _exact_pattern(self) -> set[str]:
        return {*self.name_keys, *(run for runs in self.chinese_forms for run in runs[:1])}

    # -- names ---------------------------------------------------------------------------

    def _name_condition(self) -> Q | None:
        condition = Q()
        for runs in self.chinese_forms:
            grams = cjk_query_grams(" ".join(runs))
            each_run = Q()
            for run in runs:
                each_run &= Q(name_keys__contains=run)
            condition |= Q(name_grams__contains=grams) & each_run
        for key in self.name_keys:
            if len(key) >= MIN_SUBSTRING_KEY:
                condition |= Q(name_keys__contains=key)
            else:
                condition |= Q(name_keys__regex=rf"(^| ){key}( |$)")
        return condition or None

    def near_miss_keys(self) -> list[str]:
        """Keys one edit from the query's (a transposed, dropped, doubled or wrong letter)
        or one syllable from it ("liu hoo" → "liuhu", "liuhou", "liuhao"…)."""
        variants: set[str] = set()
        for key in self.name_keys:
            if len(key) >= MIN_NEAR_MISS_KEY and key.isalpha():
                variants |= one_edit_away(key)
        variants |= one_syllable_away(self.words)
        variants -= set(self.name_keys)
        return sorted(variants)

    def matching_people(self, *, near_misses: bool = False):
        """Public figures whose names match as typed, or (`near_misses`) are one edit or
        one syllable away (near_miss_keys; read it under index_scans_only()). Only public
        figures' names are searchable: a pseudonymised or withheld person's real name
        must not be confirmable here. The search box and reconciliation both ask this."""
        people = searchable_people()
        # Nobody, as SQL a batch can embed (none() compiles to no statement at all).
        nobody = people.filter(pk__lt=0)
        if near_misses:
            variants = self.near_miss_keys()
            if not variants:
                return nobody
            return people.alias(key_list=KeyList()).filter(key_list__overlap=variants)
        condition = self._name_condition()
        return people.filter(condition) if condition is not None else nobody

    @cached_property
    def name_matches(self) -> NameMatches:
        """Public figures whose names match as typed (one query)."""
        people = self.matching_people()
        rows = self._rows(people)
        return self._matches(rows, people) if rows else NameMatches()

    @cached_property
    def near_misses(self) -> NameMatches:
        """Public figures whose names are near misses of the query; CaseQuerySet.search()
        asks only when nothing matched as typed."""
        near = self.matching_people(near_misses=True)
        with index_scans_only():
            rows = self._rows(near)
        return self._matches(rows, near, near_miss=True) if rows else NameMatches()

    def _rows(self, people) -> list[tuple[int, bool, bool]]:
        """(id, name is the query, the query's words are whole words of a spelling)."""
        exact, words = self.exact_name_regex(), self.word_regex()
        people = people.annotate(
            exact=Q(name_keys__regex=exact) if exact else Value(False),
            word=Q(name_spellings__iregex=words) if words else Value(False),
        )
        return list(people.values_list("id", "exact", "word")[: MAX_LISTED_NAME_MATCHES + 1])

    def _matches(self, rows, people, *, near_miss: bool = False) -> NameMatches:
        if len(rows) > MAX_LISTED_NAME_MATCHES:
            return NameMatches(near_miss=near_miss, queryset=people)
        return NameMatches(
            ids=[pk for pk, _, _ in rows],
            exact_ids=[pk for pk, exact, _ in rows if exact and not near_miss],
            word_ids=[pk for pk, exact, word in rows if (exact or word) and not near_miss],
            near_miss=near_miss,
        )

    def word_regex(self) -> str | None:
        """A regex matching spellings in which the query's words are whole words, in order
        ("Chan" in "Chan Wai Keung", not in "Chang Hsüeh-liang")."""
        if not self.words:
            return None
        return r"(^|[^a-z0-9])" + r"[^a-z0-9]*".join(self.words) + r"([^a-z0-9]|$)"

    def exact_name_regex(self) -> str | None:
        """A regex matching name keys that hold the query itself as a whole key."""
        words = sorted(self._exact_pattern())
        return rf"(^| )({'|'.join(words)})( |$)" if words else None

    # -- the case's own text ---------------------------------------------------------------

    def matches_case_text(self) -> Q:
        """Words of the case page (English, stemmed), Chinese substrings in any script, and
        the docket number."""
        condition = Q(search_vector=self.full_text)
        for runs in self.chinese_forms:
            each_run_somewhere = Q()
            for run in runs:
                somewhere = Q()
                for text_field in CHINESE_TEXT_FIELDS:
                    somewhere |= Q(**{f"{text_field}__contains": run})
                each_run_somewhere &= somewhere
            grams = cjk_query_grams(" ".join(runs))
            condition |= Q(text_grams__contains=grams) & each_run_somewhere
        if self.docket:
            condition |= Q(Exact(Upper("docket_number"), self.docket))
        return condition


@contextmanager
def index_scans_only():
    """The planner cannot estimate how many rows hold one of hundreds of keys, and would
    read every person rather than look each key up in the key-list index (a second
    against 3 ms): within this block it may not read a whole table."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('enable_seqscan', 'on', true)")


def one_edit_away(key: str) -> set[str]:
    """Every string one edit from `key`: a letter dropped, doubled or added, replaced, or
    two neighbours swapped (Damerau-Levenshtein distance 1)."""
    variants = set()
    for i in range(len(key) + 1):
        head, tail = key[:i], key[i:]
        if tail:
            variants.add(head + tail[1:])  # a letter too many in the query
            for letter in LETTERS:
                variants.add(head + letter + tail[1:])  # a wrong letter
        if len(tail) > 1:
            variants.add(head + tail[1] + tail[0] + tail[2:])  # swapped letters
        for letter in LETTERS:
            variants.add(head + letter + tail)  # a letter missing in the query
    variants.discard(key)
    return variants


def one_syllable_away(words: list[str]) -> set[str]:
    """Keys of the words typed with one of them replaced by a syllable of a romanisation
    (pinyin, Wade-Giles, Cantonese) that starts with the same letter and is at most two
    edits from it: "liu hoo" → "liuhu", "liuhou"…"""
    if not 2 <= len(words) <= 4:
        return set()
    variants = set()
    for position, word in enumerate(words):
        for syllable in similar_syllables(word):
            variants.add("".join([*words[:position], syllable, *words[position + 1 :]]))
    return variants


@lru_cache(maxsize=4096)
def similar_syllables(word: str) -> tuple[str, ...]:
    """Syllables of a romanisation starting with the word's letter, at most two edits away."""
    if len(word) < 2 or not word.isalpha():
        return ()
    return tuple(
        syllable
        for syllable in name_syllable_inventory().get(word[0], ())
        if syllable != word
        and abs(len(syllable) - len(word)) <= 2
        and edit_distance(word, syllable) <= 2
    )


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count one)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]


def warm_up() -> None:
    """Load OpenCC's dictionaries and the syllable inventory (casefile.wsgi calls this at
    start, so that no visitor's first search pays for them)."""
    convert("刘", "s2t")
    name_syllable_inventory()
    similar_syllables("liu")
