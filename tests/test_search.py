"""The shared search module: what one search box finds, filters, facets, bad input."""

import datetime

import pytest
from django.http import QueryDict

from casefile.cases.filters import CaseFilter
from casefile.cases.models import Case
from tests.factories import (
    make_amount,
    make_authority,
    make_case,
    make_person,
    make_restriction,
)

pytestmark = pytest.mark.django_db


def search(query_string: str):
    filterset = CaseFilter(QueryDict(query_string), queryset=Case.objects.published())
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs)


@pytest.fixture
def liu_hu():
    return make_case(
        person=make_person(
            name_original="刘虎", occupation="Journalist", aliases=["Liu Hu the blogger"]
        ),
        summary="A journalist who exposed officials and was listed after a defamation verdict.",
        docket_number="（2016）黔0502执2376号",
        reason_original="有履行能力而拒不履行生效法律文书确定义务",
    )


@pytest.fixture
def others():
    return [
        make_case(
            person=make_person(name_original="王伟"),
            summary="He shoplifted ten packs of cigarettes.",
            offence_category="theft",
        ),
        make_case(
            person=make_person(name_original="", name_romanized="Xie Wen"),
            summary="A business dispute cut him off from his banks.",
        ),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "刘虎",
        "Liu Hu",
        "liu hu",
        "liuhu",
        "Liú Hǔ",
        "LIU HU",
        "Hu Liu",
        "liu hoo",
        "liu hu the blogger",
    ],
)
def test_every_form_of_a_name_finds_the_person(liu_hu, others, query):
    assert search(f"q={query}") == [liu_hu]


def test_single_chinese_character_finds_names_containing_it(liu_hu, others):
    assert search("q=刘") == [liu_hu]


def test_english_search_stems_words(liu_hu, others):
    assert search("q=shoplifting") == [others[0]]
    assert search("q=journalists") == [liu_hu]


def test_chinese_text_is_found_by_substring_even_two_characters_long(liu_hu, others):
    assert search("q=履行") == [liu_hu]
    assert search("q=拒不履行") == [liu_hu]
    assert search("q=能力履行") == []  # both pairs occur, but not as one run


def test_docket_numbers_match_whatever_the_bracket_width(liu_hu, others):
    assert search("q=(2016)黔0502执2376号") == [liu_hu]
    assert search("q=（2016）黔0502执2376号") == [liu_hu]


def test_name_matches_rank_before_text_matches():
    named = make_case(person=make_person(name_original="", name_romanized="Cigarette Wang"))
    mentioned = make_case(summary="Listed for selling a cigarette.")
    assert search("q=cigarette") == [named, mentioned]


def test_names_of_private_people_are_not_searchable(liu_hu):
    make_case(person=make_person(name_original="张三", privacy="pseudonymised", pseudonym="Z. S."))
    make_case(person=make_person(name_original="李四", privacy="withheld"))
    for query in ("张三", "zhang san", "李四", "li si"):
        assert search(f"q={query}") == []


def test_unpublished_cases_are_never_found(liu_hu):
    for state in ("draft", "in_review", "retracted"):
        make_case(person=make_person(name_original="刘虎"), publication_state=state)
    assert search("q=刘虎") == [liu_hu]


def test_filters_narrow_and_several_values_of_one_facet_widen():
    flights = make_case(offence_category="unpaid_debt")
    make_restriction(flights, kind="air_travel")
    trains = make_case(offence_category="unpaid_debt")
    make_restriction(trains, kind="high_speed_rail")
    hotels = make_case(offence_category="theft")
    make_restriction(hotels, kind="luxury_hotels")
    assert set(search("restriction=air_travel&restriction=high_speed_rail")) == {flights, trains}
    assert search("restriction=luxury_hotels&offence=unpaid_debt") == []


def test_province_listing_period_notified_and_amount_filters():
    hubei = make_authority(province="hubei")
    in_hubei = make_case(
        authority=hubei,
        listed_on=datetime.date(2017, 3, 1),
        listed_on_precision="month",
        notified=False,
    )
    make_amount(in_hubei, value=1500, currency="CNY")
    elsewhere = make_case(
        authority=make_authority(province="hunan"),
        listed_on=datetime.date(2019, 1, 1),
        listed_on_precision="year",
    )
    make_amount(elsewhere, value=1500, currency="CAD")
    assert search("province=hubei") == [in_hubei]
    assert search("listed_from=2017&listed_to=2017") == [in_hubei]
    assert search("listed_from=2017-04") == [elsewhere]
    assert search("notified=no") == [in_hubei]
    assert search("notified=unknown") == [elsewhere]
    assert search("amount_min=1000&amount_max=2000&currency=CAD") == [elsewhere]
    assert set(search("amount_min=1000")) == {in_hubei, elsewhere}
    assert search("amount_max=999") == []


