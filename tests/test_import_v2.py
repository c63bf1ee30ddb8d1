"""Import format version 2: the optional columns, names as real sources give them, and
untitled sources."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from casefile.cases.models import Case
from casefile.editorial.importer import (
    COLUMN_HELP,
    COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    import_cases,
)
from casefile.sources.models import Source
from tests.test_import import LIU_HU, SHOPLIFTER, csv_file

pytestmark = pytest.mark.django_db

WANG = {
    "case_key": "caixin-2019-07",
    "person_name": "Wang Jianlin",
    "public_figure": "yes",
    "province": "Beijing",
    "offence_category": "business_dispute",
    "amount": "470000000",
    "currency": "CNY",
    "amount_kind": "owed",
    "amount_as_reported": "more than 470 million yuan ($71 million)",
    "listed_year": "2019",
    "restrictions": "air_travel",
    "source_outlet": "Reuters",
    "source_url": "https://www.reuters.com/article/china-wanda-blacklist-idUSKCN1UD0Q1",
}


def run(*rows, columns=COLUMNS, by=None, dry_run=False, people=""):
    return import_cases(
        data=csv_file(*rows, columns=columns),
        filename="cases.csv",
        dry_run=dry_run,
        by=by,
        people=people,
    )


def imported(key: str) -> Case:
    return Case.objects.select_related("person").get(external_key=key)


def test_the_template_and_the_page_document_every_column_required_ones_first(as_editor):
    assert COLUMNS == REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    assert len(REQUIRED_COLUMNS) == 24
    assert set(OPTIONAL_COLUMNS) == {
        "person_name_original",
        "person_aliases",
        "summary",
        "amount_kind",
        "amount_as_reported",
        "source_language",
        "source_captured",
        "archive_url",
        "quote",
        "person_id",
        "capture_file",
        "capture_sha256",
    }
    assert all(COLUMN_HELP[name] for name in COLUMNS)
    page = as_editor.get(reverse("admin:cases_case_import")).text
    for name in OPTIONAL_COLUMNS:
        assert f'<code>{name}</code> <span class="help">(optional)</span>' in page
    # Vocabularies and limits are the models': a key added there is documented here.
    assert (
        "damages" in COLUMN_HELP["amount_kind"] and "unpaid_rent" in COLUMN_HELP["offence_category"]
    )


def test_the_optional_columns_in_any_order_fill_the_case(settings):
    row = {
        **LIU_HU,
        "person_name": "Liu Hu",
        "person_name_original": "劉虎",
        "person_name_romanized": "",
        "person_aliases": "Liu Hu (journalist); 刘虎",
        "summary": "A journalist barred from flights after a defamation verdict.",
        "amount": "1330",
        "amount_kind": "fee",
        "amount_as_reported": "at least $1,330",
        "source_language": "en",
        "source_captured": "2018-01-14T09:30",
        "archive_url": "https://web.archive.org/web/20180114093000/https://www.theglobeandmail.com/x",
        "quote": "he was “not qualified” to fly",
    }
    columns = ["quote", "summary", *reversed(REQUIRED_COLUMNS), *OPTIONAL_COLUMNS]
    columns = list(dict.fromkeys(columns))
    report = run(row, columns=columns)
    assert report.ok, report.errors
    case = imported("globe-2018-01")
    assert case.summary == row["summary"]
    person = case.person
    assert (person.name_original, person.name_romanized) == ("劉虎", "Liu Hu")
    assert person.aliases == ["Liu Hu (journalist)", "刘虎"]
    assert person.public_name() == "Liu Hu (劉虎)"
    amount = case.amounts.get()
    assert (amount.kind, amount.value, amount.as_reported) == (
        "fee",
        Decimal("1330"),
        "at least $1,330",
    )
    listing = case.citations.get(case_field="listing")
    assert listing.quote == "he was “not qualified” to fly"
    capture = listing.capture
    assert capture.captured_at == datetime.datetime(2018, 1, 14, 9, 30, tzinfo=datetime.UTC)
    assert capture.archive_url.startswith("https://web.archive.org/web/20180114093000/")
    assert capture.source.language == "en"
    # Only the listing citation carries the quote.
    assert set(case.citations.exclude(case_field="listing").values_list("quote", flat=True)) == {""}


def test_a_romanised_name_is_never_taken_for_the_original_script():
    report = run(
        WANG,
        {**WANG, "case_key": "tie", "person_name": "Tie Tuo", "public_figure": "yes"},
    )
    assert report.ok, report.errors
    wang = imported("caixin-2019-07").person
    assert (wang.name_original, wang.name_romanized) == ("", "Wang Jianlin")
    assert wang.public_name() == "Wang Jianlin" and str(wang) == "Wang Jianlin"
    tie = imported("tie").person
    assert tie.public_name() == "Tie Tuo" and str(tie) == "Tie Tuo"
    # A source's own spelling next to the standard one is kept as an alias.
    run({**WANG, "case_key": "ma", "person_name": "Jack Ma", "person_name_romanized": "Ma Yun"})
    ma = imported("ma").person
    assert (ma.name_romanized, ma.aliases, ma.name_original) == ("Ma Yun", ["Jack Ma"], "")


def test_names_in_the_wrong_column_are_refused_with_the_reason():
    report = run(
        {**WANG, "person_name": "王健林", "person_name_original": "王建林"},
        {**WANG, "case_key": "b", "person_name_original": "Wang Jianlin"},
        {**WANG, "case_key": "c", "person_name_romanized": "王健林"},
    )
    problems = {(e.row, e.column) for e in report.errors}
    assert problems == {
        (2, "person_name"),
        (3, "person_name_original"),
        (4, "person_name_romanized"),
    }


def test_an_amount_is_owed_only_when_the_file_has_no_amount_kind_column():
    run(LIU_HU, columns=REQUIRED_COLUMNS)
    assert imported("globe-2018-01").amounts.get().kind == "owed"
    run({**SHOPLIFTER, "amount_kind": ""}, {**WANG, "amount_kind": "fine"})
    assert imported("globe-2018-06").amounts.get().kind == "other"  # empty: not known
    assert imported("caixin-2019-07").amounts.get().kind == "fine"


def test_the_figure_as_reported_is_kept_verbatim_and_shown_on_the_case_page(client, reviewer):
    from casefile.cases import services

    run(WANG)
    case = imported("caixin-2019-07")
    assert case.amounts.get().as_reported == "more than 470 million yuan ($71 million)"
    services.submit_and_publish(case=case, by=reviewer)
    page = client.get(case.get_absolute_url()).text
    assert "more than 470 million yuan ($71 million)" in page


def test_an_untitled_source_is_imported_by_its_url_and_named_by_outlet_and_date(client, reviewer):
    from casefile.cases import services

    row = {**WANG, "source_title": "", "source_date": "2019-07"}
    report = run(row, {**row, "case_key": "again", "person_name": "Wang Jianlin"}, people="new")
    assert report.ok, report.errors
    source = Source.objects.get()
    assert source.title == "" and source.display_title == "Reuters, July 2019"
    case = services.submit_and_publish(case=imported("caixin-2019-07"), by=reviewer)
    notes = client.get(case.get_absolute_url()).text.split('id="notes-heading"', 1)[1]
    assert ">Reuters</a></cite> (untitled)" in notes and "July 2019" in notes


def test_a_source_without_title_or_url_is_refused():
    report = run({**WANG, "source_url": "", "source_title": ""})
    [error] = report.errors
    assert (error.column, error.row) == ("source_title", 2)
    assert "or its URL" in error.message


def test_source_language_empty_means_not_known_and_absent_means_english():
    run(WANG, columns=[*REQUIRED_COLUMNS, "source_language"])
    assert Source.objects.get(url=WANG["source_url"]).language == ""
    run(LIU_HU, columns=REQUIRED_COLUMNS)
    assert Source.objects.get(url=LIU_HU["source_url"]).language == "en"
    report = run(
        {**SHOPLIFTER, "source_url": "https://example.org/z", "source_language": "Chinese"}
    )
    assert report.errors[0].suggestion == "zh"


def test_rows_citing_one_capture_share_it_and_another_time_is_another_capture():
    base = {**WANG, "source_captured": "2019-07-20", "public_figure": ""}
    report = run(
        {**base, "public_figure": "yes"},
        {**base, "case_key": "b", "person_name": ""},
        {**base, "case_key": "c", "person_name": "", "source_captured": "2019-08-01T10:00+08:00"},
        people="new",
    )
    assert report.ok, report.errors
    source = Source.objects.get()
    times = sorted(source.captures.values_list("captured_at", flat=True))
    assert times == [
        datetime.datetime(2019, 7, 20, tzinfo=datetime.UTC),
        datetime.datetime(2019, 8, 1, 2, 0, tzinfo=datetime.UTC),
    ]
    assert (
        imported("b").citations.first().capture_id
        == imported("caixin-2019-07").citations.first().capture_id
    )


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"source_captured": "yesterday"}, "source_captured", "not a date or time"),
        ({"source_captured": "2999-01-01"}, "source_captured", "in the future"),
        ({"archive_url": "web.archive"}, "archive_url", "not a web address"),
        (
            {
                "amount_kind": "",
                "amount": "",
                "currency": "",
                "amount_as_reported": "about 3 million",
            },
            "amount",
            "no amount",
        ),
        (
            {"quote": "x", **dict.fromkeys(["source_outlet", "source_url"], "")},
            "quote",
            "without its source",
        ),
        ({"person_id": "Liu"}, "person_id", "not a person's number"),
    ],
)
def test_what_the_optional_columns_refuse(cells, column, message):
    report = run({**WANG, **cells})
    assert any(e.column == column and message in e.message for e in report.errors), report.errors


def test_two_archive_urls_for_one_capture_are_refused():
    base = {**WANG, "source_captured": "2019-07-20"}
    report = run(
        {**base, "archive_url": "https://archive.today/a"},
        {**base, "case_key": "b", "archive_url": "https://archive.today/b"},
    )
    assert [(e.row, e.column) for e in report.errors] == [(3, "archive_url")]
