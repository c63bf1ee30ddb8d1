"""Small helpers of the public pages: pagination with a known count, readable errors."""

from __future__ import annotations

import sys

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext

# The REST API (casefile.api) serves the same search under this path, with the same
# parameters (CaseFilter); the search page links to it.
API_CASES_PATH = "/api/v1/cases/"
# Deep pages cost a scan of every row before them; beyond this, narrow the search or
# download it (CSV, API).
MAX_PAGED_RESULTS = 10_000
# A record's page (an authority, a source, a capture) lists its public cases by this many.
RECORD_CASES_PER_PAGE = 50


class BadPage(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class CountedPaginator(Paginator):
    """A paginator told the number of results (the facet counts already hold it),
    so it does not run a COUNT of its own."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def paginate(queryset, count: int, number: str | None, per_page: int) -> Page:
    paginator = CountedPaginator(queryset, per_page, count=count)
    if number in (None, ""):
        return paginator.page(1)
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses. A number too
    # long to convert is far beyond the last page anyway.
    if not (number.isascii() and number.isdigit()) or not number.strip("0"):
        raise BadPage(
            gettext("“%(number)s” is not a page number; pages are numbered from 1.")
            % {"number": number}
        )
    wanted = int(number) if len(number) <= 18 else sys.maxsize
    if (wanted - 1) * per_page >= MAX_PAGED_RESULTS:
        raise BadPage(
            gettext(
                "Only the first %(limit)s results can be paged through; narrow "
                "the search, or download all results as CSV."
            )
            % {"limit": f"{MAX_PAGED_RESULTS:,}"}
        )
    if wanted > paginator.num_pages:
        raise BadPage(
            ngettext(
                "There is no page %(wanted)s: this search has %(pages)s page.",
                "There is no page %(wanted)s: this search has %(pages)s pages.",
                paginator.num_pages,
            )
            % {"wanted": wanted, "pages": paginator.num_pages},
            status=404,
        )
    return paginator.page(wanted)


def record_cases_page(request, cases) -> Page:
    """The page of a record's public cases that `?page=` asks for; 404 for a page that is
    not there (the record's page has nothing else to show)."""
    try:
        page = paginate(
            cases.for_display(), cases.count(), request.GET.get("page"), RECORD_CASES_PER_PAGE
        )
    except BadPage as error:
        raise Http404(str(error)) from None
    # The page's other language keeps the page number, not parameters the page ignores.
    request.kept_query = f"?page={page.number}" if page.number > 1 else ""
    return page


def paginate_cases(results, count: int, number: str | None, per_page: int, *, query: str = ""):
    """A page of search results: the page's ids in the search's order first (a narrow
    query, however many cases match), then those cases with their people, authorities
    and snippets."""
    page = paginate(results.values_list("id", flat=True), count, number, per_page)
    ids = list(page.object_list)
    rows = results.model.objects.filter(id__in=ids).for_display().with_snippet(query)
    by_id = {case.id: case for case in rows}
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    return page


def search_errors(filterset) -> list[tuple[str, str, str]]:
    """(parameter, value given, message) for every parameter the filter could not read."""
    data = filterset.data
    errors = []
    for name, messages in filterset.errors.items():
        given = ", ".join(data.getlist(name)) if hasattr(data, "getlist") else data.get(name, "")
        for message in messages:
            errors.append((name, given, message))
    return errors
