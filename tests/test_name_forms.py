"""casefile.people.name_forms: every form of a name, and what a person record derives."""

import pytest

from casefile.people.models import Person
from casefile.people.name_forms import (
    character_forms,
    name_forms,
    person_name_fields,
    pinyin_syllables,
    wade_giles_syllable,
    without_tone_numbers,
)
from tests.factories import make_person


def test_a_name_in_characters_in_every_form():
    forms = name_forms("刘虎")
    assert forms.characters == ("刘虎", "劉虎")
    assert forms.pinyin == "Liu Hu"
    assert forms.pinyin_marks == "Liú Hǔ"
    assert forms.pinyin_numbers == "Liu2 Hu3"
    assert forms.wade_giles == "Liu Hu"
    assert forms.jyutping == "lau4 fu2"
    assert forms.cantonese == ("Lau Fu",)
    assert {"liuhu", "huliu", "liu2hu3", "hu3liu2", "laufu", "fulau", "lau4fu2"} <= (
        forms.latin_keys
    )


def test_traditional_input_gives_the_same_forms():
    assert name_forms("劉虎").latin_keys == name_forms("刘虎").latin_keys
    assert set(name_forms("劉虎").characters) == {"刘虎", "劉虎"}


@pytest.mark.parametrize(
    ("name", "wade_giles"),
    [
        ("张学良", "Chang Hsüeh-liang"),
        ("谢文", "Hsieh Wen"),
        ("周恩来", "Chou En-lai"),  # pypinyin's style would say "lei"
        ("曾国藩", "Tseng Kuo-fan"),  # 曾 read as a surname, zeng
        ("欧阳修", "Ou-yang Hsiu"),
    ],
)
def test_wade_giles(name, wade_giles):
    assert name_forms(name).wade_giles == wade_giles


@pytest.mark.parametrize(
    ("name", "spelling"),
    [
        ("陈秘华", "Chan Pei Wa"),
        ("黄伟民", "Wong Wai Man"),
        ("张学良", "Cheung Hok Leung"),
        ("曾国藩", "Tsang Kwok Fan"),
        ("王伟", "Wong Wai"),
        ("李云", "Lee Wan"),
    ],
)
def test_hong_kong_spellings(name, spelling):
    assert spelling in name_forms(name).cantonese


def test_surnames_are_converted_as_surnames():
    # OpenCC reads 于 and 余 as the words 於 and 餘; as surnames they stay.
    assert "于偉" in name_forms("于伟").characters
    assert "余麗" in name_forms("余丽").characters
    assert name_forms("曾国藩").jyutping.startswith("zang1")  # not cang4
    assert name_forms("吕欣").pinyin == "Lü Xin"
    assert {"luxin", "lvxin", "lyuxin", "xinlu"} <= name_forms("吕欣").latin_keys


def test_a_name_in_latin_script_keeps_its_spelling_and_gains_wade_giles():
    forms = name_forms("Xie Wen")
    assert forms.characters == ()
    assert forms.wade_giles == "Hsieh Wen"
    assert {"xiewen", "wenxie", "hsiehwen", "wenhsieh"} == forms.latin_keys
    assert name_forms("Chang Hsüeh-liang").latin_keys >= {"changhsuehliang"}


def test_helpers():
    assert pinyin_syllables("Xueliang") == ["xue", "liang"]
    assert pinyin_syllables("Xi'an") == ["xi", "an"]
    assert pinyin_syllables("Hsieh") == []
    assert wade_giles_syllable("xue") == "hsüeh"
    assert without_tone_numbers("liu2hu3") == "liuhu"
    assert without_tone_numbers("2016") == "2016"
    assert set(character_forms("刘虎")) == {"刘虎", "劉虎"}


def test_person_names_cover_original_romanised_name_and_aliases():
    names = person_name_fields("刘虎", "", ("Hu the blogger",))
    assert names.name_romanized == "Liu Hu"
    keys = names.name_keys.split()
    assert {"liuhu", "劉虎", "刘虎", "hutheblogger", "blogger"} - set(keys) == {"blogger"}
    assert {"Liu Hu", "Hu Liu", "Liú Hǔ", "劉虎", "Lau Fu", "lau4 fu2"} <= set(
        names.name_spellings.splitlines()
    )


@pytest.mark.django_db
def test_every_orm_write_derives_the_name_forms():
    person = make_person(name_original="刘虎")
    assert "laufu" in person.name_keys.split()
    person.refresh_from_db()
    assert {"劉", "劉虎"} <= set(person.name_grams)  # traditional characters indexed too

    Person.objects.filter(pk=person.pk).update(name_original="张学良", name_romanized="")
    person.refresh_from_db()
    assert person.name_romanized == "Zhang Xueliang"
    assert "changhsuehliang" in person.name_keys.split()
    assert "Chang Hsüeh-liang" in person.name_spellings.splitlines()
    assert "liuhu" not in person.name_keys.split()

    [created] = Person.objects.bulk_create([Person(name_original="谢文", privacy="public")])
    assert "hsiehwen" in Person.objects.get(pk=created.pk).name_keys.split()

    created.name_original = "王伟"
    created.name_romanized = ""
    Person.objects.bulk_update([created], ["name_original", "name_romanized"])
    assert "wongwai" in Person.objects.get(pk=created.pk).name_keys.split()
