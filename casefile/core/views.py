import sys

from django.conf import settings
from django.db.models import F
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.views import defaults

from casefile.api import conditional
from casefile.cases.facets import build_facets
from casefile.cases.visibility import public_cases, public_last_modified, public_totals
from casefile.cases.vocabularies import ListName
from casefile.core import sitemap, structured_data
from casefile.core.unavailable import database_unavailable, unavailable_response
from casefile.people.models import Privacy
from casefile.sources.models import Reliability, SourceRelation
from casefile.stats.presenters import archive_sections

RECENT_CASES = 10


# The two charts of the whole archive the home page shows (casefile.stats).
HOME_CHARTS = ["provinces", "listed"]


def home(request):
    published = public_cases()
    newest_first = (F("published_at").desc(nulls_last=True), "-id")  # case_published_recent
    recent = published.for_display().order_by(*newest_first)[:RECENT_CASES]
    counted = published.counted(everything=True)  # the database's running counts
    facets = {facet.parameter: facet for facet in build_facets(QueryDict(), counted.facets)}
    return render(
        request,
        "home.html",
        {
            "recent_cases": recent,
            "totals": public_totals(),
            "dataset_json_ld": structured_data.dataset(public_last_modified()),
            "browse": [facets[name] for name in ("restriction", "offence", "province")],
            "archive_charts": archive_sections(HOME_CHARTS),
        },
    )


def about(request):
    """What the archive is and how it works: its vocabularies are read from the code, so
    the page names the lists, grades and privacy levels the data use."""
    contact = settings.EDITORS_CONTACT or ""
    is_url = contact.startswith(("http://", "https://"))
    return render(
        request,
        "about.html",
        {
            "lists": ListName.choices,
            "reliability": Reliability.choices,
            "relations": SourceRelation.choices,
            "privacy": Privacy.choices,
            "site_url": settings.SITE_URL,
            "contact_url": contact if is_url or not contact else f"mailto:{contact}",
            "contact_label": contact,
        },
    )


def robots(request):
    return HttpResponse(sitemap.robots_txt(), content_type="text/plain; charset=utf-8")


def _sitemap_response(request, key: str, build):
    """A sitemap document, conditional on the public data version."""
    last_modified = public_last_modified()
    return conditional.respond(
        request,
        etag=conditional.digest_etag("sitemap", key, last_modified),
        last_modified=last_modified,
        build=lambda: HttpResponse(build(), content_type="application/xml; charset=utf-8"),
    )


def sitemap_index(request):
    return _sitemap_response(request, "index", sitemap.index_xml)


def sitemap_section(request, section, page):
    if not sitemap.section_exists(section, page):
        raise Http404("No such sitemap.")
    return _sitemap_response(
        request, f"{section}-{page}", lambda: sitemap.section_xml(section, page)
    )


def server_error(request):
    """handler500, called by Django while it handles the exception: a database that
    cannot be reached is a 503 to retry; anything else, Django's plain 500."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return defaults.server_error(request)
