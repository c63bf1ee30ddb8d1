"""Case.search_text: every word a reader sees on a case page finds the case, and stops
finding it once the page no longer shows it; kept by the database on every write."""

import pytest
from django.db import connection
from django.http import QueryDict

from casefile.authorities.models import Authority, Province
from casefile.cases.filters import CaseFilter
from casefile.cases.models import Case, Citation
from casefile.cases.vocabularies import (
    AmountKind,
    CaseStatus,
    EventKind,
    ListName,
    OffenceCategory,
    RestrictionKind,
)
from casefile.people.models import Person
from casefile.sources.models import Source
from tests.factories import (
    make_amount,
    make_authority,
    make_capture,
    make_case,
    make_citation,
    make_event,
    make_person,
    make_restriction,
    make_source,
)

pytestmark = pytest.mark.django_db


def search(query: str) -> list[Case]:
    filterset = CaseFilter(
        QueryDict(mutable=True) | {"q": query}, queryset=Case.objects.published()
    )
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs)


def text_of(case) -> str:
    return Case.objects.values_list("search_text", flat=True).get(pk=case.pk) or ""


@pytest.fixture
def case():
    authority = make_authority(
        name="Wenzhou Intermediate People's Court",
        name_original="温州市中级人民法院",
        province="zhejiang",
        city="Wenzhou",
    )
    case = make_case(
        person=make_person(name_original="刘虎", occupation="Journalist and blogger"),
        authority=authority,
        offence_category="theft",
        summary="Listed.",
    )
    make_restriction(case, kind="air_travel", details="An airline refused a booking.")
    make_restriction(case, kind="luxury_hotels")
    make_amount(case, kind="fine", description="A penalty for littering.")
    make_event(case, kind="detained", description="Held for questioning in a guesthouse.")
    source = make_source(
        title="Blacklisted journalist speaks out",
        outlet="The Globe and Mail",
        authors=["Nathan VanderKlippe", "Alexandra Li"],
    )
    make_citation(case, make_capture(source), quote="a quotation about the ferry")
    make_case(summary="Another case, for contrast.", list_name="local_list", status="removed")
    return case


@pytest.mark.parametrize(
    "query",
    [
        "theft",  # offence label
        "air travel",  # restriction label
        "air_travel",  # its key
        "hotels",
        "airline booking",  # restriction details
        "dishonest judgment",  # list label
        "spc_dishonest_debtors",  # its key
        "Zhejiang",  # province
        "浙江",
        "Wenzhou",  # city
        "温州",
        "Intermediate People's Court",  # authority
        "中级人民法院",
        "blogger",  # occupation
        "Globe",  # outlet
        "VanderKlippe",  # author
        "Blacklisted journalist",  # title (a public figure's case)
        "ferry",  # quotation (a public figure's case)
        "littering",  # amount description
        "guesthouse",  # event description
        "detained",  # event kind
        "Lau Fu",  # the person's name forms
        "liu2 hu3",
        "劉虎",
    ],
)
def test_every_word_of_the_case_page_finds_the_case(case, query):
    assert search(query) == [case]


def test_renaming_an_authority_or_retitling_a_source_changes_what_finds_the_case(case):
    Authority.objects.filter(pk=case.authority_id).update(
        name="Lishui Intermediate People's Court", city="Lishui"
    )
    assert search("Wenzhou") == []
    assert search("Lishui") == [case]

    source = Source.objects.get(outlet="The Globe and Mail")
    source.title = "A retitled report"
    source.outlet = "Sixth Tone"
    source.authors = ["Another Writer"]
    source.save()
    assert search("journalist speaks") == search("Globe") == search("VanderKlippe") == []
    assert search("retitled") == search("Sixth Tone") == [case]


def test_parts_and_people_keep_the_text_current(case):
    case.restrictions.filter(kind="luxury_hotels").delete()
    assert search("hotels") == []
    Citation.objects.filter(case=case).delete()
    assert search("Globe") == []
    Person.objects.filter(pk=case.person_id).update(occupation="farmer")
    assert search("blogger") == []
    assert search("farmer") == [case]
    person = Person.objects.get(pk=case.person_id)
    person.name_original = "张学良"
    person.save()
    assert search("Lau Fu") == []
    assert search("Chang Hsueh-liang") == [case]
    Case.objects.filter(pk=case.pk).update(offence_category="unpaid_rent")
    assert search("theft") == []
    assert search("rent") == [case]


def test_a_private_persons_case_holds_their_pseudonym_never_their_names_titles_or_quotes(case):
    Person.objects.filter(pk=case.person_id).update(
        privacy="pseudonymised", pseudonym="Unnamed man, Zhejiang"
    )
    text = text_of(case)
    assert "Unnamed man, Zhejiang" in text
    assert "blogger" in text  # the occupation is shown whatever the privacy level
    for hidden in ("刘虎", "劉虎", "Liu Hu", "Lau Fu", "Blacklisted", "ferry"):
        assert hidden not in text
    assert "Globe" in text and "VanderKlippe" in text
    assert search("Blacklisted journalist") == search("Lau Fu") == search("ferry") == []

    Person.objects.filter(pk=case.person_id).update(privacy="withheld")
    text = text_of(case)
    assert "Unnamed man" not in text and "blogger" not in text


def test_the_text_is_computed_for_published_cases_only(case):
    draft = make_case(publication_state="draft", offence_category="theft")
    make_restriction(draft, kind="air_travel")
    assert text_of(draft) == ""
    Case.objects.filter(pk=draft.pk).update(publication_state="published")
    assert "Air travel" in text_of(draft)
    Case.objects.filter(pk=draft.pk).update(publication_state="retracted")
    assert Case.objects.values_list("search_text", flat=True).get(pk=draft.pk) is None


def test_every_vocabulary_label_is_the_one_python_shows():
    """The database function holds the labels as the migration wrote them; a label changed
    in Python needs a migration that changes them there too."""
    vocabularies = {
        "restriction": RestrictionKind,
        "offence": OffenceCategory,
        "list": ListName,
        "status": CaseStatus,
        "amount": AmountKind,
        "event": EventKind,
        "province": Province,
    }
    with connection.cursor() as cursor:
        for vocabulary, choices in vocabularies.items():
            for key, label in choices.choices:
                cursor.execute("SELECT casefile_label(%s, %s)", [vocabulary, key])
                assert cursor.fetchone()[0] == label, (vocabulary, key)


@pytest.mark.parametrize("privacy", ["public", "pseudonymised", "withheld"])
def test_the_trigger_follows_the_visibility_rule_for_the_person(privacy):
    """visibility.PERSON_SEARCH_TEXT_SQL is the rule; the function of migration cases 0013
    writes it out: both give the same text of the person for every privacy level."""
    from casefile.cases.visibility import PERSON_SEARCH_TEXT_SQL

    person = make_person(
        name_original="刘虎", privacy=privacy, pseudonym="L. H.", occupation="poet"
    )
    case = make_case(person=person)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {PERSON_SEARCH_TEXT_SQL.format(person='p')} FROM people_person AS p "
            "WHERE p.id = %s",
            [person.pk],
        )
        expected = cursor.fetchone()[0]
    text = text_of(case)
    if expected is None:
        assert "poet" not in text and "L. H." not in text and "Liu" not in text
    else:
        assert expected in text
        assert ("Lau Fu" in expected) == (privacy == "public")
