"""`/sitemap.xml` and `/robots.txt`.

The sitemap is an index (sitemaps.org) of sections, each a list of at most PAGE_SIZE
addresses: the site's own pages, then every public case, person, authority and source
page, as casefile.cases.visibility decides, by id. A section page is one index-ordered
read; addresses are permanent ones (SITE_URL).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.urls import reverse

from casefile.cases import visibility
from casefile.core.links import permanent_url

PAGE_SIZE = 50_000  # the protocol's limit of addresses per sitemap


@dataclass(frozen=True)
class Section:
    name: str
    total: str  # its count in visibility.public_totals()
    queryset: Callable  # rows by id: (key, updated_at)
    path: Callable[[object], str]

    def pages(self) -> int:
        return max(1, math.ceil(visibility.public_totals()[self.total] / PAGE_SIZE))


def _cases():
    return visibility.public_cases().order_by("id").values_list("public_id", "updated_at")


def _people():
    return visibility.public_people().order_by("id").values_list("id", "updated_at")


def _authorities():
    return visibility.public_authorities().order_by("id").values_list("id", "updated_at")


def _sources():
    return visibility.public_sources().order_by("id").values_list("id", "updated_at")


SECTIONS = {
    section.name: section
    for section in (
        Section("cases", "cases", _cases, lambda key: reverse("case-detail", args=[key])),
        Section("people", "people", _people, lambda key: reverse("person-detail", args=[key])),
        Section(
            "authorities",
            "authorities",
            _authorities,
            lambda key: reverse("authority-detail", args=[key]),
        ),
        Section("sources", "sources", _sources, lambda key: reverse("source-detail", args=[key])),
    )
}
SITE_PAGES = ("home", "case-list", "stats", "about")
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _section_url(name: str, page: int) -> str:
    return permanent_url(reverse("sitemap-section", kwargs={"section": name, "page": page}))


def index_xml() -> str:
    """The index: the site's pages, then each section's pages (at least one each),
    counted from the cached public totals."""
    entries = [_section_url("pages", 1)]
    for name, section in SECTIONS.items():
        entries += [_section_url(name, page) for page in range(1, section.pages() + 1)]
    body = "".join(f"<sitemap><loc>{escape(url)}</loc></sitemap>\n" for url in entries)
    return f'{XML_HEAD}<sitemapindex xmlns="{NAMESPACE}">\n{body}</sitemapindex>\n'


def section_exists(name: str, page: int) -> bool:
    if name == "pages":
        return page == 1
    section = SECTIONS.get(name)
    return section is not None and 1 <= page <= section.pages()


def section_xml(name: str, page: int) -> str:
    """One page of a section (one that section_exists())."""
    if name == "pages":
        return _urlset((permanent_url(reverse(view)), None) for view in SITE_PAGES)
    section = SECTIONS[name]
    rows = section.queryset()[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return _urlset((permanent_url(section.path(key)), changed) for key, changed in rows)


def _urlset(entries: Iterable[tuple[str, object]]) -> str:
    lines = []
    for url, changed in entries:
        lastmod = f"<lastmod>{changed:%Y-%m-%d}</lastmod>" if changed else ""
        lines.append(f"<url><loc>{escape(url)}</loc>{lastmod}</url>\n")
    return f'{XML_HEAD}<urlset xmlns="{NAMESPACE}">\n{"".join(lines)}</urlset>\n'


# Crawlers stay out of the staff side, the downloads, the search's endless combinations of
# parameters (the sitemap lists every page they lead to) and the machine endpoints.
ROBOTS_DISALLOW = (
    "/admin/",
    "/editorial/",
    "/api/v1/exports/",
    "/cases/export.csv",
    "/cases/?",
    "/stats/?",
    "/reconcile",
)


def robots_txt() -> str:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines += ["", f"Sitemap: {permanent_url(reverse('sitemap'))}"]
    return "\n".join(lines) + "\n"
