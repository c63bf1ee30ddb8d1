import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casefile.core.dates import PartialDate

D = datetime.date


@pytest.mark.parametrize(
    ("text", "shown", "iso"),
    [
        ("2017", "2017", "2017"),
        ("2017-03", "March 2017", "2017-03"),
        ("2017-03-03", "3 March 2017", "2017-03-03"),
        ("2013-12-31", "31 December 2013", "2013-12-31"),
    ],
)
def test_partial_dates_show_as_precisely_as_known(text, shown, iso):
    partial = PartialDate.parse(text)
    assert str(partial) == shown
    assert partial.iso == iso


def test_partial_dates_are_stored_as_the_first_day_of_their_period():
    assert PartialDate.parse("2017") == PartialDate(D(2017, 1, 1), "year")
    assert PartialDate.parse("2017-03") == PartialDate(D(2017, 3, 1), "month")


@pytest.mark.parametrize(
    "text", ["", "17", "2017-13", "2017-02-30", "2017/03/01", "March 2017", "2017-3-x"]
)
def test_malformed_or_impossible_dates_are_rejected(text):
    with pytest.raises(ValueError):
        PartialDate.parse(text)


def test_last_day_of_a_period():
    assert PartialDate.parse("2016").last_day == D(2016, 12, 31)
    assert PartialDate.parse("2016-02").last_day == D(2016, 2, 29)
    assert PartialDate.parse("2017-12").last_day == D(2017, 12, 31)
    assert PartialDate.parse("2017-12-05").last_day == D(2017, 12, 5)


@given(st.dates(min_value=D(1000, 1, 1)), st.sampled_from(["year", "month", "day"]))
def test_iso_form_parses_back_to_the_same_partial_date(date, precision):
    partial = PartialDate.parse(
        PartialDate(date, "day").iso[: {"year": 4, "month": 7, "day": 10}[precision]]
    )
    assert PartialDate.parse(partial.iso) == partial
    assert partial.precision == precision
    assert partial.date <= date <= partial.last_day


@pytest.mark.django_db
def test_descriptor_reads_and_writes_both_columns():
    from tests.factories import make_case

    case = make_case()
    case.listed = "2017-03"
    assert (case.listed_on, case.listed_on_precision) == (D(2017, 3, 1), "month")
    case.full_clean()
    case.save()
    case.refresh_from_db()
    assert str(case.listed) == "March 2017"
    case.listed = None
    assert (case.listed_on, case.listed_on_precision) == (None, "")
