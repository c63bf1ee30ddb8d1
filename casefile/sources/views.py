from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from casefile.cases.models import Citation
from casefile.cases.pages import BadPage, paginate
from casefile.cases.visibility import public_captures, public_cases, public_sources

CASES_PER_PAGE = 50


def source_detail(request, pk):
    """A public source, the captures of it that public cases cite, and those cases."""
    source = get_object_or_404(public_sources(), pk=pk)
    cases = public_cases().filter(
        Exists(Citation.objects.filter(case=OuterRef("pk"), capture__source=source))
    )
    total = cases.count()
    captures = public_captures().filter(source=source)
    try:
        page = paginate(cases.for_display(), total, request.GET.get("page"), CASES_PER_PAGE)
    except BadPage as error:
        raise Http404(str(error)) from None
    return render(
        request,
        "sources/source_detail.html",
        {"source": source, "captures": captures, "page": page},
    )
