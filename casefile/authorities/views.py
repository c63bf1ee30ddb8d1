from django.shortcuts import get_object_or_404, render

from casefile.cases.pages import record_cases_page
from casefile.cases.visibility import public_authorities, public_cases


def authority_detail(request, pk):
    """A court or agency with public cases, and those cases; 404 when it has none."""
    authority = get_object_or_404(public_authorities(), pk=pk)
    page = record_cases_page(request, public_cases().filter(authority=authority))
    return render(
        request, "authorities/authority_detail.html", {"authority": authority, "page": page}
    )
