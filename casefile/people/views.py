from django.http import Http404
from django.shortcuts import get_object_or_404, render

from casefile.cases.visibility import public_cases, shown_people


def person_detail(request, pk):
    """A shown person's public cases; 404 for a withheld person or one with none."""
    person = get_object_or_404(shown_people(), pk=pk)
    cases = list(public_cases().filter(person=person).for_display())
    if not cases:
        raise Http404("No published case of this person.")
    return render(request, "people/person_detail.html", {"person": person, "cases": cases})
