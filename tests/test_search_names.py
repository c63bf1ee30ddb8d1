"""Name search: every form of a public figure's name finds them; no form of a private
person's real name finds anything; near misses only when nothing matches as typed."""

import pytest
from django.http import QueryDict

from casefile.cases.filters import CaseFilter
from casefile.cases.models import Case
from casefile.cases.search import SearchText, edit_distance, one_edit_away
from tests.factories import make_case, make_person

pytestmark = pytest.mark.django_db


def search(query: str) -> list[Case]:
    filterset = CaseFilter(
        QueryDict(mutable=True) | {"q": query}, queryset=Case.objects.published()
    )
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs)


@pytest.fixture
def public_figures():
    """Public figures, and a pseudonymised person whose real name must stay unfindable."""
    return {
        "liu": make_case(person=make_person(name_original="刘虎", privacy="public")),
        "zhang": make_case(person=make_person(name_original="张学良", privacy="public")),
        "chen": make_case(person=make_person(name_original="陈伟强", privacy="public")),
        "xie": make_case(
            person=make_person(name_original="", name_romanized="Xie Wen", privacy="public")
        ),
        "private": make_case(
            person=make_person(
                name_original="黄秘密", privacy="pseudonymised", pseudonym="Unnamed man, Hubei"
            )
        ),
    }


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("刘虎", "liu"),  # simplified
        ("劉虎", "liu"),  # traditional
        ("Liú Hǔ", "liu"),  # tone marks
        ("liu2 hu3", "liu"),  # tone numbers
        ("liu2hu3", "liu"),
        ("liu1 hu1", "liu"),  # wrong tones still find the name
        ("Liu Hu", "liu"),
        ("liuhu", "liu"),
        ("LIU-HU", "liu"),
        ("Hu Liu", "liu"),  # given name first
        ("Lau Fu", "liu"),  # Hong Kong spelling
        ("lau4 fu2", "liu"),  # Jyutping
        ("Fu Lau", "liu"),
        ("張學良", "zhang"),
        ("Zhang Xueliang", "zhang"),
        ("Xueliang Zhang", "zhang"),
        ("Chang Hsüeh-liang", "zhang"),  # Wade-Giles
        ("Chang Hsueh-liang", "zhang"),
        ("changhsuehliang", "zhang"),
        ("Cheung Hok Leung", "zhang"),  # Hong Kong
        ("Cheung Hok-leung", "zhang"),
        ("zoeng1 hok6 loeng4", "zhang"),
        ("Chan Wai Keung", "chen"),  # 陈伟强 in Hong Kong
        ("陳偉強", "chen"),
        ("Ch'en Wei-ch'iang", "chen"),
        ("Hsieh Wen", "xie"),  # Wade-Giles of a name known only in pinyin
        ("Wen Xie", "xie"),
    ],
)
def test_every_form_of_a_public_figures_name_finds_them(public_figures, query, who):
    assert search(query) == [public_figures[who]]


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("Lui Hu", "liu"),  # transposed letters
        ("Lu Hu", "liu"),  # a dropped letter
        ("Liu Huu", "liu"),  # a doubled letter
        ("Liu Hoo", "liu"),  # a wrong syllable
        ("Xei Wen", "xie"),
        ("Xie Wan", "xie"),  # a wrong letter
        ("Chang Hseuh-liang", "zhang"),  # transposed, as often typed
    ],
)
def test_near_misses_find_the_name(public_figures, query, who):
    search_text = SearchText.parse(query)
    assert list(Case.objects.published().search(search_text)) == [public_figures[who]]
    assert search_text.near_miss


def test_near_misses_never_crowd_out_a_name_typed_right(public_figures):
    lu_hu = make_case(person=make_person(name_original="卢虎", privacy="public"))
    assert search("Lu Hu") == [lu_hu]  # not Liu Hu as well
    search_text = SearchText.parse("Lu Hu")
    assert list(Case.objects.published().search(search_text)) == [lu_hu]
    assert not search_text.near_miss


def test_near_misses_never_crowd_out_words_found_in_cases(public_figures):
    """A word of a case page found as typed is not taken for a misspelt name."""
    worded = make_case(summary="Listed by the Lui Hu court.")
    assert search("Lui Hu") == [worded]  # not Liu Hu, whose name it nearly is


def test_a_surname_in_a_hong_kong_spelling_finds_the_family(public_figures):
    assert search("Lau") == [public_figures["liu"]]
    assert search("Cheung") == [public_figures["zhang"]]
    # "Chan" is also the start of "Chang" (Wade-Giles for 张): the whole word ranks first.
    assert search("Chan")[0] == public_figures["chen"]


PRIVATE_FORMS = [
    "黄秘密",
    "黃秘密",
    "Huang Mimi",
    "Huáng Mìmì",
    "huang2 mi4 mi4",
    "Mimi Huang",
    "Wong Bei Mat",
    "Huang Mi-mi",
    "Huang Mimo",  # a near miss of the real name
]


@pytest.mark.parametrize("query", PRIVATE_FORMS)
def test_no_form_of_a_pseudonymised_persons_name_finds_them(public_figures, query):
    assert public_figures["private"] not in search(query)


def test_the_pseudonymised_persons_forms_are_stored_but_never_searched(public_figures):
    """Guards the test above: the forms it tries are the person's own."""
    person = public_figures["private"].person
    keys = set(person.name_keys.split())
    assert {"huangmimi", "mimihuang", "黃秘密", "huang2mi4mi4"} <= keys
    assert (
        "Unnamed man, Hubei"
        in public_figures["private"]
        .__class__.objects.get(pk=public_figures["private"].pk)
        .search_text
    )


def test_edits():
    assert edit_distance("lui", "liu") == 1
    assert edit_distance("hoo", "hu") == 2
    assert {"liuhu", "lihu", "liuhhu"} <= one_edit_away("liuhu") | {"liuhu"}
    assert "luihu" in one_edit_away("liuhu")
