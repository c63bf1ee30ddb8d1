"""The SQL-built case records (list pages, details, feed, NDJSON export) equal
CaseSerializer's representation, the reference that also defines the schema."""

import datetime

import pytest
from django.test import RequestFactory

from casefile.api.editor_views import load_parts
from casefile.api.records import case_records
from casefile.api.serializers import CaseSerializer
from casefile.cases.models import Case
from tests.api_support import private_cases, rich_case
from tests.factories import make_authority, make_case, make_event, make_person, make_restriction

pytestmark = pytest.mark.django_db


def reference(case, request):
    case = Case.objects.select_related("person", "authority").get(pk=case.pk)
    return dict(CaseSerializer(load_parts([case])[0], context={"request": request}).data)


def test_records_equal_the_serializers_representation_for_every_kind_of_value():
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    cases = [
        rich_case(),
        private_cases()[0],
        make_case(),  # no parts, no authority, nothing optional
        make_case(
            person=make_person(name_original="", name_romanized="Xie Wen", occupation="Founder"),
            authority=make_authority(province="", city="", name_original="长沙市中级人民法院"),
            removed_on=datetime.date(2019, 5, 6),
            removed_on_precision="day",
            listed_on=datetime.date(2018, 1, 1),
            listed_on_precision="year",
            status="removed",
            notified=True,
            appeal_available=False,
            outcome='Paid & removed — "quoted" \\ backslash\nnew line',
        ),
    ]
    make_restriction(
        cases[2], kind="other", ended_on=datetime.date(2020, 2, 1), ended_on_precision="month"
    )
    make_event(cases[3], occurred_on=datetime.date(2019, 5, 6), occurred_on_precision="day")
    records = case_records([case.pk for case in cases], request)
    assert [record["id"] for record in records] == [case.public_id for case in cases]
    for case, record in zip(cases, records, strict=True):
        assert record == reference(case, request)


def test_records_keep_the_requested_order_and_skip_missing_ids():
    request = RequestFactory().get("/")
    first, second = make_case(), make_case()
    records = case_records([second.pk, 999_999, first.pk], request)
    assert [record["id"] for record in records] == [second.public_id, first.public_id]
    assert case_records([], request) == []
