from django.http import QueryDict
from django.shortcuts import render

from casefile.cases.facets import build_facets
from casefile.cases.models import Case

RECENT_CASES = 10


def home(request):
    published = Case.objects.published()
    recent = published.for_display().order_by("-published_at", "-id")[:RECENT_CASES]
    facets = {
        facet.parameter: facet for facet in build_facets(QueryDict(), published.facet_counts())
    }
    return render(
        request,
        "home.html",
        {
            "recent_cases": recent,
            "totals": published.totals(),
            "browse": [facets[name] for name in ("restriction", "offence", "province")],
        },
    )
