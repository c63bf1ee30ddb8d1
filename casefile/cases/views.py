from django.shortcuts import get_object_or_404, render

from casefile.cases.models import Case


def case_detail(request, public_id):
    retracted = Case.objects.retracted().filter(public_id=public_id.upper()).first()
    if retracted is not None:  # gone for good: 410 with the note and the date
        return render(request, "cases/case_retracted.html", {"case": retracted}, status=410)
    case = get_object_or_404(Case.objects.published().for_display(), public_id=public_id.upper())
    return render(request, "cases/case_detail.html", {"case": case})
