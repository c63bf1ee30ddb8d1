"""`/api/v1/exports/datapackage.json`: a Frictionless Data Package (v1 specifications,
https://specs.frictionlessdata.io/) describing every export.

The CSV tables are tabular data resources whose Table Schemas are read from the one
definition of their columns (casefile.cases.exports.COLUMNS and
casefile.cases.export_tables), so the description cannot drift from the files; the
NDJSON export is a plain data resource (nested JSON, described by the API's schema).
Paths are absolute URLs on the request's host, like the info document's links.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse

from casefile.cases.export_tables import TABLES
from casefile.core.context_processors import license_info

EXPORT_URLS = {
    "cases": "api:export-csv",
    "persons": "api:export-persons-csv",
    "sources": "api:export-sources-csv",
    "citations": "api:export-citations-csv",
}
DESCRIPTION = (
    "Documented blacklisting cases from China's social-credit system: each published case "
    "with its person (named only as their privacy level allows), the authority that listed "
    "them, the sources behind every claim, and the citations linking the two. Amounts are "
    "as reported, never converted; dates as precise as known. Every table is a consistent "
    "snapshot of what is published when it is downloaded; append ?bom=1 to a CSV's path "
    "for a UTF-8 byte-order mark (spreadsheets)."
)


def _url(request, name: str) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"version": "v1"}))


def descriptor(request, last_modified) -> dict:
    licence = license_info()
    licenses = [{"name": licence["name"], "path": licence["path"], "title": licence["title"]}]
    resources = []
    for name, table in TABLES.items():
        resources.append(
            {
                "name": name,
                "title": table.title,
                "description": table.description,
                "profile": "tabular-data-resource",
                "path": _url(request, EXPORT_URLS[name]),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
                "schema": {**table.schema(), "missingValues": [""]},
            }
        )
    resources.append(
        {
            "name": "cases-ndjson",
            "title": "Cases, nested",
            "description": "Every published case as one JSON object per line, exactly as "
            "the API's /api/v1/cases/{id}/ returns it (its schema: "
            f"{_url(request, 'api:schema')}).",
            "profile": "data-resource",
            "path": _url(request, "api:export-ndjson"),
            "format": "ndjson",
            "mediatype": "application/x-ndjson",
            "encoding": "utf-8",
        }
    )
    package = {
        "profile": "data-package",
        "name": "casefile",
        "title": f"{settings.SITE_NAME}: documented cases of China's social-credit blacklists",
        "description": f"{DESCRIPTION} Licence: {licence['title']}. {licence['exception']}",
        "homepage": request.build_absolute_uri(reverse("home")),
        "licenses": licenses,
        "sources": [
            {
                "title": "The publications each case cites (news reports, court records, "
                "government documents…), listed with their captures in the sources resource",
                "path": _url(request, "api:export-sources-csv"),
            }
        ],
        "contributors": [{"title": f"{settings.SITE_NAME} editors", "role": "publisher"}],
        "keywords": ["social credit", "China", "blacklist", "human rights", "失信被执行人"],
        "resources": resources,
    }
    if last_modified:
        package["created"] = last_modified.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return package
