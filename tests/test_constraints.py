"""Every database constraint rejects the rows it exists to keep out.

Rows are written with .save() or .update(), skipping model validation, so the
database itself must refuse them; the constraint's name identifies the refusal.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.people.models import Person
from casefile.sources.models import Source, SourceCapture
from tests.factories import (
    make_amount,
    make_capture,
    make_case,
    make_citation,
    make_person,
    make_restriction,
    make_source,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def assert_refused(constraint_name, write):
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        write()
    assert constraint_name in str(raised.value)


def update(instance, **values):
    return lambda: type(instance).objects.filter(pk=instance.pk).update(**values)


@pytest.mark.parametrize(
    ("model_factory", "field", "constraint"),
    [
        (lambda: make_case(), "list_name", "case_list_name_valid"),
        (lambda: make_case(), "offence_category", "case_offence_category_valid"),
        (lambda: make_case(), "status", "case_status_valid"),
        (lambda: make_case(), "publication_state", "case_publication_state_valid"),
        (lambda: make_restriction(make_case()), "kind", "restriction_kind_valid"),
        (lambda: make_amount(make_case()), "kind", "amount_kind_valid"),
        (lambda: make_person(), "privacy", "person_privacy_valid"),
        (lambda: make_source(), "kind", "source_kind_valid"),
        (lambda: make_source(), "relation", "source_relation_valid"),
        (lambda: make_source(), "reliability", "source_reliability_valid"),
        (lambda: make_citation(make_case()), "case_field", "citation_case_field_valid"),
    ],
)
def test_vocabulary_values_outside_their_list_are_refused(model_factory, field, constraint):
    instance = model_factory()
    assert_refused(constraint, update(instance, **{field: "not_a_key"}))


def test_restriction_kinds_outside_the_vocabulary_are_refused():
    case = make_case()
    assert_refused(
        "case_restriction_kinds_valid", update(case, restriction_kinds=["teleportation"])
    )


def test_negative_amounts_are_refused():
    amount = make_amount(make_case())
    assert_refused("amount_value_not_negative", update(amount, value=-1))
    assert_refused("amount_value_cny_not_negative", update(amount, value_cny=-0.01))


@pytest.mark.parametrize("currency", ["usd", "US", "XXY", "ZZZ", "", "US1"])
def test_currency_must_be_an_iso_4217_code(currency):
    amount = make_amount(make_case())
    assert_refused("amount_currency_iso4217", update(amount, currency=currency))


def test_valid_iso_4217_codes_are_accepted():
    case = make_case()
    for code in ("CNY", "CAD", "USD", "EUR", "HKD"):
        make_amount(case, currency=code)
    assert Amount.objects.filter(case=case).count() == 5


@pytest.mark.parametrize(
    ("listed", "removed"),
    [
        ((D(2017, 3, 5), "day"), (D(2017, 3, 4), "day")),
        ((D(2017, 3, 1), "month"), (D(2017, 2, 1), "month")),
        ((D(2017, 1, 1), "year"), (D(2016, 1, 1), "year")),
        ((D(2017, 3, 5), "day"), (D(2016, 1, 1), "year")),
        ((D(2017, 3, 5), "day"), (D(2017, 2, 1), "month")),
    ],
)
def test_removal_before_listing_is_refused(listed, removed):
    case = make_case(listed_on=listed[0], listed_on_precision=listed[1])
    assert_refused(
        "case_removed_not_before_listed",
        update(case, removed_on=removed[0], removed_on_precision=removed[1]),
    )


@pytest.mark.parametrize(
    ("listed", "removed"),
    [
        ((D(2017, 3, 5), "day"), (D(2017, 3, 5), "day")),  # same day
        ((D(2017, 3, 5), "day"), (D(2017, 1, 1), "year")),  # "2017" may be after 5 March
        ((D(2017, 3, 5), "day"), (D(2017, 3, 1), "month")),  # "March 2017" may be after the 5th
        ((D(2017, 1, 1), "year"), (D(2017, 2, 1), "month")),
        ((None, ""), (D(2010, 1, 1), "year")),  # listing date unknown
    ],
)
def test_removal_that_may_follow_the_listing_is_accepted(listed, removed):
    case = make_case(
        listed_on=listed[0],
        listed_on_precision=listed[1],
        removed_on=removed[0],
        removed_on_precision=removed[1],
    )
    case.full_clean()  # model validation agrees with the database


def test_restriction_ending_before_it_started_is_refused():
    restriction = make_restriction(
        make_case(), started_on=D(2018, 1, 1), started_on_precision="year"
    )
    assert_refused(
        "restriction_ended_not_before_started",
        update(restriction, ended_on=D(2017, 6, 1), ended_on_precision="month"),
    )


@pytest.mark.parametrize(
    ("date", "precision", "constraint"),
    [
        (D(2017, 3, 5), "year", "case_listed_on_matches_precision"),
        (D(2017, 3, 1), "year", "case_listed_on_matches_precision"),
        (D(2017, 3, 5), "month", "case_listed_on_matches_precision"),
        (D(2017, 3, 5), "", "case_listed_on_has_precision"),
        (None, "day", "case_listed_on_has_precision"),
        (D(2017, 3, 5), "week", "case_listed_on_has_precision"),
    ],
)
def test_date_precision_must_match_its_date(date, precision, constraint):
    case = make_case()
    assert_refused(constraint, update(case, listed_on=date, listed_on_precision=precision))


@pytest.mark.parametrize(
    ("model", "factory", "prefix", "field"),
    [
        (Event, lambda: Event.objects.create(
            case=make_case(), kind="listed", occurred_on=D(2017, 1, 1),
            occurred_on_precision="year", description="x"), "event", "occurred_on"),
        (Source, make_source, "source", "published_on"),
        (Restriction, lambda: make_restriction(make_case()), "restriction", "started_on"),
        (Case, make_case, "case", "removed_on"),
        (Case, make_case, "case", "discovered_on"),
    ],
)  # fmt: skip
def test_every_partial_date_checks_its_precision(model, factory, prefix, field):
    instance = factory()
    assert_refused(
        f"{prefix}_{field}_matches_precision",
        update(instance, **{field: D(2017, 5, 9), f"{field}_precision": "month"}),
    )


def test_sha256_must_be_hex_digest():
    capture = make_capture()
    assert_refused("capture_sha256_hex", update(capture, sha256="not-a-digest"))
    assert_refused("capture_sha256_hex", update(capture, sha256="A" * 64))
    SourceCapture.objects.filter(pk=capture.pk).update(sha256="a" * 64)


def test_citation_supports_exactly_one_claim():
    case = make_case()
    restriction = make_restriction(case)
    amount = make_amount(case)
    capture = make_capture()
    assert_refused(
        "citation_supports_one_claim",
        lambda: Citation.objects.create(case=case, capture=capture),
    )
    assert_refused(
        "citation_supports_one_claim",
        lambda: Citation.objects.create(
            case=case, capture=capture, restriction=restriction, amount=amount
        ),
    )
    assert_refused(
        "citation_supports_one_claim",
        lambda: Citation.objects.create(
            case=case, capture=capture, restriction=restriction, case_field="summary"
        ),
    )


def test_citation_cannot_support_another_cases_claim():
    restriction = make_restriction(make_case())
    other_case = make_case()
    with pytest.raises(IntegrityError, match="claim of its own case"), transaction.atomic():
        Citation.objects.create(case=other_case, capture=make_capture(), restriction=restriction)


def test_person_needs_some_name_and_a_public_figure_a_real_name():
    assert_refused(
        "person_has_a_name",
        lambda: Person.objects.create(
            name_original="", name_romanized="", pseudonym="", privacy="pseudonymised"
        ),
    )
    person = make_person(
        name_original="", name_romanized="", pseudonym="L. H.", privacy="pseudonymised"
    )
    assert_refused("person_public_has_real_name", update(person, privacy="public"))


def test_model_validation_reports_constraint_on_the_offending_field():
    amount = Amount(case=make_case(), kind="owed", value=-5, currency="usd")
    with pytest.raises(ValidationError) as raised:
        amount.full_clean()
    errors = raised.value.message_dict
    assert "An amount cannot be negative." in errors["value"]
    assert errors["currency"]

    case = make_case(listed_on=D(2017, 3, 5), listed_on_precision="day")
    case.removed_on, case.removed_on_precision = D(2016, 1, 1), "year"
    with pytest.raises(ValidationError) as raised:
        case.full_clean()
    assert raised.value.message_dict["removed_on"] == ["The removal cannot be before the listing."]
