"""Database triggers keep derived columns right however rows are written."""

import pytest

from casefile.cases.models import Case, Restriction
from casefile.people.models import Person
from casefile.sources.models import Source
from tests.factories import make_amount, make_capture, make_case, make_citation, make_restriction

pytestmark = pytest.mark.django_db


def updated_at(case):
    return Case.objects.values_list("updated_at", flat=True).get(pk=case.pk)


def test_restriction_kinds_follow_inserts_updates_and_deletes():
    case = make_case()
    make_restriction(case, kind="loans_credit")
    rail = make_restriction(case, kind="high_speed_rail")
    make_restriction(case, kind="loans_credit")
    case.refresh_from_db()
    assert case.restriction_kinds == ["high_speed_rail", "loans_credit"]

    Restriction.objects.filter(pk=rail.pk).update(kind="air_travel")
    case.refresh_from_db()
    assert case.restriction_kinds == ["air_travel", "loans_credit"]

    Restriction.objects.filter(case=case).delete()
    case.refresh_from_db()
    assert case.restriction_kinds == []


def test_moving_a_restriction_updates_both_cases():
    first, second = make_case(), make_case()
    restriction = make_restriction(first, kind="luxury_hotels")
    Restriction.objects.filter(pk=restriction.pk).update(case=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.restriction_kinds, second.restriction_kinds) == ([], ["luxury_hotels"])


def test_changing_a_part_touches_the_case():
    case = make_case()
    before = updated_at(case)
    make_amount(case)
    assert updated_at(case) > before


def test_changing_a_person_or_a_source_touches_their_cases():
    case = make_case()
    capture = make_capture()
    make_citation(case, capture)

    before = updated_at(case)
    Person.objects.filter(pk=case.person_id).update(privacy="withheld")
    after_person = updated_at(case)
    assert after_person > before

    Source.objects.filter(pk=capture.source_id).update(title="Corrected title")
    assert updated_at(case) > after_person


def test_version_changes_when_a_part_changes():
    case = make_case()
    case.refresh_from_db()
    before = case.version
    make_restriction(case)
    case.refresh_from_db()
    assert case.version != before
    assert case.version.startswith(case.public_id + ".")
