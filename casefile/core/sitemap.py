"""`/sitemap.xml` and `/robots.txt`.

The sitemap is an index (sitemaps.org) of sections, each a list of at most PAGE_SIZE
addresses: the site's own pages, then every public case, person, authority and source
page, as casefile.cases.visibility decides, by id. A section page is one index-ordered
read; addresses are permanent ones (SITE_URL), each with its Chinese version beside it
(<xhtml:link hreflang>).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from casefile.cases import visibility
from casefile.core.languages import HTML_LANG
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
XHTML = "http://www.w3.org/1999/xhtml"  # its <xhtml:link hreflang> name each language's page


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
    """One page of a section (one that section_exists()): each page's permanent
    (English) address, with its versions in every language as alternates."""
    if name == "pages":
        rows = [(view, None) for view in SITE_PAGES]
        path = reverse
    else:
        section = SECTIONS[name]
        rows = list(section.queryset()[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
        path = section.path
    versions = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            versions[HTML_LANG[code]] = [permanent_url(path(key)) for key, _ in rows]
    return _urlset(
        (versions["en"][n], changed, {lang: urls[n] for lang, urls in versions.items()})
        for n, (_, changed) in enumerate(rows)
    )


def _urlset(entries: Iterable[tuple[str, object, dict[str, str]]]) -> str:
    lines = []
    for url, changed, alternates in entries:
        lastmod = f"<lastmod>{changed:%Y-%m-%d}</lastmod>" if changed else ""
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{lang}" href="{escape(href)}"/>'
            for lang, href in alternates.items()
        )
        lines.append(f"<url><loc>{escape(url)}</loc>{lastmod}{links}</url>\n")
    return (
        f'{XML_HEAD}<urlset xmlns="{NAMESPACE}" xmlns:xhtml="{XHTML}">\n{"".join(lines)}</urlset>\n'
    )


# Crawlers stay out of the staff side, the downloads, the search's endless combinations of
# parameters (the sitemap lists every page they lead to) and the machine endpoints.
ROBOTS_DISALLOW = (
    "/admin/",
    "/editorial/",
    "/zh-hans/editorial/",
    "/api/v1/exports/",
    "/cases/export.csv",
    "/cases/?",
    "/zh-hans/cases/?",
    "/stats/?",
    "/zh-hans/stats/?",
    "/reconcile",
)


def robots_txt() -> str:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines += ["", f"Sitemap: {permanent_url(reverse('sitemap'))}"]
    return "\n".join(lines) + "\n"
