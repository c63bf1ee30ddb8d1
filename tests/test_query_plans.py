"""The date orderings of the search pages and the API are read in order from an index.

At a million cases, sorting every match is what makes a page slow, so each date
ordering must have an index that yields its order, undated cases last included.
Sorting is disabled for the planner here: where no index gives the order, the plan
still sorts (at a prohibitive cost), and the test sees it.
"""

import pytest
from django.db import connection
from django.http import QueryDict

from casefile.cases.filters import CaseFilter
from casefile.cases.models import Case
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("ordering", "index"),
    [("-listed", "case_published_listed"), ("listed", "case_published_listed_asc")],
)
def test_date_orderings_read_an_index_in_order(ordering, index):
    make_case()
    filterset = CaseFilter(QueryDict(f"ordering={ordering}"), queryset=Case.objects.published())
    assert filterset.is_valid(), filterset.errors

    first_page = plan(filterset.qs[:20])

    assert "Sort" not in first_page, first_page
    assert f"Index Scan using {index} " in first_page, first_page
