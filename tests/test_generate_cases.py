"""The synthetic-data generator behind `make bench`: deterministic, valid, searchable."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import QueryDict

from casefile.cases.filters import CaseFilter
from casefile.cases.models import Case
from casefile.cases.synthetic import generate, wipe
from casefile.people.models import Person
from casefile.people.name_forms import person_name_fields

pytestmark = pytest.mark.django_db


def content():
    return list(
        Case.objects.order_by("id").values_list(
            "public_id", "person__name_original", "summary", "restriction_kinds", "listed_on"
        )
    )


def test_same_seed_same_cases():
    generate(60, seed=7)
    first = content()
    wipe()
    generate(60, seed=7)
    assert content() == first
    wipe()
    generate(60, seed=8)
    assert content() != first


def test_generated_rows_are_what_the_model_would_write():
    generate(200, seed=1)
    assert (
        Case.objects.published().count() + Case.objects.filter(person__privacy="withheld").count()
        == 200
    )
    for case in Case.objects.prefetch_related("restrictions").select_related("person")[:50]:
        kinds = sorted({r.kind for r in case.restrictions.all()})
        assert case.restriction_kinds == kinds  # as the trigger keeps it
        person = case.person
        assert person.name_keys == person.compute_name_keys()
        assert person.name_spellings == person_name_fields(person.name_original, "").name_spellings
        assert case.search_text == _search_text_the_trigger_writes(case)
        assert case.amounts.exists() and case.citations.exists()
        for model_instance in (case, person):
            model_instance.full_clean()


def test_generated_cases_are_stamped_public_as_the_trigger_would():
    """The running facet counts and the change feed read these stamps."""
    generate(200, seed=2)
    stamped = Case.objects.filter(first_public_at__isnull=False, left_public_at=None)
    assert set(stamped) == set(Case.objects.published())
    counted = Case.objects.published().counted(everything=True, cached=False)
    assert counted.facets == Case.objects.published().facet_counts(cached=False)


def _search_text_the_trigger_writes(case) -> str:
    Case.objects.filter(pk=case.pk).update(summary=case.summary)  # runs the row trigger
    return Case.objects.values_list("search_text", flat=True).get(pk=case.pk)


def test_generated_names_are_found_by_pinyin_and_characters():
    generate(300, seed=3)
    person = Person.objects.filter(privacy="public").first()
    for query in (person.name_original, person.name_romanized):
        filterset = CaseFilter(QueryDict(f"q={query}"), queryset=Case.objects.published())
        assert filterset.is_valid()
        assert filterset.qs.filter(person=person).exists()


def test_replace_refuses_a_database_that_is_not_for_benchmarks():
    with pytest.raises(CommandError, match="bench"):
        call_command("generate_cases", 10, replace=True)
