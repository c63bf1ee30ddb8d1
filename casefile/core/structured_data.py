"""What the pages tell machines about themselves: schema.org JSON-LD (a case as a
scholarly article of the archive, the archive as a Dataset with its downloads) and the
citation tags reference managers read (Zotero, Google Scholar: `citation_*`).

Everything here is public already: names come from public_name(), the summary is the
case's published summary, addresses are permanent ones (SITE_URL). The author of a case
is the archive (as in its BibTeX, RIS and CSL-JSON), never the listed person.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from casefile.core.links import permanent_url

# Inside <script>, "</script>" or "<!--" would end or confuse the element: written as
# JSON escapes, as Django's json_script does.
SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: dict) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def _archive() -> dict:
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": permanent_url("/")}


def case_article(case, citation) -> SafeString:
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": citation.title,
        "name": citation.title,
        "identifier": case.public_id,
        "url": citation.url,
        "description": case.summary,
        "inLanguage": "en",
        "author": _archive(),
        "publisher": _archive(),
        "license": settings.DATA_LICENSE_URL,
        "isPartOf": {"@type": "Dataset", "name": settings.SITE_NAME, "url": permanent_url("/")},
    }
    if case.published_at:
        data["datePublished"] = case.published_at.date().isoformat()
    data["dateModified"] = case.updated_at.date().isoformat()
    return json_ld(data)


def citation_tags(case, citation) -> list[tuple[str, str]]:
    """(name, content) of the Highwire Press tags Zotero and Google Scholar read."""
    tags = [
        ("citation_title", citation.title),
        ("citation_author", settings.SITE_NAME),
        ("citation_publisher", settings.SITE_NAME),
        ("citation_public_url", citation.url),
    ]
    if citation.published:
        day = citation.published.strftime("%Y/%m/%d")
        tags += [("citation_date", day), ("citation_publication_date", day)]
    tags.append(("citation_technical_report_number", case.public_id))
    return tags


DOWNLOADS = [
    # (URL name, format, what)
    ("api:export-csv", "text/csv", "Cases (CSV)"),
    ("api:export-persons-csv", "text/csv", "People (CSV)"),
    ("api:export-sources-csv", "text/csv", "Sources and their captures (CSV)"),
    ("api:export-citations-csv", "text/csv", "Citations (CSV)"),
    ("api:export-ndjson", "application/x-ndjson", "Cases, nested (NDJSON)"),
    ("api:datapackage", "application/json", "Data package describing every download"),
]


def dataset(last_modified) -> SafeString:
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": f"{settings.SITE_NAME}: documented cases of China's social-credit blacklists",
        "description": "Documented blacklisting cases from China's social-credit system: "
        "people put on the courts' list of dishonest judgment debtors and similar lists, "
        "with what was alleged, owed and taken away, and the published sources behind "
        "every claim. Names are shown only as each person's privacy level allows.",
        "url": permanent_url("/"),
        "license": settings.DATA_LICENSE_URL,
        "isAccessibleForFree": True,
        "creator": _archive(),
        "publisher": _archive(),
        "inLanguage": ["en", "zh-Hans"],
        "keywords": ["social credit", "China", "blacklist", "human rights"],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": what,
                "encodingFormat": media_type,
                "contentUrl": permanent_url(reverse(name, kwargs={"version": "v1"})),
            }
            for name, media_type, what in DOWNLOADS
        ],
    }
    if last_modified:
        data["dateModified"] = last_modified.date().isoformat()
    return json_ld(data)
