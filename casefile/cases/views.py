from django.db import connection
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from casefile.api import conditional
from casefile.api.throttling import export_refusal, refused_page_response
from casefile.cases import exports, feeds
from casefile.cases.citing import FORMATS, CaseCitation
from casefile.cases.facets import build_facets, with_changes
from casefile.cases.filters import CaseFilter
from casefile.cases.pages import API_CASES_PATH, BadPage, paginate_cases, search_errors
from casefile.cases.presenters import CasePage
from casefile.cases.querysets import ORDERINGS
from casefile.cases.suggestions import did_you_mean, unknown_parameters, without_each_filter
from casefile.cases.visibility import case_at, public_cases, public_last_modified
from casefile.core import structured_data
from casefile.core.context_processors import license_link_header
from casefile.core.currencies import currency_choices
from casefile.core.links import absolute_url

RESULTS_PER_PAGE = 20
FACET_PARAMETERS = ("restriction", "offence", "list", "province", "status", "notified")
# Filters the form has no field for (a chart's link sets them): kept as hidden fields.
HIDDEN_PARAMETERS = (*FACET_PARAMETERS, "removed_from", "removed_to")


def case_list(request):
    """The search page: one search box, facets with live counts, sorting and pages. A
    parameter the page does not know is ignored, named in a notice with the closest one
    it knows, and left out of every link; a search that finds nothing offers what it may
    have meant and each filter to drop, with what that would find."""
    ignored = unknown_parameters(request.GET, CaseFilter.parameter_names() | {"page"})
    params = request.GET.copy()
    for name, _ in ignored:
        params.pop(name)
    filterset = CaseFilter(params, queryset=public_cases())
    request.kept_query = with_changes(params)  # the language switch keeps this search
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "orderings": ORDERINGS,
        "currencies": currency_choices(),
        "query": params.get("q", ""),
        "ignored": ignored,
        # Facet choices ride along when the search box is submitted again.
        "kept_filters": [
            (name, value) for name in HIDDEN_PARAMETERS for value in params.getlist(name)
        ],
        "csv_url": reverse("case-csv") + with_changes(params),
        "csv_bom_url": reverse("case-csv") + with_changes(params, bom=["1"]),
        "api_url": API_CASES_PATH + with_changes(params),
        "feed_url": reverse("case-feed") + with_changes(params),
        "stats_url": reverse("stats") + with_changes(params),
    }
    if not filterset.is_valid():
        context["errors"] = search_errors(filterset)
        return render(request, "cases/case_list.html", context, status=400)
    results = filterset.qs
    counted = results.counted(everything=filterset.is_unfiltered())
    facets, total = counted.facets, counted.total
    try:
        page = paginate_cases(
            results, total, params.get("page"), RESULTS_PER_PAGE, query=context["query"]
        )
    except BadPage as error:
        context["errors"] = [("page", params.get("page"), str(error))]
        return render(request, "cases/case_list.html", context, status=error.status)
    search = filterset.search
    facet_links = build_facets(params, facets)
    context |= {
        "page": page,
        "total": total,
        "estimated": counted.estimated,
        "facets": facet_links,
        "has_facets": any(facet.values or facet.more for facet in facet_links),
        "near_miss": search is not None and total > 0 and search.near_miss,
        "previous_url": with_changes(params, page=[str(page.number - 1)])
        if page.has_previous()
        else "",
        "next_url": with_changes(params, page=[str(page.number + 1)]) if page.has_next() else "",
    }
    if not total:
        context["suggestions"] = [
            (suggestion, with_changes(params, q=[suggestion.text]))
            for suggestion in did_you_mean(search)
        ]
        context["dropped"] = without_each_filter(params, count_public_cases)
    return render(request, "cases/case_list.html", context)


def count_public_cases(params):
    """How many public cases the search of `params` finds (estimated beyond 10,000)."""
    filterset = CaseFilter(params, queryset=public_cases())
    if not filterset.is_valid():
        return None
    return filterset.qs.counted(everything=filterset.is_unfiltered())


def _unreadable_search(filterset, problems=()):
    lines = [f"{name}: {message}" for name, _, message in search_errors(filterset)]
    lines += [f"{name}: {message}" for name, message in problems]
    return HttpResponse(
        "The search could not be read:\n" + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


BOM_WORDS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def case_csv(request):
    """The current search as CSV, streamed: one row per case, a header row first
    (after a UTF-8 byte-order mark with ?bom=1, for spreadsheets)."""
    filterset = CaseFilter(request.GET, queryset=public_cases())
    bom = BOM_WORDS.get(request.GET.get("bom", "0").strip().lower())
    if not filterset.is_valid() or bom is None:
        problems = [] if bom is not None else [("bom", "Give bom=1 or bom=0.")]
        return _unreadable_search(filterset, problems)
    # A stream is a 200 before its first row is read: ask the database first, so that an
    # outage is a 503 (casefile.core.unavailable), not a download cut short.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    refusal = export_refusal(request)  # the API's exports share this quota
    if refusal is not None:
        return refused_page_response(refusal)
    lines = exports.csv_lines(filterset.qs, request)
    response = StreamingHttpResponse(
        _with_bom(lines) if bom else lines, content_type=exports.CONTENT_TYPE
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="casefile-cases-{stamp}.csv"'
    response["Link"] = license_link_header()
    return response


def _with_bom(lines):
    yield "\ufeff".encode()
    yield from lines


def case_feed(request):
    """The search as an Atom feed (casefile.cases.feeds), conditional on its entries."""
    filterset = CaseFilter(request.GET, queryset=public_cases())
    if not filterset.is_valid():
        return _unreadable_search(filterset)
    filtered = feeds.is_filtered(request.GET)
    found = feeds.entries(filterset, filtered=filtered)
    etag = conditional.digest_etag(
        "atom",
        get_language(),
        sorted(request.GET.lists()),
        [(e.public_id, e.updated, e.state) for e in found],
    )
    return conditional.respond(
        request,
        etag=etag,
        last_modified=public_last_modified(),
        build=lambda: HttpResponse(
            feeds.atom(request.GET, found, filtered=filtered),
            content_type="application/atom+xml; charset=utf-8",
        ),
    )


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
            "canonical_url": absolute_url(request, case.get_absolute_url()),
            "permanent_url": citation.url,
            "cite_formats": [(fmt, label) for fmt, (_, _, label) in FORMATS.items()],
            "citation_tags": structured_data.citation_tags(case, citation),
            "json_ld": structured_data.case_article(case, citation),
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
