from django.shortcuts import get_object_or_404, render

from casefile.cases.models import Case
from casefile.sources.models import Source


def source_detail(request, pk):
    cases = Case.objects.published().filter(citations__capture__source_id=pk).distinct()
    source = get_object_or_404(
        Source.objects.filter(captures__citations__case__in=cases).distinct(), pk=pk
    )
    return render(
        request,
        "sources/source_detail.html",
        {"source": source, "captures": source.captures.all(), "cases": cases.for_display()},
    )
