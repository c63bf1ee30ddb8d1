"""Text normalisation shared by storage and search, so both sides agree."""

import re
import unicodedata

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
