"""Text normalisation shared by storage and search, so both sides agree."""

import re
import unicodedata
from functools import lru_cache

import opencc
from django.core.exceptions import ValidationError

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]+")


def strip_marks(text: str) -> str:
    """Drop tone marks and other diacritics: "Liú Hǔ" -> "Liu Hu", "Lü" -> "Lu"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


NOT_LATIN_KEY = re.compile(r"[^0-9a-z]")


def latin_key(text: str) -> str:
    """A name reduced to lower-case Latin letters and digits: "Liú Hǔ" -> "liuhu"."""
    if not text.isascii():  # ASCII has no marks to strip (an import calls this 400,000 times)
        text = strip_marks(text)
    return NOT_LATIN_KEY.sub("", text.lower())


# --- Matching text written in different forms --------------------------------------------
# The name check (casefile.cases.name_leaks) and the quote check (casefile.cases.quotes)
# compare text as matching sees it: compatibility forms unified (full-width letters and
# digits, compatibility ideographs), diacritics dropped, lower case, and traditional
# characters made simplified (OpenCC's phrase-aware conversion).

COMBINING_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=4)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    return _converter("s2t").convert(text)


def fold(text: str) -> str:
    """`text` with compatibility forms unified (NFKD: full-width letters, digits and
    punctuation become their ordinary forms), diacritics dropped and in lower case."""
    if text.isascii():  # most English text: nothing to unify or drop
        return text.lower()
    return COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text)).lower()


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """One character as fold() makes it (for mapping positions back into a text)."""
    return COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", char)).lower()


# Everything that is not a letter or a digit: punctuation of any width, spaces, line
# breaks, symbols, underscores.
NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def match_key(text: str) -> str:
    """`text` reduced to what a quotation must share with its source: letters and digits
    only (no punctuation, spaces or line breaks, whatever their width), folded, and in
    simplified characters: "「拒不履行」 Liú Hǔ!" and "拒不履行, liu hu" give the same key.
    The quote check looks for a quote's key inside the key of a source's text."""
    folded = fold(text)
    if has_cjk(folded):
        folded = to_simplified(folded)
    return NOT_LETTER_OR_DIGIT.sub("", folded)


def has_cjk(text: str) -> bool:
    return bool(CJK_RUN.search(text or ""))


def cjk_runs(text: str) -> list[str]:
    return CJK_RUN.findall(text or "")


def cjk_query_grams(text: str) -> list[str]:
    """The grams a row must hold to contain every run of Chinese characters in `text`.

    Rows store every character and every pair of characters of their Chinese
    text (SQL function casefile_cjk_grams()); a run is looked up by its pairs,
    or by itself when it is a single character. Rows found this way still need
    a substring check: the pairs may occur apart.
    """
    grams: set[str] = set()
    for run in cjk_runs(text):
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return sorted(grams)


# --- Control characters -------------------------------------------------------------------
# Stored text and query values hold no control characters (Unicode category Cc: C0, DEL,
# C1) other than tab and line feed. Line breaks are normalised to "\n" first: browsers
# send "\r\n" from a textarea. A NUL cannot reach PostgreSQL at all; the others hide
# text and confuse what reads it (\x02 and \x03 are the search highlighter's markers).
LINE_BREAK = re.compile(r"\r\n?")
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The same class in PostgreSQL's regular expressions, for CHECK constraints (stored text
# cannot hold a NUL anyway, and a NUL cannot be written in SQL).
CONTROL_CHARACTER_SQL = r"[\x01-\x08\x0b-\x1f\x7f-\x9f]"
CONTROL_CHARACTER_CODE = "control_character"


def normalize_line_breaks(text: str) -> str:
    """`text` with each "\\r\\n" and lone "\\r" as "\\n"."""
    return LINE_BREAK.sub("\n", text) if "\r" in text else text


def control_character_problem(text: str) -> str | None:
    """What is wrong with `text` (line breaks already normalised), as a sentence naming
    the first control character; None when there is none."""
    found = CONTROL_CHARACTER.search(text)
    if found is None:
        return None
    return (
        f"Remove the control character U+{ord(found.group()):04X} (character "
        f"{found.start() + 1}): text may hold tabs and line breaks, no other control "
        "characters."
    )


def validate_plain_text(value) -> None:
    """A Django validator for text fields (forms, models, the API's serializers)."""
    problem = control_character_problem(value) if isinstance(value, str) else None
    if problem:
        raise ValidationError(problem, code=CONTROL_CHARACTER_CODE)


def without_control_characters(text: str) -> str:
    """`text` as the rule allows it: line breaks normalised, other control characters
    dropped. For text from before the rule (history), cleaned as the migrations cleaned
    the stored rows; new text is refused instead."""
    return CONTROL_CHARACTER.sub("", normalize_line_breaks(text))


def visible_control_characters(text: str) -> str:
    """`text` with each control character as U+FFFD, for showing it back in an error."""
    return CONTROL_CHARACTER.sub("\ufffd", text)
