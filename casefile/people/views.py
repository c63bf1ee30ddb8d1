from django.shortcuts import get_object_or_404, render

from casefile.cases.models import Case
from casefile.people.models import Person


def person_detail(request, pk):
    cases = Case.objects.published().filter(person_id=pk).for_display()
    person = get_object_or_404(Person.objects.visible().filter(cases__in=cases).distinct(), pk=pk)
    return render(request, "people/person_detail.html", {"person": person, "cases": cases})
