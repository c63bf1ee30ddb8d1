"""What one search box matches: names in any script or spelling, English text with
stemming, Chinese text by substring, and docket numbers.

Every branch is answered from an index, so a search stays fast at millions of
cases: trigram and gram (GIN) indexes on people's name keys, the full-text
vector and gram array of the case, and an expression index on the docket number.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property

from django.contrib.postgres.search import SearchQuery
from django.db.models import Q
from django.db.models.functions import Upper
from django.db.models.lookups import Exact

from casefile.cases.visibility import searchable_people
from casefile.core.text import cjk_query_grams, cjk_runs, latin_key

# A Latin-script key this short matches too much by substring and is too short
# for a trigram index; shorter names are matched whole.
MIN_SUBSTRING_KEY = 3
# Chinese text fields searched by substring (their grams are in Case.text_grams).
CHINESE_TEXT_FIELDS = ("reason_original", "summary", "narrative", "outcome", "docket_number")


@dataclass(frozen=True)
class SearchText:
    """A search as typed, and the forms of it each index understands."""

    raw: str

    @classmethod
    def parse(cls, text: str | None) -> SearchText | None:
        text = unicodedata.normalize("NFKC", text or "").strip()
        return cls(text) if text else None

    @cached_property
    def name_key(self) -> str:
        """ "Liú Hǔ", "LIU HU", "liu hu" and "liuhu" all become "liuhu"."""
        return latin_key(self.raw)

    @cached_property
    def chinese_runs(self) -> list[str]:
        return cjk_runs(self.raw)

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
    def names_contain_key(self) -> bool:
        """Does some public figure's name hold the Latin key as typed? (One index probe.)"""
        return searchable_people().filter(name_keys__contains=self.name_key).exists()

    @cached_property
    def exact_name_pattern(self) -> str | None:
        """A regex matching a name key or Chinese name that is exactly the query."""
        words = [self.name_key] if self.name_key else []
        words += self.chinese_runs[:1] if len(self.chinese_runs) == 1 else []
        return rf"(^| )({'|'.join(words)})( |$)" if words else None

    def matching_people(self):
        """Public figures whose name, romanisation or alias matches.

        Only public figures are searchable by name: a pseudonymised or withheld
        person's real name must not be confirmable through the search box.
        """
        condition = Q()
        if self.chinese_grams:
            runs = Q()
            for run in self.chinese_runs:
                runs &= Q(name_keys__contains=run)
            condition |= Q(name_grams__contains=self.chinese_grams) & runs
        key = self.name_key
        if len(key) >= MIN_SUBSTRING_KEY:
            # A substring ("liuh") of any name key; only when no name holds one, a near
            # miss ("liu hoo"). Fuzzy matching is costly over a million names, and next
            # to names that match as typed it is noise ("wang wei" is not "huang wei").
            if self.names_contain_key:
                condition |= Q(name_keys__contains=key)
            else:
                condition |= Q(name_keys__trigram_word_similar=key)
        elif key:
            condition |= Q(name_keys__regex=rf"(^| ){key}( |$)")
        if not condition:
            return searchable_people().none()
        return searchable_people().filter(condition)

    def matches_case_text(self) -> Q:
        """English full text, Chinese substrings and the docket number of the case itself."""
        condition = Q(search_vector=self.full_text)
        if self.chinese_grams:
            each_run_somewhere = Q()
            for run in self.chinese_runs:
                somewhere = Q()
                for field in CHINESE_TEXT_FIELDS:
                    somewhere |= Q(**{f"{field}__contains": run})
                each_run_somewhere &= somewhere
            condition |= Q(text_grams__contains=self.chinese_grams) & each_run_somewhere
        if self.docket:
            condition |= Q(Exact(Upper("docket_number"), self.docket))
        return condition
