from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from casefile.cases.facets import with_changes
from casefile.cases.filters import CaseFilter
from casefile.cases.pages import search_errors
from casefile.cases.suggestions import unknown_parameters
from casefile.cases.visibility import public_cases
from casefile.stats.figures import figures_for
from casefile.stats.presenters import SLUGS, amount_sections, chart_csv, sections


def _read_search(request):
    """(the search's parameters without those it does not know, the ignored ones, its
    CaseFilter over the public cases): the search page's reading of an address."""
    ignored = unknown_parameters(request.GET, CaseFilter.parameter_names() | {"page"})
    params = request.GET.copy()
    for name, _closest in ignored:
        params.pop(name)
    params.pop("page", None)
    request.kept_query = with_changes(params)  # the language switch keeps this search
    return params, ignored, CaseFilter(params, queryset=public_cases())


def stats_page(request):
    """Charts of any search: the search page's parameters, its counts."""
    params, ignored, filterset = _read_search(request)
    context = {
        "ignored": ignored,
        "search_url": reverse("case-list") + with_changes(params),
        "api_url": reverse("api:stats", kwargs={"version": "v1"}) + with_changes(params),
    }
    if not filterset.is_valid():
        context["errors"] = search_errors(filterset)
        return render(request, "stats/stats.html", context, status=400)
    figures = figures_for(filterset)
    context |= {
        "figures": figures,
        "sections": sections(figures, params),
        "amounts": amount_sections(figures),
        "amounts_csv_url": reverse("stats-csv", args=["amounts"]) + with_changes(params),
        "unfiltered": filterset.is_unfiltered(),
    }
    return render(request, "stats/stats.html", context)


def stats_csv(request, chart):
    """One chart's figures as CSV, for the same parameters."""
    if chart not in SLUGS:
        raise Http404(_("No such chart."))
    params, _ignored, filterset = _read_search(request)
    if not filterset.is_valid():
        lines = [f"{name}: {message}" for name, _given, message in search_errors(filterset)]
        return HttpResponse(
            _("The search could not be read:") + "\n" + "\n".join(lines) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(
        chart_csv(chart, figures_for(filterset), params), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="casefile-stats-{chart}.csv"'
    return response
