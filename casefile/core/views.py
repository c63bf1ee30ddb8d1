from django.shortcuts import render

from casefile.cases.models import Case


def home(request):
    recent = Case.objects.published().for_display().order_by("-published_at", "-id")[:20]
    return render(request, "home.html", {"recent_cases": recent})
