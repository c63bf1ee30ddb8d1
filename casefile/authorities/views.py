from django.shortcuts import get_object_or_404, render

from casefile.authorities.models import Authority
from casefile.cases.models import Case


def authority_detail(request, pk):
    cases = Case.objects.published().filter(authority_id=pk).for_display()
    authority = get_object_or_404(Authority.objects.filter(cases__in=cases).distinct(), pk=pk)
    return render(
        request, "authorities/authority_detail.html", {"authority": authority, "cases": cases}
    )
