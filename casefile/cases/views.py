from django.shortcuts import get_object_or_404, render

from casefile.cases.models import Case


def case_detail(request, public_id):
    case = get_object_or_404(Case.objects.published().for_display(), public_id=public_id.upper())
    return render(request, "cases/case_detail.html", {"case": case})
