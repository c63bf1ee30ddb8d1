"""Names that may be people already in the archive, by every name form the search knows."""

import pytest
from django.db import connection

from casefile.people.matching import PEOPLE_SHARING_KEYS, matching_people
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_a_name_matches_by_characters_pinyin_and_aliases_at_every_privacy_level():
    liu = make_person(name_original="刘虎", privacy="public")
    hidden = make_person(name_original="陈秘华", aliases=["Ah Wah Chan"], privacy="withheld")
    pseudonymised = make_person(name_original="刘虎", privacy="pseudonymised", pseudonym="L. H.")
    make_person(name_original="刘虎东")  # a longer name is another name
    found = matching_people(["刘虎", "Liu Hu", "liuhu", "Hu Liu", "Ah Wah Chan", "Chen Mihua", "X"])
    assert found == {
        "刘虎": [liu.pk, pseudonymised.pk],
        "Liu Hu": [liu.pk, pseudonymised.pk],
        "liuhu": [liu.pk, pseudonymised.pk],
        "Hu Liu": [liu.pk, pseudonymised.pk],
        "Ah Wah Chan": [hidden.pk],
        "Chen Mihua": [hidden.pk],
    }
    assert matching_people([]) == {} and matching_people(["", "  "]) == {}


def test_the_query_is_answered_from_the_index():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + PEOPLE_SHARING_KEYS, [["liuhu", "刘虎"]])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "person_name_key_list" in plan


def test_many_names_at_once_find_the_same_people(monkeypatch):
    """A large file's names take the other query (one pass over the people); it finds the
    same people."""
    from casefile.people import matching

    make_person(name_original="刘虎")
    make_person(name_original="", name_romanized="Zhang Wei", aliases=["Wei Zhang"])
    names = ["Liu Hu", "Zhang Wei", "张伟", "nobody"]
    few = matching_people(names)
    monkeypatch.setattr(matching, "INDEXED_KEYS", 0)
    assert matching_people(names) == few and len(few) == 3
