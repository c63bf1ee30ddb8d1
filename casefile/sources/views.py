from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from casefile.cases.models import Case, Citation
from casefile.cases.pages import BadPage, paginate
from casefile.sources.models import Source, SourceCapture

CASES_PER_PAGE = 50


def source_detail(request, pk):
    """A source, the captures of it that published cases cite, and those cases; 404 when
    no published case cites it."""
    source = get_object_or_404(Source, pk=pk)
    cases = Case.objects.published().filter(
        Exists(Citation.objects.filter(case=OuterRef("pk"), capture__source=source))
    )
    total = cases.count()
    if not total:
        raise Http404("No published case cites this source.")
    captures = SourceCapture.objects.filter(
        Exists(Citation.objects.filter(capture=OuterRef("pk"), case__in=cases.values("id"))),
        source=source,
    )
    try:
        page = paginate(cases.for_display(), total, request.GET.get("page"), CASES_PER_PAGE)
    except BadPage as error:
        raise Http404(str(error)) from None
    return render(
        request,
        "sources/source_detail.html",
        {"source": source, "captures": captures, "page": page},
    )
