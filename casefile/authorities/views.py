from django.http import Http404
from django.shortcuts import get_object_or_404, render

from casefile.cases.pages import BadPage, paginate
from casefile.cases.visibility import public_authorities, public_cases

CASES_PER_PAGE = 50


def authority_detail(request, pk):
    """A court or agency with public cases, and those cases; 404 when it has none."""
    authority = get_object_or_404(public_authorities(), pk=pk)
    cases = public_cases().filter(authority=authority)
    try:
        page = paginate(cases.for_display(), cases.count(), request.GET.get("page"), CASES_PER_PAGE)
    except BadPage as error:
        raise Http404(str(error)) from None
    return render(
        request, "authorities/authority_detail.html", {"authority": authority, "page": page}
    )
