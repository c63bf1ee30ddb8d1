"""The name check: every form of a pseudonymised person's real name, in every public text
of their case (casefile.cases.name_leaks)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casefile.cases.models import Case
from casefile.cases.name_leaks import find_name_leaks, name_forms
from tests.factories import (
    make_amount,
    make_capture,
    make_case,
    make_citation,
    make_event,
    make_person,
    make_restriction,
    make_source,
)

pytestmark = pytest.mark.django_db


def hidden_person(**fields):
    """刘虎, romanised Liu Hu on save, shown as a pseudonym."""
    defaults = {
        "name_original": "刘虎",
        "privacy": "pseudonymised",
        "pseudonym": "Unnamed person, Henan",
    }
    return make_person(**{**defaults, **fields})


def places(case) -> list[str]:
    return [finding.place for finding in find_name_leaks(Case.objects.get(pk=case.pk))]


# --- Every public text of the case ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "place"),
    [
        ("summary", "summary"),
        ("narrative", "narrative"),
        ("outcome", "outcome"),
        ("reason_original", "stated reason (original)"),
        ("reason_en", "stated reason (English)"),
        ("docket_number", "docket number"),
    ],
)
def test_the_name_is_found_in_each_field_of_the_case(field, place):
    text = "（2016）刘虎执2376号" if field == "docket_number" else "He said Liu Hu was listed."
    case = make_case(person=hidden_person(), **{field: text})
    [finding] = find_name_leaks(case)
    assert (finding.place, finding.path) == (place, field)
    assert finding.form in ("刘虎", "liu hu")


def test_the_name_is_found_in_the_persons_public_pseudonym_and_occupation():
    person = hidden_person(pseudonym="Liu H.", occupation="Owner of the Liu Hu noodle shop")
    assert places(make_case(person=person)) == ["person’s occupation"]
    person.pseudonym = "Liu Hu, Henan"
    person.save()
    assert places(make_case(person=person)) == ["person’s pseudonym", "person’s occupation"]


def test_the_name_is_found_in_each_part_citation_capture_and_source():
    case = make_case(person=hidden_person())
    restriction = make_restriction(case, details="Liu Hu could not fly.")
    make_restriction(case, kind="loans_credit", details="No loans.")
    amount = make_amount(case, as_reported="刘虎 paid ¥500", description="Paid by Liú Hǔ.")
    event = make_event(case, description="Hu Liu was detained.")
    source = make_source(
        title="The blacklisting of Liu Hu",
        outlet="LiuHu’s blog",
        authors=["A. Reporter", "Liu Hu"],
        url="https://example.org/liu-hu",
    )
    capture = make_capture(
        source,
        label="Liu Hu’s own copy",
        url="https://example.org/liu-hu?v=2",
        archive_url="https://archive.example/liuhu",
    )
    field_citation = make_citation(case, capture, quote="“刘虎是记者”", locator="para 2")
    part_citation = make_citation(case, capture, restriction=restriction, locator="Liu Hu’s post")

    findings = {finding.place: finding for finding in find_name_leaks(case)}

    assert set(findings) == {
        f"restriction #{restriction.pk} details",
        f"amount #{amount.pk} as reported",
        f"amount #{amount.pk} description",
        f"event #{event.pk} description",
        f"citation #{field_citation.pk} quote",
        f"citation #{part_citation.pk} locator",
        f"capture #{capture.pk} label",
        f"capture #{capture.pk} URL",
        f"capture #{capture.pk} archive URL",
        f"source #{source.pk} title",
        f"source #{source.pk} outlet",
        f"source #{source.pk} authors",
        f"source #{source.pk} URL",
    }
    # Each place also as a path in the case's record, like a validation error's.
    assert findings[f"restriction #{restriction.pk} details"].path == "restrictions[0].details"
    assert findings[f"amount #{amount.pk} as reported"].path == "amounts[0].as_reported"
    assert findings[f"citation #{field_citation.pk} quote"].path == "citations[0].quote"
    assert (
        findings[f"citation #{part_citation.pk} locator"].path
        == "restrictions[0].citations[0].locator"
    )
    assert findings[f"capture #{capture.pk} label"].path == "citations[0].capture.label"
    assert findings[f"source #{source.pk} title"].path == "citations[0].capture.source.title"
    # What was found, as written, and the words around it.
    amount_finding = findings[f"amount #{amount.pk} description"]
    assert (amount_finding.form, amount_finding.found) == ("liu hu", "Liú Hǔ")
    assert amount_finding.excerpt == "Paid by Liú Hǔ."


# --- Every script and spelling -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "form", "found"),
    [
        ("记者刘虎被列入名单", "刘虎", "刘虎"),  # simplified
        ("記者劉虎被列入名單", "刘虎", "劉虎"),  # traditional
        ("The journalist Liú Hǔ was listed.", "liu hu", "Liú Hǔ"),  # tone marks
        ("The journalist Liu Hu was listed.", "liu hu", "Liu Hu"),  # no tones
        ("The journalist LiuHu was listed.", "liu hu", "LiuHu"),  # no space
        ("see weibo.com/liuhu2017", "liu hu", "liuhu"),  # in a handle
        ("The journalist liu-hu was listed.", "liu hu", "liu-hu"),  # a hyphen
        ("The journalist Hu Liu was listed.", "hu liu", "Hu Liu"),  # given name first
        ("THE JOURNALIST HULIU", "hu liu", "HULIU"),  # reversed, capitals, one word
        ("Ｌｉｕ　Ｈｕ (full width)", "liu hu", "Ｌｉｕ　Ｈｕ"),
    ],
)
def test_the_name_is_found_in_each_script_and_spelling(text, form, found):
    case = make_case(person=hidden_person(), summary=text)
    [finding] = find_name_leaks(case)
    assert (finding.form, finding.found) == (form, found)


def test_a_name_written_in_traditional_characters_is_found_in_simplified_text():
    case = make_case(person=hidden_person(name_original="劉虎"), summary="关于刘虎的报道")
    assert [(f.form, f.found) for f in find_name_leaks(case)] == [("刘虎", "刘虎")]


@pytest.mark.parametrize(
    ("alias", "text", "form"),
    [
        ("Tiger Liu", "known online as Tiger Liu", "tiger liu"),
        ("Tiger Liu", "known online as Liu Tiger", "liu tiger"),
        ("劉小虎", "网名刘小虎", "刘小虎"),
        ("劉小虎", "known as Liu Xiaohu", "liu xiao hu"),
        ("劉小虎", "known as Xiao-Hu Liu", "xiao hu liu"),
    ],
)
def test_an_alias_is_found_in_every_script(alias, text, form):
    case = make_case(person=hidden_person(aliases=[alias]), summary=text)
    # ("Xiao-Hu Liu" also holds "Hu Liu", the name given-name first: found too.)
    assert form in [f.form for f in find_name_leaks(case)]


@pytest.mark.parametrize("text", ["Lü Xin", "Lv Xin", "Lyu Xin", "Lu Xin", "Xin Lü"])
def test_u_umlaut_is_found_however_it_is_typed(text):
    case = make_case(person=hidden_person(name_original="吕欣"), summary=f"Then {text} spoke.")
    assert places(case) == ["summary"]


def test_name_forms_cover_both_orders_and_every_name():
    person = hidden_person(name_original="欧阳修", aliases=["Tiger Liu", "虎"])
    assert {form.key for form in name_forms(person)} == {
        "欧阳修",
        "ou yang xiu",
        "xiu ou yang",
        "tiger liu",
        "liu tiger",
    }  # "虎" and its "Hu" are single syllables: never a finding


# --- What is not a finding -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "A human-rights lawyer spoke to Mr Hu and Mrs Liu.",  # syllables alone
        "Liu said the hukou rules changed; Hu agreed.",
        "He visited Liuhua lake and Shanghu village.",  # inside longer words
        "刘先生说，虎年到了。",  # one character at a time
        "Liu, then Hu.",  # separated by more than a space or a hyphen
    ],
)
def test_single_syllables_and_words_containing_the_name_are_not_findings(text):
    case = make_case(person=hidden_person(), summary=text)
    assert find_name_leaks(case) == []


def test_a_public_figure_may_be_named():
    case = make_case(person=hidden_person(privacy="public"), summary="Liu Hu (刘虎) was listed.")
    assert find_name_leaks(case) == []


def test_a_withheld_persons_cases_are_checked_too():
    case = make_case(person=hidden_person(privacy="withheld"), summary="Liu Hu was listed.")
    assert places(case) == ["summary"]


def test_a_person_known_only_by_a_pseudonym_has_nothing_to_find():
    person = make_person(name_original="", privacy="pseudonymised", pseudonym="Unnamed person")
    assert find_name_leaks(make_case(person=person, summary="An unnamed man.")) == []


# --- Fast enough to run on every save ------------------------------------------------------


def big_case():
    """A large case: long English and Chinese text, 90 parts, 120 citations of 12 captures."""
    person = hidden_person(aliases=["Tiger Liu", "劉小虎", "Liu Xiaohu"])
    paragraph = (
        "The court in Zhengzhou listed the debtor after a civil judgment; the human-rights "
        "lawyer said the notice named “the defendant” only. 法院认为被执行人有履行能力而拒不履行。 "
    )
    case = make_case(
        person=person,
        summary=paragraph * 3,
        narrative=paragraph * 200,  # about 30,000 characters
        reason_original="有履行能力而拒不履行生效法律文书确定义务" * 20,
        reason_en=paragraph * 5,
        outcome=paragraph * 5,
    )
    captures = [make_capture(make_source(title=f"Report {n}")) for n in range(12)]
    for n in range(30):
        restriction = make_restriction(case, kind="air_travel", details=paragraph)
        amount = make_amount(case, as_reported="¥ 12,000", description=paragraph)
        make_event(case, description=paragraph)
        for claim in ({"restriction": restriction}, {"amount": amount}):
            make_citation(case, captures[n % 12], quote=paragraph, locator=f"para {n}", **claim)
    for n in range(60):
        make_citation(case, captures[n % 12], quote=paragraph, locator=f"p. {n}")
    return case


def test_a_large_case_is_checked_in_a_fixed_number_of_queries():
    # Its time is measured where times belong, in make bench-workflow (publishing runs it).
    case = big_case()
    find_name_leaks(Case.objects.get(pk=case.pk))  # the person's name forms, once

    with CaptureQueriesContext(connection) as queries:
        loaded = Case.objects.select_related("person").get(pk=case.pk)
        assert find_name_leaks(loaded) == []
    # The case with its person; restrictions, amounts, events, citations with their
    # captures and sources, overrides: one query each, however many there are.
    assert len(queries) == 6
