from django.http import Http404
from django.shortcuts import get_object_or_404, render

from casefile.cases.models import Case
from casefile.people.models import Person


def person_detail(request, pk):
    """A visible person's published cases; 404 for a withheld person or one with none."""
    person = get_object_or_404(Person.objects.visible(), pk=pk)
    cases = list(Case.objects.published().filter(person=person).for_display())
    if not cases:
        raise Http404("No published case of this person.")
    return render(request, "people/person_detail.html", {"person": person, "cases": cases})