def test_orderings():
    older = make_case(listed_on=datetime.date(2015, 1, 1), listed_on_precision="year")
    newer = make_case(listed_on=datetime.date(2018, 6, 1), listed_on_precision="month")
    undated = make_case()
    make_amount(older, value=9000, currency="CNY")
    make_amount(newer, value=10, currency="CNY")
    assert search("") == [newer, older, undated]
    assert search("ordering=listed") == [older, newer, undated]
    assert search("ordering=-amount&currency=CNY")[:2] == [older, newer]
    assert search("ordering=amount&currency=CNY")[:2] == [newer, older]


def test_facet_counts_describe_the_current_result_set(liu_hu, others):
    make_restriction(liu_hu, kind="air_travel")
    make_restriction(liu_hu, kind="loans_credit")
    make_restriction(others[0], kind="loans_credit")
    make_case(publication_state="draft", offence_category="theft")  # never counted
    for query in ("", "q=shoplifting", "restriction=loans_credit", "offence=theft"):
        filterset = CaseFilter(QueryDict(query), queryset=Case.objects.published())
        results = filterset.qs
        facets = results.facet_counts()
        total = results.count()
        assert sum(facets["status"].values()) == total
        assert sum(facets["offence"].values()) == total
        assert sum(facets["province"].values()) == total
        for kind, count in facets["restriction"].items():
            assert count == results.filter(restriction_kinds__contains=[kind]).count()
    facets = Case.objects.published().facet_counts()
    assert facets["restriction"] == {"air_travel": 1, "loans_credit": 2}
    assert facets["offence"]["theft"] == 1


@pytest.mark.parametrize(
    ("query_string", "parameter"),
    [
        ("amount_min=abc", "amount_min"),
        ("amount_min=-5", "amount_min"),
        ("amount_min=10&amount_max=5", "amount_max"),
        ("listed_from=2017-13-40", "listed_from"),
        ("listed_from=yesterday", "listed_from"),
        ("listed_from=2018&listed_to=2017", "listed_to"),
        ("restriction=teleportation", "restriction"),
        ("currency=DOLLARS", "currency"),
        ("ordering=random", "ordering"),
        ("notified=maybe", "notified"),
        ("person=abc", "person"),
        ("updated_since=last-week", "updated_since"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_malformed_parameters_are_reported_by_name(query_string, parameter):
    filterset = CaseFilter(QueryDict(query_string), queryset=Case.objects.published())
    assert not filterset.is_valid()
    assert parameter in filterset.errors


def test_a_name_as_typed_ranks_first_and_near_misses_only_when_nothing_matches():
    longer = make_case(person=make_person(name_original="王伟民"))
    exact = make_case(person=make_person(name_original="王伟"))
    make_case(person=make_person(name_original="黄伟"))  # "huang wei": not "wang wei"
    assert search("q=wang wei") == [exact, longer]
    assert search("q=王伟") == [exact, longer]
    # With no name holding the query as typed, near misses are found.
    assert search("q=wang wie") != []


def test_search_columns_are_computed_for_published_cases_only():
    """Drafts (an import writes 100,000) skip the search columns; publishing fills them."""
    case = make_case(publication_state="draft", summary="A blogger", reason_original="拒不履行义务")
    columns = Case.objects.filter(pk=case.pk).values_list("search_vector", "text_grams")
    assert columns.get() == (None, None)

    Case.objects.filter(pk=case.pk).update(publication_state="published")
    search_vector, text_grams = columns.get()
    assert "blogger" in search_vector and "履行" in text_grams
    assert search("q=blogger") == search("q=履行") == [case]

    Case.objects.filter(pk=case.pk).update(publication_state="retracted")
    assert columns.get() == (None, None)


def test_a_word_in_many_cases_lists_them_newest_first(monkeypatch):
    """Past RANK_UP_TO matches (and no name), relevance is the index's order."""
    from casefile.cases import querysets

    older = make_case(
        summary="Mortgage mortgage mortgage.",
        listed_on=datetime.date(2015, 1, 1),
        listed_on_precision="year",
    )
    newer = make_case(
        summary="A mortgage.", listed_on=datetime.date(2019, 1, 1), listed_on_precision="year"
    )
    assert search("q=mortgage") == [older, newer]  # ranked: the word three times
    assert Case.objects.published().search("mortgage").estimated_count() >= 1
    # As if the planner expected many (its estimate of a word in a few rows is one row).
    monkeypatch.setattr(querysets.CaseQuerySet, "estimated_count", lambda self: 10**6)
    assert search("q=mortgage") == [newer, older]
    named = make_case(
        person=make_person(name_original="", name_romanized="Mortgage Wang"),
        listed_on=datetime.date(2010, 1, 1),
        listed_on_precision="year",
    )
    assert search("q=mortgage")[0] == named  # a name matched: ranked as before
