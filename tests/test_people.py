import pytest

from casefile.cases.models import Case
from casefile.cases.visibility import shown_people
from casefile.people.models import Person
from casefile.people.romanization import romanize_name
from tests.factories import make_case, make_person


@pytest.mark.parametrize(
    ("name", "pinyin"),
    [
        ("刘虎", "Liu Hu"),
        ("刘晓波", "Liu Xiaobo"),
        ("欧阳修", "Ouyang Xiu"),
        ("曾国藩", "Zeng Guofan"),
        ("单田芳", "Shan Tianfang"),
        ("吕欣", "Lü Xin"),
        ("张西安", "Zhang Xi'an"),
        ("Xie Wen", ""),
    ],
)
def test_romanisation_of_names(name, pinyin):
    assert romanize_name(name) == pinyin


@pytest.mark.django_db
def test_romanised_name_is_derived_only_when_blank():
    assert make_person(name_original="刘虎").name_romanized == "Liu Hu"
    assert make_person(name_original="刘虎", name_romanized="Liu Hoo").name_romanized == "Liu Hoo"


@pytest.mark.django_db
def test_name_keys_cover_spellings_researchers_type():
    person = make_person(name_original="刘虎", aliases=["Hu Liu"])
    keys = person.name_keys.split()
    assert {"liuhu", "huliu"} <= set(keys)
    person.refresh_from_db()
    assert {"刘", "虎", "刘虎"} <= set(person.name_grams)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"name_original": "刘虎", "privacy": "public"}, "Liu Hu (刘虎)"),
        ({"name_romanized": "Xie Wen", "privacy": "public"}, "Xie Wen"),
        ({"name_original": "王伟", "pseudonym": "W. W.", "privacy": "pseudonymised"}, "W. W."),
        ({"name_original": "王伟", "privacy": "pseudonymised"}, "Unnamed person"),
        ({"name_original": "王伟", "privacy": "withheld"}, "Name withheld"),
    ],
)
def test_public_name_honours_the_privacy_level(fields, shown):
    person = make_person(**{"name_original": "", **fields})
    assert person.public_name() == shown
    if fields["privacy"] != "public":
        assert "王伟" not in person.public_name()
        assert "Wang" not in person.public_name()


@pytest.mark.django_db
def test_published_cases_exclude_withheld_people_and_unpublished_states():
    shown = make_case(publication_state="published")
    make_case(person=make_person(privacy="withheld"), publication_state="published")
    for state in ("draft", "in_review", "retracted"):
        make_case(publication_state=state)
    assert list(Case.objects.published()) == [shown]
    assert shown_people().count() == Person.objects.count() - 1
