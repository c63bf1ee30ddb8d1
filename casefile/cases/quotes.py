"""The quote check: is a citation's quote in the text of the capture it cites?

A quote is looked for in the text extracted from each file kept of the citation's
capture (casefile.sources.extraction), both reduced by casefile.core.text.match_key:
width, punctuation, spaces and line breaks, case, diacritics and traditional/simplified
characters do not count, so 「拒不履行」 quoted from a traditional-character page as
"拒不履行" is found, and so is an English sentence broken across lines of a PDF. The
result is one of QuoteCheck:

- found: the quote is in the text of at least one kept file of the capture;
- not found: the capture keeps files with text, and none holds the quote;
- no text to check: the capture keeps no file, only images, or files whose text could
  not be extracted.

A citation without a quote has no result (blank). The result is computed when a citation
is saved (Citation.save), and for every citation of a capture when a file is attached to
it or its text extracted again (check_quotes_of_captures), and stored: publishing only
reads it (casefile.cases.services.publish refuses a quote not found without a
reviewer's recorded reason, QuoteNotFoundReason). Writers that insert citations in bulk
(bypassing save) call check_quotes() on them; a database constraint refuses a quote
without a result.

The search itself runs in PostgreSQL (strpos over the stored match_text), so a check
never loads a file's text into Python.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from casefile.cases.vocabularies import QuoteCheck
from casefile.core.text import match_key
from casefile.sources.models import CaptureFile, TextStatus

# One statement for any number of (ordinal, capture, key) triples: for each, whether its
# capture keeps a file with text, and whether one of those texts holds the key. Each
# file's text is read (and decompressed) once, however many quotes cite its capture:
# `match_text || ''` makes the materialised row hold the text itself, not a pointer to
# its compressed copy, which strpos would otherwise decompress again for every quote.
# Positional parameters: pghistory prefixes its context to statements run inside
# pghistory.context (as the importer's are), with positional parameters of its own.
CHECK_SQL = f"""
WITH quotes AS MATERIALIZED (
    SELECT * FROM unnest(%s::int[], %s::bigint[], %s::text[])
                  AS q(ord, capture_id, key)
), texts AS MATERIALIZED (
    SELECT f.capture_id, f.match_text || '' AS text
    FROM {CaptureFile._meta.db_table} f
    WHERE f.capture_id IN (SELECT capture_id FROM quotes)
      AND f.text_status = %s AND f.match_text <> ''
)
SELECT q.ord, count(t.capture_id) > 0,
       coalesce(bool_or(q.key <> '' AND strpos(t.text, q.key) > 0), false)
FROM quotes q LEFT JOIN texts t ON t.capture_id = q.capture_id
GROUP BY q.ord
"""


def results(pairs: list[tuple[int, str]]) -> list[str]:
    """The QuoteCheck value for each (capture id, quote), in order ("" without a quote).
    One query for all of them."""
    out = [""] * len(pairs)
    wanted = [(i, capture_id, match_key(quote)) for i, (capture_id, quote) in enumerate(pairs)]
    wanted = [(i, capture_id, key) for i, capture_id, key in wanted if pairs[i][1].strip()]
    for i, capture_id, _ in wanted:
        if capture_id is None:
            out[i] = QuoteCheck.NO_TEXT.value
    wanted = [item for item in wanted if item[1] is not None]
    if not wanted:
        return out
    ords, captures, keys = (list(column) for column in zip(*wanted, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            CHECK_SQL,
            [ords, captures, keys, TextStatus.EXTRACTED],
        )
        for ordinal, has_text, found in cursor.fetchall():
            if found:
                out[ordinal] = QuoteCheck.FOUND.value
            elif has_text:
                out[ordinal] = QuoteCheck.NOT_FOUND.value
            else:
                out[ordinal] = QuoteCheck.NO_TEXT.value
    # A quote of punctuation alone has an empty key: nothing in it can be found.
    for i, _, key in wanted:
        if not key and out[i] == QuoteCheck.FOUND.value:
            out[i] = QuoteCheck.NOT_FOUND.value
    return out


def check_quote(capture_id: int | None, quote: str) -> str:
    """The QuoteCheck value of one quote of this capture ("" for no quote)."""
    if not (quote or "").strip():
        return ""
    return results([(capture_id, quote)])[0]


def check_quotes(citations: Iterable) -> int:
    """Compute and store the result of each of these citations (Citation objects or a
    queryset), writing only those that changed; returns how many changed. For writers
    that insert citations without save(), and after a capture's files change."""
    from casefile.cases.models import Citation
    from casefile.core.bulk import bulk_update_from_values

    changed = assess_quotes(citations)
    bulk_update_from_values(Citation, changed, ["quote_check"])
    return len(changed)


def assess_quotes(citations: Iterable) -> list:
    """Set the result of each of these citations on the objects, without writing (for
    citations about to be created or updated in bulk); returns those whose result
    changed. One query for all of them."""
    citations = list(citations)
    new = results([(c.capture_id, c.quote) for c in citations])
    changed = []
    for citation, value in zip(citations, new, strict=True):
        if citation.quote_check != value:
            citation.quote_check = value
            changed.append(citation)
    return changed


def check_quotes_of_captures(capture_ids: Iterable[int]) -> int:
    """Check again every quote citing these captures (their kept files changed)."""
    from casefile.cases.models import Citation

    citations = (
        Citation.objects.filter(capture_id__in=list(capture_ids))
        .exclude(quote="")
        .only("id", "capture_id", "quote", "quote_check")
        .order_by("id")
    )
    return check_quotes(citations.iterator(chunk_size=2000))


def unexplained_quotes(case) -> list:
    """The case's citations whose quote was not found and that no reviewer explained
    (QuoteNotFoundReason for the same capture and quote): they stop publication. Reads
    the stored results only."""
    # From the case's citations, which a check of many cases prefetches
    # (name_leaks.PREFETCH), and its reasons, read again at each check (reviewers add
    # them without moving the case's version).
    reasons = {(r.capture_id, r.quote) for r in case.quote_reasons.all()}
    return sorted(
        (
            citation
            for citation in case.citations.all()
            if citation.quote_check == QuoteCheck.NOT_FOUND
            and (citation.capture_id, citation.quote) not in reasons
        ),
        key=lambda citation: citation.pk,
    )
