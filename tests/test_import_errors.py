"""Errors an editor can act on: one line per distinct problem with the rows it applies to,
a suggestion where one is clear, all of them as CSV."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casefile.editorial.importer import COLUMNS, REQUIRED_COLUMNS, ImportFileError, import_cases
from casefile.editorial.importing.report import row_ranges
from tests.test_import import LIU_HU, csv_file

pytestmark = pytest.mark.django_db


def problems(*rows, columns=COLUMNS):
    report = import_cases(
        data=csv_file(*rows, columns=columns), filename="x.csv", dry_run=True, people="new"
    )
    return report


def only_error(**cells):
    report = problems({**LIU_HU, **cells})
    [error] = report.errors
    return error


@pytest.mark.parametrize("written", ["RMB", "rmb", "yuan", "元", "人民币", "Renminbi", "¥"])
def test_the_ways_sources_write_the_yuan_suggest_cny(written):
    error = only_error(currency=written)
    assert (error.column, error.suggestion) == ("currency", "CNY")
    assert "Did you mean CNY?" in str(error)


@pytest.mark.parametrize(
    ("written", "code"), [("US$", "USD"), ("HK$", "HKD"), ("C$", "CAD"), ("euro", "EUR")]
)
def test_other_currencies_written_as_symbols_suggest_their_code(written, code):
    assert only_error(currency=written).suggestion == code


def test_a_dollar_sign_alone_suggests_nothing():
    assert only_error(currency="$").suggestion == ""


@pytest.mark.parametrize(
    ("column", "written", "key"),
    [
        ("offence_category", "debt_default", "unpaid_debt"),
        ("offence_category", "Unpaid debt", "unpaid_debt"),
        ("offence_category", "defamation", "defamation_speech"),
        ("list_name", "dishonest debtors", "spc_dishonest_debtors"),
        ("restrictions", "flights", "air_travel"),
        ("restrictions", "high speed rail", "high_speed_rail"),
        ("amount_kind", "penalty", "fine"),
        ("amount_kind", "fees", "fee"),
    ],
)
def test_a_vocabulary_key_close_to_the_value_is_suggested(column, written, key):
    error = only_error(**{column: written})
    assert (error.column, error.suggestion) == (column, key)


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("3.6 million", "3600000"),
        ("$1,330", "1330"),
        ("more than 470 million yuan ($71 million)", "470000000"),
        ("1.2亿", "120000000"),
        ("3.6万", "36000"),
    ],
)
def test_a_figure_in_words_suggests_it_written_out(written, number):
    error = only_error(amount=written)
    assert (error.column, error.suggestion) == ("amount", number)
    assert "amount_as_reported" in error.message  # where the source's words go


def test_years_provinces_and_languages_get_suggestions_too():
    assert only_error(listed_year="2017-03").suggestion == "2017"
    assert only_error(province="Hupei").suggestion == "Hubei"
    assert only_error(province="Hubei Province").suggestion == "Hubei"
    assert only_error(source_language="Chinese").suggestion == "zh"


def test_a_misspelt_column_is_named_with_the_right_one():
    columns = [c if c != "source_title" else "source_titel" for c in REQUIRED_COLUMNS]
    with pytest.raises(ImportFileError, match=r"source_titel \(did you mean source_title\?\)"):
        problems(LIU_HU, columns=columns)


def test_one_line_per_distinct_problem_with_the_rows_it_applies_to():
    rows = []
    for n in range(2, 26):  # rows 2 to 25
        bad = n in (3, 7) or n >= 9
        rows.append({**LIU_HU, "case_key": f"k{n}", "currency": "RMB" if bad else "CNY"})
    rows[0]["offence_category"] = "debt_default"
    report = problems(*rows)
    lines = [str(group) for group in report.error_groups]
    assert lines == [
        "Row 2, column offence_category: “debt_default” is not one of: defamation_speech, "
        "unpaid_debt, unpaid_rent, unpaid_fine, court_costs, theft, business_dispute, other. "
        "Did you mean unpaid_debt?",
        "Rows 3, 7, 9–25, column currency: “RMB” is not an ISO 4217 currency code. "
        "Did you mean CNY?",
    ]
    assert "2 problem(s) in 20 of 24 row(s)" in report.summary()


def test_row_ranges_stay_short():
    assert row_ranges([5, 3, 4, 9]) == "3–5, 9"
    assert row_ranges(list(range(2, 100_002))) == "2–100001"
    assert row_ranges(list(range(2, 200, 2)), most=3) == "2, 4, 6 and 96 more"


def test_the_command_writes_the_errors_as_csv(tmp_path):
    path, errors = tmp_path / "cases.csv", tmp_path / "errors.csv"
    path.write_bytes(
        csv_file({**LIU_HU, "currency": "RMB"}, {**LIU_HU, "case_key": "b", "amount": "=1+1"})
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_cases", str(path), "--errors-csv", str(errors), stderr=err)
    assert (
        "Row 2, column currency: “RMB” is not an ISO 4217 currency code. Did you mean CNY?"
        in err.getvalue()
    )
    rows = list(csv.DictReader(io.StringIO(errors.read_bytes().decode("utf-8-sig"))))
    assert [(r["row"], r["column"], r["value"], r["suggestion"]) for r in rows] == [
        ("2", "currency", "RMB", "CNY"),
        ("3", "amount", "'=1+1", ""),  # what a spreadsheet would run is defused
    ]
