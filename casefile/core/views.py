from django.db.models import F
from django.http import QueryDict
from django.shortcuts import render

from casefile.cases.facets import build_facets
from casefile.cases.visibility import public_cases, public_totals

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
