from django.db import connection
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from casefile.api.throttling import export_refusal
from casefile.cases import exports
from casefile.cases.citing import FORMATS, CaseCitation
from casefile.cases.facets import build_facets, with_changes
from casefile.cases.filters import CaseFilter
from casefile.cases.pages import API_CASES_PATH, BadPage, paginate_cases, search_errors
from casefile.cases.presenters import CasePage
from casefile.cases.querysets import ORDERINGS
from casefile.cases.visibility import case_at, public_cases
from casefile.core.currencies import CURRENCY_CHOICES

RESULTS_PER_PAGE = 20
FACET_PARAMETERS = ("restriction", "offence", "list", "province", "status", "notified")


def case_list(request):
    """The search page: one search box, facets with live counts, sorting and pages."""
    filterset = CaseFilter(request.GET, queryset=public_cases())
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "orderings": ORDERINGS,
        "currencies": CURRENCY_CHOICES,
        "query": request.GET.get("q", ""),
        # Facet choices ride along when the search box is submitted again.
        "kept_filters": [
            (name, value) for name in FACET_PARAMETERS for value in request.GET.getlist(name)
        ],
        "csv_url": reverse("case-csv") + with_changes(request.GET),
        "api_url": API_CASES_PATH + with_changes(request.GET),
    }
    if not filterset.is_valid():
        context["errors"] = search_errors(filterset)
        return render(request, "cases/case_list.html", context, status=400)
    results = filterset.qs
    facets = results.facet_counts()
    total = sum(facets["status"].values())
    try:
        page = paginate_cases(
            results, total, request.GET.get("page"), RESULTS_PER_PAGE, query=context["query"]
        )
    except BadPage as error:
        context["errors"] = [("page", request.GET.get("page"), str(error))]
        return render(request, "cases/case_list.html", context, status=error.status)
    context |= {
        "page": page,
        "total": total,
        "facets": build_facets(request.GET, facets),
        "previous_url": with_changes(request.GET, page=[str(page.number - 1)])
        if page.has_previous()
        else "",
        "next_url": with_changes(request.GET, page=[str(page.number + 1)])
        if page.has_next()
        else "",
    }
    return render(request, "cases/case_list.html", context)


def case_csv(request):
    """The current search as CSV, streamed: one row per case, a header row first."""
    filterset = CaseFilter(request.GET, queryset=public_cases())
    if not filterset.is_valid():
        lines = [f"{name}: {message}" for name, _, message in search_errors(filterset)]
        return HttpResponse(
            "The search could not be read:\n" + "\n".join(lines) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    # A stream is a 200 before its first row is read: ask the database first, so that an
    # outage is a 503 (casefile.core.unavailable), not a download cut short.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    refusal = export_refusal(request)  # the API's exports share this quota
    if refusal is not None:
        wait, why = refusal
        return HttpResponse(
            why + "\n",
            status=429,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": str(wait)},
        )
    response = StreamingHttpResponse(
        exports.csv_lines(filterset.qs, request), content_type=exports.CONTENT_TYPE
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="casefile-cases-{stamp}.csv"'
    return response


def public_case_or_gone(request, public_id, queryset=None):
    """(case, None) for a public case; else (None, the answer): 410 Gone with the
    retraction note and date for a retracted case, or Http404 (visibility.case_at)."""
    address = case_at(public_id, queryset)
    if address.found:
        return address.case, None
    if address.gone:
        return None, render(
            request, "cases/case_retracted.html", {"case": address.case}, status=410
        )
    raise Http404("No published case has this id.")


def case_detail(request, public_id):
    case, answer = public_case_or_gone(request, public_id, CasePage.queryset())
    if answer is not None:
        return answer
    citation = CaseCitation.of(case, request=request)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "page": CasePage(case),
            "chicago": citation.chicago(),
            "canonical_url": citation.url,
            "cite_formats": [(fmt, label) for fmt, (_, _, label) in FORMATS.items()],
        },
    )


def case_cite(request, public_id, fmt):
    if fmt not in FORMATS:
        raise Http404("No such citation format.")
    case, answer = public_case_or_gone(request, public_id, public_cases().for_display())
    if answer is not None:
        return answer
    citation = CaseCitation.of(case, request=request)
    response = HttpResponse(citation.render(fmt), content_type=FORMATS[fmt][0])
    response["Content-Disposition"] = f'attachment; filename="{citation.filename(fmt)}"'
    return response
