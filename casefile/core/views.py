import sys

from django.db.models import F
from django.http import QueryDict
from django.shortcuts import render
from django.views import defaults

from casefile.cases.facets import build_facets
from casefile.cases.visibility import public_cases, public_totals
from casefile.core.unavailable import database_unavailable, unavailable_response

RECENT_CASES = 10


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
            "browse": [facets[name] for name in ("restriction", "offence", "province")],
        },
    )


def server_error(request):
    """handler500, called by Django while it handles the exception: a database that
    cannot be reached is a 503 to retry; anything else, Django's plain 500."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return defaults.server_error(request)
