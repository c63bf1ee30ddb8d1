from django.http import Http404
from django.shortcuts import get_object_or_404, render

from casefile.authorities.models import Authority
from casefile.cases.models import Case
from casefile.cases.pages import BadPage, paginate

CASES_PER_PAGE = 50


def authority_detail(request, pk):
    """A court or agency and its published cases; 404 when it has none."""
    authority = get_object_or_404(Authority, pk=pk)
    cases = Case.objects.published().filter(authority=authority)
    total = cases.count()
    if not total:
        raise Http404("No published case of this authority.")
    try:
        page = paginate(cases.for_display(), total, request.GET.get("page"), CASES_PER_PAGE)
    except BadPage as error:
        raise Http404(str(error)) from None
    return render(
        request, "authorities/authority_detail.html", {"authority": authority, "page": page}
    )
